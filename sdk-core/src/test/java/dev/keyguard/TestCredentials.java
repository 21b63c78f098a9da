package dev.keyguard;

import dev.keyguard.testing.TestSecrets;

/** Credentials with values generated at run time, and raw access to them for assertions. */
public final class TestCredentials {

  private TestCredentials() {}

  /** A credential with a random 40-hex-digit API key and API secret. */
  public static VersionedCredential credential(KeyId keyId, String version) {
    return VersionedCredential.builder(keyId, Secret.of(TestSecrets.randomHex(20)))
        .apiSecret(Secret.of(TestSecrets.randomHex(20)))
        .version(version)
        .build();
  }

  public static String apiKeyOf(VersionedCredential credential) {
    return credential.apiKey().value(InsecureSecretAccess.get());
  }

  public static String apiSecretOf(VersionedCredential credential) {
    return credential.apiSecret().orElseThrow().value(InsecureSecretAccess.get());
  }
}
