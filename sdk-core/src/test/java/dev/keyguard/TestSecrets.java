package dev.keyguard;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Secrets generated at run time; none is ever written in a source file. */
final class TestSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private TestSecrets() {}

  /** A random 40-hex-digit value. */
  static String randomValue() {
    byte[] bytes = new byte[20];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** A credential with a random API key and API secret. */
  static VersionedCredential credential(KeyId keyId, String version) {
    return VersionedCredential.builder(keyId, Secret.of(randomValue()))
        .apiSecret(Secret.of(randomValue()))
        .version(version)
        .build();
  }

  static String apiKeyOf(VersionedCredential credential) {
    return credential.apiKey().value(InsecureSecretAccess.get());
  }

  static String apiSecretOf(VersionedCredential credential) {
    return credential.apiSecret().orElseThrow().value(InsecureSecretAccess.get());
  }
}
