package dev.keyguard.bench.aws;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.aws.AwsSecretsManagerKeyProvider;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Load harness: the same workload through the AWS caching client ({@code
 * aws-secretsmanager-caching-java}) and through KeyGuard ({@code KeyManager} over {@code
 * AwsSecretsManagerKeyProvider}, in its default mode and with the version check), against moto.
 *
 * <p>For each contender: a fresh secret; {@code --threads} threads read the key every {@code
 * --read-every} for {@code --seconds}, timing every read; the secret is rotated every {@code
 * --rotate-every}; both refresh every {@code --refresh}. It reports read latency percentiles (the
 * reads that trigger or wait on a refresh included), the cold-start read, the worst time from a
 * rotation until every thread saw the new value, and the Secrets Manager calls counted by an SDK
 * interceptor, with the per-hour figures they extrapolate to at each library's default refresh
 * interval.
 *
 * <pre>
 * scripts/provision-moto.sh
 * ./mvnw -q -pl bench -am package -Dquick -DskipTests
 * java -cp bench/target/benchmarks.jar dev.keyguard.bench.aws.AwsSecretsManagerComparison --seconds 60
 * </pre>
 *
 * <p>The report is this tool's output, so it goes to standard output.
 */
public final class AwsSecretsManagerComparison {

  private static final SecureRandom RANDOM = new SecureRandom();

  private AwsSecretsManagerComparison() {}

  /** What a contender must do: return the API key to put on a request. */
  private interface Contender extends AutoCloseable {
    String read();

    @Override
    void close();
  }

  /**
   * Counts Secrets Manager calls that got a response, per operation (also used by the
   * rotation-under-load harness).
   */
  public static final class CallCounter implements ExecutionInterceptor {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @Override
    public void afterTransmission(
        Context.AfterTransmission context, ExecutionAttributes attributes) {
      calls
          .computeIfAbsent(
              attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
              k -> new AtomicInteger())
          .incrementAndGet();
    }

    /**
     * The calls of one operation so far.
     *
     * @param operation such as {@code GetSecretValue}
     * @return the count
     */
    public int get(String operation) {
      AtomicInteger n = calls.get(operation);
      return n == null ? 0 : n.get();
    }
  }

  record Options(
      int seconds,
      int warmupSeconds,
      int threads,
      Duration refresh,
      Duration rotateEvery,
      Duration readEvery) {}

  record Result(
      String name,
      long reads,
      long errors,
      long regressions,
      double coldStartMs,
      long p50Ns,
      long p99Ns,
      long p999Ns,
      long p9999Ns,
      long maxNs,
      long slowReads,
      double worstLagMs,
      int rotations,
      int describeCalls,
      int getCalls,
      double seconds) {}

