package dev.keyguard.bench.rotation;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import dev.keyguard.aws.AwsSecretsManagerKeyProvider;
import dev.keyguard.bench.aws.AwsSecretsManagerComparison.CallCounter;
import dev.keyguard.bench.aws.MotoProcess;
import dev.keyguard.key.KeyProvider;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * AWS Secrets Manager on moto ({@code scripts/provision-moto.sh}). Each key has a secret of its own
 * and a {@code SecretsManagerClient} of its own (JDK HTTP client) with a call-counting {@code
 * ExecutionInterceptor}: backend calls are the {@code GetSecretValue} and {@code DescribeSecret}
 * calls that got an answer, counted at the SDK's wire. A rotation is what a rotation Lambda does:
 * {@code PutSecretValue} as {@code AWSPENDING}, then {@code UpdateSecretVersionStage} moves {@code
 * AWSCURRENT} to it, through a separate, uncounted admin client. The anchor is the AWS caching
 * client ({@code aws-secretsmanager-caching-java}) with plain OkHttp, on the same counting client.
 */
final class AwsBackend implements Backend {

  private final MotoProcess moto;
  private final SecretsManagerClient admin;
  private final Map<String, SecretsManagerClient> clients = new ConcurrentHashMap<>();
  private final Map<String, CallCounter> counters = new ConcurrentHashMap<>();

  private AwsBackend(MotoProcess moto) {
    this.moto = moto;
    this.admin = client(moto, null);
  }

  static AwsBackend start() throws IOException, InterruptedException {
    return new AwsBackend(MotoProcess.start());
  }

  @Override
  public String name() {
    return "AWS Secrets Manager (moto 5.2.5)";
  }

  @Override
  public String callsCounted() {
    return "GetSecretValue + DescribeSecret answered, counted by an SDK ExecutionInterceptor";
  }

  @Override
  public String createKey(String value) {
    String name = "bench/rotation-" + RotationUnderLoad.randomValue().substring(3, 11);
    admin.createSecret(r -> r.name(name).secretString(value));
    CallCounter counter = new CallCounter();
    counters.put(name, counter);
    clients.put(name, client(moto, counter));
    return name;
  }

  @Override
  public void rotate(String keyId, String value) {
    String pending =
        admin
            .putSecretValue(r -> r.secretId(keyId).secretString(value).versionStages("AWSPENDING"))
            .versionId();
    String current =
        admin.describeSecret(r -> r.secretId(keyId)).versionIdsToStages().entrySet().stream()
            .filter(e -> e.getValue().contains("AWSCURRENT"))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow();
    admin.updateSecretVersionStage(
        r ->
            r.secretId(keyId)
                .versionStage("AWSCURRENT")
                .moveToVersionId(pending)
                .removeFromVersionId(current));
    admin.updateSecretVersionStage(
        r -> r.secretId(keyId).versionStage("AWSPENDING").removeFromVersionId(pending));
  }

  @Override
  public KeyProvider provider(String keyId) {
    return AwsSecretsManagerKeyProvider.builder()
        .client(Objects.requireNonNull(clients.get(keyId), keyId))
        .build();
  }

  @Override
  public long backendCalls(String keyId) {
    CallCounter counter = Objects.requireNonNull(counters.get(keyId), keyId);
    return counter.get("GetSecretValue") + counter.get("DescribeSecret");
  }

  @Override
  public List<Anchor> anchors() {
    return List.of(
        new Anchor(
            "aws-secretsmanager-caching-java 2.1.1 + OkHttp",
            (keyId, apiUrl, okHttp, refresh) -> {
              SecretCache cache =
                  new SecretCache(
                      new SecretCacheConfiguration()
                          .withClient(clients.get(keyId))
                          .withCacheItemTTL(refresh.toMillis()));
              return new Contender() {
                @Override
                public void call() throws IOException {
                  Request request =
                      new Request.Builder()
                          .url(apiUrl + "price?symbol=BTC")
                          .header("x-api-key", cache.getSecretString(keyId))
                          .build();
                  try (Response response = okHttp.newCall(request).execute()) {
                    response.body().string(); // read whole, as for an error message
                    if (!response.isSuccessful()) {
                      throw new IOException("HTTP " + response.code());
                    }
                  }
                }

                @Override
                public void close() {
                  cache.close();
                }
              };
            }));
  }

  @Override
  public void close() {
    clients.values().forEach(SecretsManagerClient::close);
    admin.close();
    moto.close();
  }

  private static SecretsManagerClient client(MotoProcess moto, @Nullable CallCounter counter) {
    return SecretsManagerClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(moto.endpoint())
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-dummy")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(
            c -> {
              if (counter != null) {
                c.addExecutionInterceptor(counter);
              }
            })
        .build();
  }
}
