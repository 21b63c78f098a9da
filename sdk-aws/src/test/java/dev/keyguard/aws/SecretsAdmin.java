package dev.keyguard.aws;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Test set-up on the emulator: creates secrets and simulates rotations the way a rotation Lambda
 * would, since moto's RotateSecret without a Lambda leaves AWSCURRENT empty.
 */
final class SecretsAdmin {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretsManagerClient client;

  SecretsAdmin(SecretsManagerClient client) {
    this.client = client;
  }

  /** A fresh random API key; never a real-looking vendor format. */
  static String randomKey() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return "kg_" + HexFormat.of().formatHex(b);
  }

  /** A unique secret name for one test. */
  static String uniqueName(String prefix) {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return "it/" + prefix + "-" + HexFormat.of().formatHex(b);
  }

  /** Creates a string secret; returns the version id of AWSCURRENT. */
  String create(String name, String value, Tag... tags) {
    return client.createSecret(r -> r.name(name).secretString(value).tags(tags)).versionId();
  }

  /** Creates a binary secret; returns the version id. */
  String createBinary(String name, byte[] value) {
    return client
        .createSecret(r -> r.name(name).secretBinary(SdkBytes.fromByteArray(value)))
        .versionId();
  }

  /** Rotation step 1: puts a new value in stage AWSPENDING; returns its version id. */
  String putPending(String name, String value) {
    return client
        .putSecretValue(
            r ->
                r.secretId(name)
                    .secretString(value)
                    .versionStages(AwsSecretsManagerKeyProvider.AWSPENDING))
        .versionId();
  }

  /** Rotation finish: moves AWSCURRENT to the pending version and drops its AWSPENDING label. */
  void promote(String name, String pendingVersion) {
    String current = versionIn(name, AwsSecretsManagerKeyProvider.AWSCURRENT);
    client.updateSecretVersionStage(
        r ->
            r.secretId(name)
                .versionStage(AwsSecretsManagerKeyProvider.AWSCURRENT)
                .moveToVersionId(pendingVersion)
                .removeFromVersionId(current));
    client.updateSecretVersionStage(
        r ->
            r.secretId(name)
                .versionStage(AwsSecretsManagerKeyProvider.AWSPENDING)
                .removeFromVersionId(pendingVersion));
  }

  /** A whole rotation: put pending, promote; returns the new version id. */
  String rotate(String name, String value) {
    String pending = putPending(name, value);
    promote(name, pending);
    return pending;
  }

  /** The version id in a stage, or null. */
  String versionIn(String name, String stage) {
    Map<String, List<String>> stages =
        client.describeSecret(r -> r.secretId(name)).versionIdsToStages();
    return stages.entrySet().stream()
        .filter(e -> e.getValue().contains(stage))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }
}
