package dev.keyguard.auth;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * An HMAC keyed with a credential's API secret, initialised once per credential (identity, as
 * {@link PreparedValue}) and cloned for each signature instead of looked up and keyed per request.
 * It keeps the keyed prototype of the credential it last saw only; a destroyed secret is never used
 * from it (the secret's own check then throws). Thread-safe: each caller signs with its own clone.
 */
final class PreparedMac {

  private record Entry(VersionedCredential credential, Mac prototype) {}

  /** The HMAC key a scheme derives from the API secret; the caller wipes the array it returns. */
  interface KeyDerivation {
    byte[] key(VersionedCredential credential, Secret secret);
  }

  private final String algorithm;
  private final KeyDerivation derivation;
  private volatile @Nullable Entry last;

  /** An HMAC keyed with the secret's bytes. */
  PreparedMac(String algorithm) {
    this(algorithm, (credential, secret) -> secret.bytes(InsecureSecretAccess.get()));
  }

  /** An HMAC keyed with what {@code derivation} makes of the secret (Kraken: base64-decoded). */
  PreparedMac(String algorithm, KeyDerivation derivation) {
    this.algorithm = algorithm;
    this.derivation = derivation;
  }

  /** The HMAC of the message parts under {@code secret}, the API secret of {@code credential}. */
  byte[] sign(VersionedCredential credential, Secret secret, byte[]... message) {
    Mac mac = macFor(credential, secret);
    for (byte[] part : message) {
      mac.update(part);
    }
    return mac.doFinal();
  }

  private Mac macFor(VersionedCredential credential, Secret secret) {
    Entry e = last;
    if (e == null || e.credential != credential || secret.isDestroyed()) {
      e = new Entry(credential, keyed(credential, secret));
      last = e;
    }
    try {
      return (Mac) e.prototype.clone();
    } catch (CloneNotSupportedException notCloneable) {
      // a provider whose Mac cannot be cloned: key one per signature
      return keyed(credential, secret);
    }
  }

  private Mac keyed(VersionedCredential credential, Secret secret) {
    byte[] key = derivation.key(credential, secret); // throws if destroyed
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac;
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException(algorithm + " is required by every Java platform", ex);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }
}
