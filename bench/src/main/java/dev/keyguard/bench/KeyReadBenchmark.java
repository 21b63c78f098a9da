package dev.keyguard.bench;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.key.ManagedKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * The cost of reading the current key, warm, against what it is compared with, in the same run: a
 * plain volatile field read (the floor), {@code ManagedKey.current()} of a key without expiry and
 * of a key expiring in a day (its fast path armed half-way, so no clock reading either), the clock
 * reading the old fast path made per call, a Caffeine {@code refreshAfterWrite} loading cache and
 * the AWS caching client's {@code SecretCache.getSecretString} (on an in-process stub of Secrets
 * Manager: after the first load neither calls it).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar KeyReadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -t 1 -prof gc
 * java -jar bench/target/benchmarks.jar KeyReadBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -t 2 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeyReadBenchmark {

  private volatile VersionedCredential field;
  private KeyManager manager;
  private ManagedKey key;
  private ManagedKey expiringKey;
  private LoadingCache<String, VersionedCredential> caffeine;
  private SecretCache awsCache;
  private final TimeSource clock = TimeSource.system();

  @Setup(Level.Trial)
  public void setUp() {
    SecureRandom random = new SecureRandom();
    String apiKey = HexFormat.of().formatHex(random.generateSeed(32));
    Instant inADay = Instant.now().plus(Duration.ofDays(1));
    KeyProvider provider =
        new KeyProvider() {
          @Override
          public VersionedCredential fetch(KeyId keyId) {
            VersionedCredential.Builder b =
                VersionedCredential.builder(keyId, Secret.of(apiKey)).version("1");
            if (keyId.value().equals("expiring")) {
              b.expiresAt(inADay);
            }
            return b.build();
          }
        };
    manager = KeyManager.builder().provider(provider).build();
    key = manager.key(KeyId.of("bench"));
    key.awaitReady(Duration.ofSeconds(10));
    expiringKey = manager.key(KeyId.of("expiring"));
    expiringKey.awaitReady(Duration.ofSeconds(10));
    field = key.current();
    caffeine =
        Caffeine.newBuilder()
            .refreshAfterWrite(Duration.ofMinutes(5))
            .build(id -> provider.fetch(KeyId.of(id)));
    Objects.requireNonNull(caffeine.get("bench"), "loaded");
    awsCache = new SecretCache(new StubSecretsManager(apiKey));
    awsCache.getSecretString("bench");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
    awsCache.close();
  }

  @Benchmark
  public VersionedCredential volatileRead() {
    return field;
  }

  @Benchmark
  public VersionedCredential managedKeyCurrent() {
    return key.current();
  }

  @Benchmark
  public VersionedCredential managedKeyCurrentExpiringInADay() {
    return expiringKey.current();
  }

  /** What the fast path read per call before: the wall clock, as epoch millis. */
  @Benchmark
  public long clockReading() {
    return clock.now().toEpochMilli();
  }

  @Benchmark
  public VersionedCredential caffeineRefreshAfterWrite() {
    return caffeine.get("bench");
  }

  @Benchmark
  public String awsSecretCache() {
    return awsCache.getSecretString("bench");
  }

  /** Secrets Manager answering from memory: one secret, one version. */
  static final class StubSecretsManager implements SecretsManagerClient {
    private final String value;

    StubSecretsManager(String value) {
      this.value = value;
    }

    @Override
    public DescribeSecretResponse describeSecret(DescribeSecretRequest request) {
      return DescribeSecretResponse.builder()
          .name(request.secretId())
          .versionIdsToStages(Map.of("v1", List.of("AWSCURRENT")))
          .build();
    }

    @Override
    public GetSecretValueResponse getSecretValue(GetSecretValueRequest request) {
      return GetSecretValueResponse.builder()
          .name(request.secretId())
          .versionId("v1")
          .versionStages("AWSCURRENT")
          .secretString(value)
          .build();
    }

    @Override
    public String serviceName() {
      return "secretsmanager";
    }

    @Override
    public void close() {}
  }
}
