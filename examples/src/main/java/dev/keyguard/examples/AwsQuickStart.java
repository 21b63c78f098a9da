package dev.keyguard.examples;

import dev.keyguard.VersionedCredential;
import dev.keyguard.aws.AwsSecretsManagerKeyProvider;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;

/**
 * AWS quick start: an API key kept in AWS Secrets Manager, read through KeyGuard and kept fresh
 * across a rotation.
 *
 * <p>Against the moto emulator ({@code scripts/aws-quickstart.sh} does all of this):
 *
 * <pre>
 * scripts/provision-moto.sh
 * .tools/moto/bin/moto_server -H 127.0.0.1 -p 5000 &amp;
 * java -cp ... dev.keyguard.examples.AwsQuickStart --endpoint http://127.0.0.1:5000 --demo
 * </pre>
 *
 * <p>Against AWS: leave out {@code --endpoint} and {@code --demo}; the region and the credentials
 * come from the SDK's default chains ({@code AWS_REGION}, {@code AWS_PROFILE}, an instance or task
 * role). The caller needs {@code secretsmanager:GetSecretValue} on the secret (and {@code
 * kms:Decrypt} if it uses a customer-managed KMS key).
 *
 * <pre>
 * java -cp ... dev.keyguard.examples.AwsQuickStart --secret-id prod/market-data/api-key
 * </pre>
 *
 * <p>Options: {@code --endpoint URL} (or the environment variable {@code KEYGUARD_AWS_ENDPOINT}),
 * {@code --secret-id NAME} (default {@code keyguard/demo/api-key}), {@code --region ID}, {@code
 * --refresh PT5S}, {@code --demo} (emulator only: creates the secret with a random value, then
 * rotates it the way a rotation Lambda does: while the new version is AWSPENDING, a rejected key
 * falls back to it; once AWSCURRENT moves, the next refresh serves it).
 *
 * <p>Nothing here logs a key: credentials print as key id, AWS version id and fingerprint.
 */
public final class AwsQuickStart {

  private static final Logger LOG = LoggerFactory.getLogger(AwsQuickStart.class);

  private AwsQuickStart() {}

