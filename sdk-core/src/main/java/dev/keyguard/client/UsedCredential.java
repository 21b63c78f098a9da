package dev.keyguard.client;

import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;

/**
 * Request tag naming the credential version an attempt was signed with: key id and version only,
 * never the secret, so it is safe in OkHttp's {@code Request.toString()}.
 */
record UsedCredential(KeyId keyId, String version) {

  static UsedCredential of(VersionedCredential credential) {
    return new UsedCredential(credential.keyId(), credential.version());
  }
}
