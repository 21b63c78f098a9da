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

  private final String algorithm;
  private volatile @Nullable Entry last;

  PreparedMac(String algorithm) {
    this.algorithm = algorithm;
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
      e = new Entry(credential, keyed(secret));
      last = e;
    }
    try {
      return (Mac) e.prototype.clone();
    } catch (CloneNotSupportedException notCloneable) {
      return keyed(secret); // a provider whose Mac cannot be cloned: key one per signature
    }
  }

  private Mac keyed(Secret secret) {
    byte[] key = secret.bytes(InsecureSecretAccess.get()); // throws if destroyed
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