  /**
   * Runs the comparison.
   *
   * @param args {@code --seconds N --warmup N --threads N --refresh PT2S --rotate-every PT15S
   *     --read-every PT0.0005S}
   * @throws Exception if moto cannot be started
   */
  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    System.out.printf(
        Locale.ROOT,
        "workload: %d threads, one read every %s each, %d s measured per contender after %d s of warm-up,"
            + " refresh every %s, rotation every %s%n",
        o.threads(),
        o.readEvery(),
        o.seconds(),
        o.warmupSeconds(),
        o.refresh(),
        o.rotateEvery());
    List<Result> results = new ArrayList<>();
    try (MotoProcess moto = MotoProcess.start();
        SecretsManagerClient admin = client(moto, null)) {
      results.add(
          run(
              o,
              moto,
              admin,
              "aws-secretsmanager-caching-java 2.1.1",
              (name, client) -> {
                SecretCache cache =
                    new SecretCache(
                        new SecretCacheConfiguration()
                            .withClient(client)
                            .withCacheItemTTL(o.refresh().toMillis()));
                return new Contender() {
                  @Override
                  public String read() {
                    return cache.getSecretString(name);
                  }

                  @Override
                  public void close() {
                    cache.close();
                  }
                };
              }));
      results.add(
          run(
              o,
              moto,
              admin,
              "KeyGuard (default: GetSecretValue per refresh)",
              (name, client) -> keyGuard(o, name, client, false)));
      results.add(
          run(
              o,
              moto,
              admin,
              "KeyGuard (versionCheck: DescribeSecret per refresh)",
              (name, client) -> keyGuard(o, name, client, true)));
    }
    report(o, results);
  }

  private static Contender keyGuard(
      Options o, String name, SecretsManagerClient client, boolean versionCheck) {
    AwsSecretsManagerKeyProvider provider =
        AwsSecretsManagerKeyProvider.builder().client(client).versionCheck(versionCheck).build();
    KeyManager manager = KeyManager.builder().provider(provider).refreshAfter(o.refresh()).build();
    ManagedKey key = manager.key(name);
    return new Contender() {
      @Override
      public String read() {
        // what an application does to put the key on a request: get the credential, decode the key
        return key.current().apiKey().value(InsecureSecretAccess.get());
      }

      @Override
      public void close() {
        manager.close();
        provider.close();
      }
    };
  }

  private interface Factory {
    Contender create(String secretName, SecretsManagerClient client);
  }

  private static SecretsManagerClient client(
      MotoProcess moto, @Nullable ExecutionInterceptor interceptor) {
    return SecretsManagerClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(moto.endpoint())
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-dummy")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(
            c -> {
              if (interceptor != null) {
                c.addExecutionInterceptor(interceptor);
              }
            })
        .build();
  }

  private static String randomValue() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return "kg_" + HexFormat.of().formatHex(b);
  }

  private static Result run(
      Options o, MotoProcess moto, SecretsManagerClient admin, String label, Factory factory)
      throws InterruptedException {
    String name = "bench/" + randomValue().substring(3, 11);
    String first = randomValue();
    admin.createSecret(r -> r.name(name).secretString(first));
    Map<String, Integer> index = new ConcurrentHashMap<>();
    index.put(first, 0);
    AtomicLongArray rotatedAt = new AtomicLongArray(10_000);
    AtomicInteger rotations = new AtomicInteger();
    CallCounter counter = new CallCounter();
    try (SecretsManagerClient client = client(moto, counter);
        Contender contender = factory.create(name, client)) {
      long c0 = System.nanoTime();
      String cold = contender.read();
      double coldMs = (System.nanoTime() - c0) / 1e6;
      if (!first.equals(cold)) {
        throw new IllegalStateException(label + ": the first read returned another value");
      }
      // warm-up: the same reads, not measured, so that every contender runs JIT-compiled code
      long warmupEnd = System.nanoTime() + Duration.ofSeconds(o.warmupSeconds()).toNanos();
      while (System.nanoTime() < warmupEnd) {
        if (!first.equals(contender.read())) {
          throw new IllegalStateException(label + ": a warm-up read returned another value");
        }
        LockSupport.parkNanos(o.readEvery().toNanos() / o.threads());
      }
      int coldDescribe = counter.get("DescribeSecret");
      int coldGet = counter.get("GetSecretValue");
      counter.calls.clear();
      long start = System.nanoTime();
      long end = start + Duration.ofSeconds(o.seconds()).toNanos();
      int perThread =
          (int)
              Math.min(
                  50_000_000L,
                  o.seconds() * 1_000_000_000L / Math.max(1, o.readEvery().toNanos()) + 1000);
      long[][] latencies = new long[o.threads()][];
      int[] counts = new int[o.threads()];
      AtomicLong errors = new AtomicLong();
      AtomicLong regressions = new AtomicLong();
      AtomicLong worstLag = new AtomicLong();
      CountDownLatch done = new CountDownLatch(o.threads());
      for (int t = 0; t < o.threads(); t++) {
        int id = t;
        latencies[t] = new long[perThread];
        Thread thread =
            new Thread(
                () -> {
                  int seen = 0;
                  long[] lat = latencies[id];
                  int n = 0;
                  try {
                    while (System.nanoTime() < end && n < lat.length) {
                      long t0 = System.nanoTime();
                      String v;
                      try {
                        v = contender.read();
                      } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        continue;
                      }
                      long t1 = System.nanoTime();
                      lat[n++] = t1 - t0;
                      Integer idx = index.get(v);
                      if (idx == null) {
                        errors.incrementAndGet();
                      } else if (idx > seen) {
                        long lag = t1 - rotatedAt.get(idx);
                        worstLag.accumulateAndGet(lag, Math::max);
                        seen = idx;
                      } else if (idx < seen) {
                        regressions.incrementAndGet();
                      }
                      LockSupport.parkNanos(o.readEvery().toNanos());
                    }
                  } finally {
                    counts[id] = n;
                    done.countDown();
                  }
                },
                "reader-" + t);
        thread.setDaemon(true);
        thread.start();
      }
      Thread rotator =
          new Thread(
              () -> {
                long next = start + o.rotateEvery().toNanos();
                while (next < end - o.refresh().toNanos() * 2) {
                  LockSupport.parkNanos(next - System.nanoTime());
                  String value = randomValue();
                  int idx = rotations.get() + 1;
                  String pending =
                      admin
                          .putSecretValue(
                              r -> r.secretId(name).secretString(value).versionStages("AWSPENDING"))
                          .versionId();
                  String current =
                      admin
                          .describeSecret(r -> r.secretId(name))
                          .versionIdsToStages()
                          .entrySet()
                          .stream()
                          .filter(e -> e.getValue().contains("AWSCURRENT"))
                          .map(Map.Entry::getKey)
                          .findFirst()
                          .orElseThrow();
                  // the lag is measured from just before AWSCURRENT moves (an overestimate by one
                  // call)
                  rotatedAt.set(idx, System.nanoTime());
                  index.put(value, idx);
                  admin.updateSecretVersionStage(
                      r ->
                          r.secretId(name)
                              .versionStage("AWSCURRENT")
                              .moveToVersionId(pending)
                              .removeFromVersionId(current));
                  admin.updateSecretVersionStage(
                      r ->
                          r.secretId(name).versionStage("AWSPENDING").removeFromVersionId(pending));
                  rotations.set(idx);
                  next += o.rotateEvery().toNanos();
                }
              },
              "rotator");
      rotator.setDaemon(true);
      rotator.start();
      done.await();
      rotator.join();
      double seconds = (System.nanoTime() - start) / 1e9;
      long total = 0;
      for (int c : counts) {
        total += c;
      }
      long[] all = new long[(int) total];
      int pos = 0;
      for (int t = 0; t < o.threads(); t++) {
        System.arraycopy(latencies[t], 0, all, pos, counts[t]);
        pos += counts[t];
      }
      Arrays.sort(all);
      long slow = 0;
      for (long l : all) {
        if (l > 1_000_000L) {
          slow++;
        }
      }
      Result r =
          new Result(
              label,
              total,
              errors.get(),
              regressions.get(),
              coldMs,
              percentile(all, 0.50),
              percentile(all, 0.99),
              percentile(all, 0.999),
              percentile(all, 0.9999),
              all.length == 0 ? 0 : all[all.length - 1],
              slow,
              worstLag.get() / 1e6,
              rotations.get(),
              counter.get("DescribeSecret"),
              counter.get("GetSecretValue"),
              seconds);
      System.out.printf(
          Locale.ROOT,
          "%s: cold start and warm-up %d DescribeSecret + %d GetSecretValue; measured window: %d reads, calls %s%n",
          label,
          coldDescribe,
          coldGet,
          total,
          new TreeMap<>(counter.calls));
      return r;
    }
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static String micros(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1000.0);
  }

  private static void report(Options o, List<Result> results) {
    System.out.println();
    System.out.println(
        "| contender | reads | errors | p50 µs | p99 µs | p99.9 µs | p99.99 µs | max µs | reads > 1 ms | cold start ms |"
            + " worst rotation lag ms | DescribeSecret | GetSecretValue | rotations | window s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %s | %s | %s | %s | %s | %d | %.1f | %.0f | %d | %d | %d | %.1f |%n",
          r.name(),
          r.reads(),
          r.errors() + r.regressions(),
          micros(r.p50Ns()),
          micros(r.p99Ns()),
          micros(r.p999Ns()),
          micros(r.p9999Ns()),
          micros(r.maxNs()),
          r.slowReads(),
          r.coldStartMs(),
          r.worstLagMs(),
          r.describeCalls(),
          r.getCalls(),
          r.rotations(),
          r.seconds());
    }
    double refreshS = o.refresh().toMillis() / 1000.0;
    System.out.println();
    System.out.println(
        "Calls per refresh in the measured window (one GetSecretValue per rotation taken out where the"
            + " value is downloaded only on a new version):");
    for (Result r : results) {
      boolean caching = r.name().startsWith("aws-");
      // the caching client refreshes after a uniformly random [TTL/2, TTL]: 0.75 TTL on average
      double meanInterval = caching ? 0.75 * refreshS : refreshS;
      double refreshes = r.seconds() / meanInterval;
      double describe = r.describeCalls();
      double get = r.getCalls() - (r.describeCalls() > 0 ? r.rotations() : 0);
      System.out.printf(
          Locale.ROOT,
          "  %s: %.1f expected refreshes; %.2f DescribeSecret and %.2f GetSecretValue per refresh%n",
          r.name(),
          refreshes,
          describe / refreshes,
          get / refreshes);
    }
  }

  private static Options parse(String[] args) {
    int seconds = 60;
    int warmup = 10;
    int threads = 8;
    Duration refresh = Duration.ofSeconds(2);
    Duration rotateEvery = Duration.ofSeconds(15);
    Duration readEvery = Duration.ofNanos(500_000);
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + args[i]);
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--refresh" -> refresh = Duration.parse(v);
        case "--rotate-every" -> rotateEvery = Duration.parse(v);
        case "--read-every" -> readEvery = Duration.parse(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    return new Options(seconds, warmup, threads, refresh, rotateEvery, readEvery);
  }
}
