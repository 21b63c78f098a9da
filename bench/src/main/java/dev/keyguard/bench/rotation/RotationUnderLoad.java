package dev.keyguard.bench.rotation;

import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.client.RetryOptions;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.key.ManagedKey;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Load harness: rotation under load, for every backend. {@code --threads} threads call a local
 * HTTPS market-data API for {@code --seconds}; the API key lives in a secrets backend and is
 * rotated every {@code --rotate-every}; from each rotation on, the API accepts only the new key
 * (the old one is revoked at once, the hard case). For each backend of {@code --backend
 * aws|vault|azure|all}, each contender gets a fresh secret:
 *
 * <ul>
 *   <li><b>KeyGuard</b>: {@code KeyGuardClient} over a {@code KeyManager} over the backend's
 *       provider; a 401 makes it refresh once and retry once.
 *   <li>On AWS, <b>the AWS caching client</b> ({@code aws-secretsmanager-caching-java}) as the
 *       anchor: the application reads the key from the cache and calls the API with plain OkHttp; a
 *       rotated key fails until the cache's TTL runs out. Vault and Azure have no such client.
 * </ul>
 *
 * <p>The backends, and how their calls are counted (at the backend's wire, never inside KeyGuard):
 *
 * <ul>
 *   <li><b>aws</b> ({@link AwsBackend}): moto; {@code GetSecretValue} and {@code DescribeSecret}
 *       counted by an SDK {@code ExecutionInterceptor} on the contender's own client.
 *   <li><b>vault</b> ({@link VaultBackend}): a real OpenBao dev server over HTTPS; the KV v2 reads
 *       of the key's secret counted in OpenBao's file audit log.
 *   <li><b>azure</b> ({@link AzureBackend}): keyguard-azure's Key Vault emulator; the {@code GET}s
 *       of the key's secret counted by the emulator.
 * </ul>
 *
 * Every contender refreshes every {@code --refresh}. It prints, per contender: requests made by the
 * application, requests that failed in the application, retries (requests the API saw beyond the
 * application's), rotations, backend calls in the measured window, and the p50/p99 of the
 * application's call latency. Each thread makes at most one call per millisecond; 20 unmeasured
 * warm-up calls come first.
 *
 * <pre>
 * scripts/bench-rotation.sh   # provisions moto and OpenBao, builds bench, runs every backend
 * java -cp bench/target/benchmarks.jar dev.keyguard.bench.rotation.RotationUnderLoad \
 *     --backend all --seconds 45 --threads 16 --refresh PT5S --rotate-every PT8S
 * </pre>
 *
 * <p>The report is this tool's output, so it goes to standard output. No key value is printed.
 */
public final class RotationUnderLoad {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final List<String> BACKENDS = List.of("aws", "vault", "azure");
  private static final Map<String, String> PROVIDERS =
      Map.of(
          "aws", "AwsSecretsManagerKeyProvider",
          "vault", "VaultKeyProvider",
          "azure", "AzureKeyVaultKeyProvider");

  private RotationUnderLoad() {}

  record Options(
      List<String> backends, int seconds, int threads, Duration refresh, Duration rotateEvery) {}

  record Result(
      String backend,
      String name,
      long requests,
      long failed,
      long retries,
      int rotations,
      long backendCalls,
      long selfReportedFetches,
      long p50Ns,
      long p99Ns,
      double seconds,
      double loadBefore,
      double loadAfter) {}

  /**
   * Runs the scenario on the chosen backends.
   *
   * @param args {@code --backend all --seconds 45 --threads 16 --refresh PT5S --rotate-every PT8S}
   * @throws Exception if a backend or the API cannot be started
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
        "%s: %d threads calling a local HTTPS API for %d s per contender; the key is rotated"
            + " every %s and the API accepts only the newest key; refresh every %s; backends %s;"
            + " %d cores%n",
        Instant.now().truncatedTo(ChronoUnit.SECONDS),
        o.threads(),
        o.seconds(),
        o.rotateEvery(),
        o.refresh(),
        o.backends(),
        Runtime.getRuntime().availableProcessors());
    List<Result> results = new ArrayList<>();
    Map<String, String> counted = new LinkedHashMap<>();
    try (MockWebServer api = new MockWebServer()) {
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
      for (String name : o.backends()) {
        try (Backend backend = start(name)) {
          counted.put(backend.name(), backend.callsCounted());
          List<Backend.Anchor> contenders = new ArrayList<>();
          contenders.add(
              new Backend.Anchor(
                  "KeyGuard (KeyGuardClient + KeyManager + " + PROVIDERS.get(name) + ")",
                  (keyId, url, http, refresh) ->
                      keyGuard(backend.provider(keyId), keyId, url, http, refresh)));
          contenders.addAll(backend.anchors());
          for (Backend.Anchor contender : contenders) {
            Result r = run(o, backend, accepted, served, apiUrl, contender, okHttp);
            System.out.printf(
                Locale.ROOT,
                "%s / %s: %,d requests, %,d failed, %,d retries, %d rotations, %d backend calls%s"
                    + " (load average %.1f before, %.1f after)%n",
                r.backend(),
                r.name(),
                r.requests(),
                r.failed(),
                r.retries(),
                r.rotations(),
                r.backendCalls(),
                r.selfReportedFetches() < 0
                    ? ""
                    : " (KeyGuard's own count, KeyStatus.fetches: " + r.selfReportedFetches() + ")",
                r.loadBefore(),
                r.loadAfter());
            results.add(r);
          }
        }
      }
    }
    report(results, counted);
  }

  private static Backend start(String name) throws IOException, InterruptedException {
    return switch (name) {
      case "aws" -> AwsBackend.start();
      case "vault" -> VaultBackend.start();
      case "azure" -> AzureBackend.start();
      default -> throw new IllegalArgumentException("unknown backend " + name);
    };
  }

  private static Contender keyGuard(
      KeyProvider provider, String keyId, String url, OkHttpClient okHttp, Duration refresh) {
    KeyManager manager = KeyManager.builder().provider(provider).refreshAfter(refresh).build();
    ManagedKey key = manager.key(keyId);
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
      public long selfReportedFetches() {
        return manager.status().get(0).fetches();
      }

      @Override
      public void close() {
        manager.close();
        if (provider instanceof AutoCloseable closeable) {
          try {
            closeable.close();
          } catch (Exception e) {
            throw new IllegalStateException("could not close " + provider.name(), e);
          }
        }
      }
    };
  }

  /** A random API key value, {@code kg_} and 48 hex digits; never printed. */
  static String randomValue() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return "kg_" + HexFormat.of().formatHex(b);
  }

  private static Result run(
      Options o,
      Backend backend,
      AtomicReference<String> accepted,
      AtomicInteger served,
      String apiUrl,
      Backend.Anchor spec,
      OkHttpClient okHttp)
      throws InterruptedException {
    String label = spec.label();
    String first = randomValue();
    String keyId = backend.createKey(first);
    accepted.set(first);
    try (Contender contender = spec.factory().create(keyId, apiUrl, okHttp, o.refresh())) {
      for (int i = 0; i < 20; i++) { // warm-up: connections, TLS, JIT
        try {
          contender.call();
        } catch (IOException | RuntimeException e) {
          throw new IllegalStateException(
              backend.name() + " / " + label + ": a warm-up call failed", e);
        }
      }
      double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      long callsBefore = backend.backendCalls(keyId);
      long selfBefore = contender.selfReportedFetches();
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
      AtomicReference<RuntimeException> rotationFailure = new AtomicReference<>();
      Thread rotator =
          new Thread(
              () -> {
                long next = start + o.rotateEvery().toNanos();
                while (next < end) {
                  LockSupport.parkNanos(next - System.nanoTime());
                  String value = randomValue();
                  try {
                    backend.rotate(keyId, value);
                  } catch (RuntimeException e) {
                    rotationFailure.set(e);
                    return;
                  }
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
      if (rotationFailure.get() != null) {
        throw new IllegalStateException(
            backend.name() + " / " + label + ": a rotation failed", rotationFailure.get());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long calls = backend.backendCalls(keyId) - callsBefore;
      long self = selfBefore < 0 ? -1 : contender.selfReportedFetches() - selfBefore;
      long apiSaw = served.get() - servedBefore;
      double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
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
      return new Result(
          backend.name(),
          label,
          total,
          failed,
          Math.max(0, apiSaw - total),
          rotations.get(),
          calls,
          self,
          percentile(all, 0.50),
          percentile(all, 0.99),
          seconds,
          loadBefore,
          loadAfter);
    }
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void report(List<Result> results, Map<String, String> counted) {
    System.out.println();
    System.out.println(
        "| backend | contender | requests | failed in the application | retries | rotations |"
            + " backend calls | p50 | p99 |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %,d | %,d | %,d | %d | %d | %.2f ms | %.2f ms |%n",
          r.backend(),
          r.name(),
          r.requests(),
          r.failed(),
          r.retries(),
          r.rotations(),
          r.backendCalls(),
          r.p50Ns() / 1e6,
          r.p99Ns() / 1e6);
    }
    System.out.println();
    System.out.println("backend calls, per backend:");
    counted.forEach((backend, how) -> System.out.println("- " + backend + ": " + how));
  }

  private static Options parse(String[] args) {
    List<String> backends = BACKENDS;
    int seconds = 45;
    int threads = 16;
    Duration refresh = Duration.ofSeconds(5);
    Duration rotateEvery = Duration.ofSeconds(8);
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("options come in pairs: " + Arrays.toString(args));
    }
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--backend" -> backends = v.equals("all") ? BACKENDS : List.of(v.split(","));
        case "--seconds" -> seconds = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--refresh" -> refresh = Duration.parse(v);
        case "--rotate-every" -> rotateEvery = Duration.parse(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    for (String b : backends) {
      if (!BACKENDS.contains(b)) {
        throw new IllegalArgumentException(
            "unknown backend " + b + ": use aws, vault, azure (comma separated) or all");
      }
    }
    return new Options(backends, seconds, threads, refresh, rotateEvery);
  }
}
