package dev.keyguard.client;

import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;

/**
 * Request tag naming the credential version an attempt was signed with: key id, version and the
 * fingerprint of its secret parts only, never the secret, so it is safe in OkHttp's {@code
 * Request.toString()}.
 */
record UsedCredential(KeyId keyId, String version, String fingerprint) {

  static UsedCredential of(VersionedCredential credential) {
    return new UsedCredential(credential.keyId(), credential.version(), fingerprint(credential));
  }

  /** The fingerprint of the secret parts, as key events show it. */
  static String fingerprint(VersionedCredential c) {
    return c.apiSecret()
        .map(s -> c.apiKey().fingerprint() + "+" + s.fingerprint())
        .orElse(c.apiKey().fingerprint());
  }
}