  /**
   * Runs the quick start.
   *
   * @param args see the class documentation
   * @throws InterruptedException if interrupted while waiting for the rotation
   */
  public static void main(String[] args) throws InterruptedException {
    Map<String, String> options = Options.parse(args, "--demo");
    String endpoint = options.getOrDefault("--endpoint", System.getenv("KEYGUARD_AWS_ENDPOINT"));
    String secretId = options.getOrDefault("--secret-id", "keyguard/demo/api-key");
    Duration refresh = Duration.parse(options.getOrDefault("--refresh", "PT5S"));
    boolean demo = options.containsKey("--demo");

    // 1. The provider: AWSCURRENT by default, AWSPENDING as the rotation-window alternate.
    AwsSecretsManagerKeyProvider.Builder providerBuilder = AwsSecretsManagerKeyProvider.builder();
    Region region = options.containsKey("--region") ? Region.of(options.get("--region")) : null;
    SecretsManagerClient emulatorAdmin = null;
    if (endpoint != null) {
      // an emulator: any credentials do; the provider refuses http anywhere but on loopback
      region = region != null ? region : Region.US_EAST_1;
      providerBuilder
          .endpointOverride(URI.create(endpoint))
          .credentialsProvider(
              StaticCredentialsProvider.create(AwsBasicCredentials.create("demo", "demo")));
      if (demo) {
        emulatorAdmin =
            SecretsManagerClient.builder()
                .region(region)
                .endpointOverride(URI.create(endpoint))
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("demo", "demo")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        createDemoSecret(emulatorAdmin, secretId);
      }
    } else if (demo) {
      throw new IllegalArgumentException(
          "--demo writes secrets: it runs only against an emulator (--endpoint)");
    }
    if (region != null) {
      providerBuilder.region(region);
    }

    // 2. The key manager: refreshes in the background, serves the last good key if AWS is down.
    try (AwsSecretsManagerKeyProvider provider = providerBuilder.build();
        KeyManager keys =
            KeyManager.builder()
                .provider(provider)
                .refreshAfter(refresh)
                .listener(event -> LOG.info("key event: {}", event))
                .build()) {
      ManagedKey apiKey = keys.key(secretId);
      keys.awaitReady(Duration.ofSeconds(10));
      VersionedCredential credential = apiKey.current(); // lock-free from now on
      LOG.info("serving {} (read from AWS Secrets Manager through {})", credential, provider);

      if (emulatorAdmin != null) {
        // 3. A rotation starts: the new key is AWSPENDING, and the API already accepts only it.
        String pending = putPending(emulatorAdmin, secretId);
        LOG.info("rotation started: version {} is AWSPENDING", pending);
        Optional<VersionedCredential> retryWith =
            apiKey.rejected(credential); // the API answered 401
        LOG.info(
            "the API refused {}; KeyGuard retries with {}",
            credential.version(),
            retryWith.map(Object::toString).orElse("nothing"));

        // 4. The rotation finishes: AWSCURRENT moves; the next refresh serves the new version.
        promote(emulatorAdmin, secretId, pending);
        long deadline = System.nanoTime() + refresh.multipliedBy(3).toNanos();
        while (!apiKey.current().version().equals(pending) && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        VersionedCredential after = apiKey.current();
        if (!after.version().equals(pending)) {
          throw new IllegalStateException(
              "the new version was not served within " + refresh.multipliedBy(3));
        }
        LOG.info("rotation finished; now serving {}", after);
      }
    } finally {
      if (emulatorAdmin != null) {
        emulatorAdmin.close();
      }
    }
  }

  private static String randomKey() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return "demo_" + HexFormat.of().formatHex(b);
  }

  private static void createDemoSecret(SecretsManagerClient admin, String secretId) {
    String value = "{\"apiKey\":\"" + randomKey() + "\"}";
    try {
      admin.createSecret(r -> r.name(secretId).secretString(value));
      LOG.info("created demo secret '{}' in the emulator", secretId);
    } catch (ResourceExistsException e) {
      LOG.info("demo secret '{}' already exists in the emulator", secretId);
    }
  }

  /** A rotation Lambda's first step: a new version in stage AWSPENDING. */
  private static String putPending(SecretsManagerClient admin, String secretId) {
    return admin
        .putSecretValue(
            r ->
                r.secretId(secretId)
                    .secretString("{\"apiKey\":\"" + randomKey() + "\"}")
                    .versionStages("AWSPENDING"))
        .versionId();
  }

  /** A rotation Lambda's last step: AWSCURRENT moves to the pending version. */
  private static void promote(SecretsManagerClient admin, String secretId, String pending) {
    String current =
        admin.describeSecret(r -> r.secretId(secretId)).versionIdsToStages().entrySet().stream()
            .filter(e -> e.getValue().contains("AWSCURRENT"))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow();
    admin.updateSecretVersionStage(
        r ->
            r.secretId(secretId)
                .versionStage("AWSCURRENT")
                .moveToVersionId(pending)
                .removeFromVersionId(current));
    admin.updateSecretVersionStage(
        r -> r.secretId(secretId).versionStage("AWSPENDING").removeFromVersionId(pending));
  }

  /** Minimal {@code --name value} parsing. */
  static final class Options {
    private Options() {}

    static Map<String, String> parse(String[] args, String... flags) {
      java.util.Set<String> flagSet = java.util.Set.of(flags);
      Map<String, String> out = new java.util.HashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (flagSet.contains(a)) {
          out.put(a, "true");
        } else if (a.startsWith("--") && i + 1 < args.length) {
          out.put(a, args[++i]);
        } else {
          throw new IllegalArgumentException("unexpected argument: " + a);
        }
      }
      return out;
    }
  }
}
