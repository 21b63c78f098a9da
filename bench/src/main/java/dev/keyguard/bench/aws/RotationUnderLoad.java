package dev.keyguard.bench.aws;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.aws.AwsSecretsManagerKeyProvider;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.client.RetryOptions;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Load harness: rotation under load. {@code --threads} threads call a local HTTPS market-data API
 * for {@code --seconds}; the API key lives in AWS Secrets Manager (moto) and is rotated every
 * {@code --rotate-every}; from each rotation on, the API accepts only the new key (the old one is
 * revoked at once, the hard case). Two contenders, each with a fresh secret:
 *
 * <ul>
 *   <li><b>KeyGuard</b>: {@code KeyGuardClient} over a {@code KeyManager} over {@code
 *       AwsSecretsManagerKeyProvider}; a 401 makes it refresh once and retry once.
 *   <li><b>The AWS caching client</b> ({@code aws-secretsmanager-caching-java}) as the anchor: the
 *       application reads the key from the cache and calls the API with plain OkHttp; a rotated key
 *       fails until the cache's TTL runs out.
 * </ul>
 *
 * Both refresh every {@code --refresh}. It prints: requests made by the application, requests that
 * failed in the application, retries (requests the API saw beyond the application's), Secrets
 * Manager calls (counted at the SDK's wire), and the p50/p99 of the application's call latency.
 *
 * <pre>
 * scripts/bench-rotation.sh            # provisions moto, builds bench, runs 60 s per contender
 * </pre>
 */
public final class RotationUnderLoad {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RotationUnderLoad() {}

  /** One application: how it gets a key and calls the API. */
  private interface Contender extends AutoCloseable {
    /** One API call as the application makes it; throws if it fails. */
    void call() throws IOException;

    @Override
    void close();
  }

  private interface Factory {
    Contender create(String secretName, SecretsManagerClient client, String apiUrl);
  }

  record Options(int seconds, int threads, Duration refresh, Duration rotateEvery) {}

  record Result(
      String name,
      long requests,
      long failed,
      long retries,
      int rotations,
      int backendCalls,
      long p50Ns,
      long p99Ns,
      double seconds) {}

  /**
   * Runs both contenders.
   *
   * @param args {@code --seconds 60 --threads 16 --refresh PT5S --rotate-every PT10S}
   * @throws Exception if moto or the API cannot be started
   */
  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    HeldCertificate certificate =
        new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
    HandshakeCertificates serverTls =
        new HandshakeCertificates.Builder().heldCertificate(certificate).build();
    HandshakeCertificates clientTls =
        new HandshakeCertificates.Builder()
            .addTrustedCertificate(certificate.certificate())
            .build();
    OkHttpClient okHttp =
        new OkHttpClient.Builder()
            .sslSocketFactory(clientTls.sslSocketFactory(), clientTls.trustManager())
            .build();
    AtomicReference<String> accepted = new AtomicReference<>("");
    AtomicInteger served = new AtomicInteger();
    System.out.printf(
        Locale.ROOT,
        "workload: %d threads calling a local HTTPS API for %d s per contender; the key is rotated"
            + " in moto every %s and the API accepts only the newest key; refresh every %s%n",
        o.threads(),
        o.seconds(),
        o.rotateEvery(),
        o.refresh());
    List<Result> results = new ArrayList<>();
    try (MotoProcess moto = MotoProcess.start();
        SecretsManagerClient admin = client(moto, null);
        MockWebServer api = new MockWebServer()) {
      api.useHttps(serverTls.sslSocketFactory());
      api.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              served.incrementAndGet();
              String presented = request.getHeaders().get("x-api-key");
              return Objects.equals(accepted.get(), presented)
                  ? new MockResponse.Builder()
                      .code(200)
                      .setHeader("Content-Type", "application/json")
                      .body("{\"symbol\":\"BTC\",\"price\":\"97234.51\"}")
                      .build()
                  : new MockResponse.Builder()
                      .code(401)
                      .setHeader("Content-Type", "application/json")
                      .body("{\"error\":\"invalid api key\"}")
                      .build();
            }
          });
      api.start(InetAddress.getByName("127.0.0.1"), 0);
      String apiUrl = api.url("/v2/").toString();

      results.add(
          run(
              o,
              moto,
              admin,
              accepted,
              served,
              apiUrl,
              "KeyGuard (KeyGuardClient + KeyManager + AWS provider)",
              (name, client, url) -> keyGuard(o, name, client, url, okHttp)));
      results.add(
          run(
              o,
              moto,
              admin,
              accepted,
              served,
              apiUrl,
              "aws-secretsmanager-caching-java 2.1.1 + OkHttp",
              (name, client, url) -> cachingClient(o, name, client, url, okHttp)));
    }
    report(results);
  }

  private static Contender keyGuard(
      Options o, String name, SecretsManagerClient client, String url, OkHttpClient okHttp) {
    AwsSecretsManagerKeyProvider provider =
        AwsSecretsManagerKeyProvider.builder().client(client).build();
    KeyManager manager = KeyManager.builder().provider(provider).refreshAfter(o.refresh()).build();
    ManagedKey key = manager.key(name);
    key.awaitReady(Duration.ofSeconds(30));
    KeyGuardClient api =
        KeyGuardClient.builder()
            .baseUrl(url)
            .managedKey(key)
            .authScheme(AuthSchemes.header("x-api-key"))
            .retryOptions(RetryOptions.defaults())
            .okHttpClient(okHttp)
            .build();
    return new Contender() {
      @Override
      public void call() {
        api.get("price", Map.of("symbol", "BTC"), Map.class);
      }

      @Override
      public void close() {
        manager.close();
        provider.close();
      }
    };
  }

  private static Contender cachingClient(
      Options o, String name, SecretsManagerClient client, String url, OkHttpClient okHttp) {
    SecretCache cache =
        new SecretCache(
            new SecretCacheConfiguration()
                .withClient(client)
                .withCacheItemTTL(o.refresh().toMillis()));
    return new Contender() {
      @Override
      public void call() throws IOException {
        Request request =
            new Request.Builder()
                .url(url + "price?symbol=BTC")
                .header("x-api-key", cache.getSecretString(name))
                .build();
        try (Response response = okHttp.newCall(request).execute()) {
          if (!response.isSuccessful()) {
            throw new IOException("HTTP " + response.code());
          }
          response.body().string();
        }
      }

      @Override
      public void close() {
        cache.close();
      }
    };
  }

  private static SecretsManagerClient client(
      MotoProcess moto, AwsSecretsManagerComparison.@Nullable CallCounter counter) {
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

  private static String randomValue() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return "kg_" + HexFormat.of().formatHex(b);
  }

  private static Result run(
      Options o,
      MotoProcess moto,
      SecretsManagerClient admin,
      AtomicReference<String> accepted,
      AtomicInteger served,
      String apiUrl,
      String label,
      Factory factory)
      throws InterruptedException {
    String name = "bench/rotation-" + randomValue().substring(3, 11);
    String first = randomValue();
    admin.createSecret(r -> r.name(name).secretString(first));
    accepted.set(first);
    AwsSecretsManagerComparison.CallCounter counter = new AwsSecretsManagerComparison.CallCounter();
    try (SecretsManagerClient client = client(moto, counter);
        Contender contender = factory.create(name, client, apiUrl)) {
      for (int i = 0; i < 20; i++) { // warm-up: connections, TLS, JIT
        try {
          contender.call();
        } catch (IOException | RuntimeException e) {
          throw new IllegalStateException(label + ": a warm-up call failed", e);
        }
      }
      counter.calls.clear();
      int servedBefore = served.get();
      long start = System.nanoTime();
      long end = start + Duration.ofSeconds(o.seconds()).toNanos();
      long[][] latencies = new long[o.threads()][];
      int[] counts = new int[o.threads()];
      long[] failures = new long[o.threads()];
      CountDownLatch done = new CountDownLatch(o.threads());
      for (int t = 0; t < o.threads(); t++) {
        int id = t;
        latencies[t] = new long[(int) Math.min(5_000_000L, o.seconds() * 1_000L + 1_000)];
        Thread thread =
            new Thread(
                () -> {
                  long[] lat = latencies[id];
                  int n = 0;
                  try {
                    while (System.nanoTime() < end && n < lat.length) {
                      long t0 = System.nanoTime();
                      try {
                        contender.call();
                      } catch (IOException | RuntimeException e) {
                        failures[id]++;
                      }
                      lat[n++] = System.nanoTime() - t0;
                      LockSupport.parkNanos(1_000_000L); // one call per ms per thread at most
                    }
                  } finally {
                    counts[id] = n;
                    done.countDown();
                  }
                },
                "caller-" + t);
        thread.setDaemon(true);
        thread.start();
      }
      AtomicInteger rotations = new AtomicInteger();
      Thread rotator =
          new Thread(
              () -> {
                long next = start + o.rotateEvery().toNanos();
                while (next < end) {
                  LockSupport.parkNanos(next - System.nanoTime());
                  String value = randomValue();
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
                  admin.updateSecretVersionStage(
                      r ->
                          r.secretId(name)
                              .versionStage("AWSCURRENT")
                              .moveToVersionId(pending)
                              .removeFromVersionId(current));
                  admin.updateSecretVersionStage(
                      r ->
                          r.secretId(name).versionStage("AWSPENDING").removeFromVersionId(pending));
                  accepted.set(value); // the old key is revoked at once
                  rotations.incrementAndGet();
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
      long failed = 0;
      for (int t = 0; t < o.threads(); t++) {
        total += counts[t];
        failed += failures[t];
      }
      long[] all = new long[(int) total];
      int pos = 0;
      for (int t = 0; t < o.threads(); t++) {
        System.arraycopy(latencies[t], 0, all, pos, counts[t]);
        pos += counts[t];
      }
      Arrays.sort(all);
      long apiSaw = served.get() - servedBefore;
      return new Result(
          label,
          total,
          failed,
          Math.max(0, apiSaw - total),
          rotations.get(),
          counter.get("GetSecretValue") + counter.get("DescribeSecret"),
          percentile(all, 0.50),
          percentile(all, 0.99),
          seconds);
    }
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void report(List<Result> results) {
    System.out.println();
    System.out.println(
        "| contender | requests | failed in the application | retries | rotations | Secrets"
            + " Manager calls | p50 | p99 |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %,d | %,d | %,d | %d | %d | %.2f ms | %.2f ms |%n",
          r.name(),
          r.requests(),
          r.failed(),
          r.retries(),
          r.rotations(),
          r.backendCalls(),
          r.p50Ns() / 1e6,
          r.p99Ns() / 1e6);
    }
  }

  private static Options parse(String[] args) {
    int seconds = 60;
    int threads = 16;
    Duration refresh = Duration.ofSeconds(5);
    Duration rotateEvery = Duration.ofSeconds(10);
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--refresh" -> refresh = Duration.parse(v);
        case "--rotate-every" -> rotateEvery = Duration.parse(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    return new Options(seconds, threads, refresh, rotateEvery);
  }
}
