package dev.keyguard.bench.e2e;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.key.ManagedKey;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * End-to-end overhead of {@link KeyGuardClient} against raw OkHttp + Jackson doing the same work,
 * against nginx over HTTPS on loopback: {@code --threads} threads (16) call in a closed loop; each
 * pair runs the raw leg and the KeyGuard leg for {@code --seconds} each, alternating which goes
 * first, so both see the same machine load. Per leg: requests per second, p50 / p99 latency,
 * process CPU and bytes allocated (by the calling threads, which do all the work of a synchronous
 * call over HTTP/1.1) per request. The summary gives, per scheme, the median over the pairs of the
 * KeyGuard/raw ratios, their range, and in how many pairs KeyGuard was slower.
 *
 * <pre>
 * bench/provision-nginx.sh
 * ./mvnw -q -pl bench -am package -Dquick -DskipTests
 * java -cp bench/target/benchmarks.jar dev.keyguard.bench.e2e.ClientOverhead --pairs 6 --seconds 3
 * </pre>
 *
 * <p>Options: {@code --schemes header,bearer,query,binance}, {@code --threads 16}, {@code --pairs
 * 6} (measured), {@code --warmup-pairs 2}, {@code --seconds 3} (per leg), {@code --nginx-workers
 * 1}. The report is this tool's output, so it goes to standard output.
 */
public final class ClientOverhead {

  /** The response body as both contenders decode it. */
  public record Price(String symbol, String price, long ts) {}

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private ClientOverhead() {}

  /** One way of making the call. */
  interface Contender {
    void call() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    int threads = Integer.parseInt(opt.getOrDefault("threads", "16"));
    int pairs = Integer.parseInt(opt.getOrDefault("pairs", "6"));
    int warmupPairs = Integer.parseInt(opt.getOrDefault("warmup-pairs", "2"));
    double seconds = Double.parseDouble(opt.getOrDefault("seconds", "3"));
    int workers = Integer.parseInt(opt.getOrDefault("nginx-workers", "1"));
    List<String> schemes =
        List.of(opt.getOrDefault("schemes", "header,bearer,query,binance").split(","));
    Path tools = Path.of(opt.getOrDefault("tools", ".tools/nginx")).toAbsolutePath();

    SecureRandom random = new SecureRandom();
    String apiKey = HexFormat.of().formatHex(random.generateSeed(32));
    String apiSecret = HexFormat.of().formatHex(random.generateSeed(32));

    try (NginxProcess nginx = NginxProcess.start(tools, workers)) {
      HttpUrl base = HttpUrl.get("https://localhost:" + nginx.port() + "/");
      OkHttpClient raw = rawClient(nginx.certificate());
      KeyProvider provider =
          new KeyProvider() {
            @Override
            public VersionedCredential fetch(KeyId keyId) {
              return VersionedCredential.builder(keyId, Secret.of(apiKey))
                  .apiSecret(Secret.of(apiSecret))
                  .version("1")
                  .build();
            }

            @Override
            public String name() {
              return "bench-static";
            }
          };
      try (KeyManager keys = KeyManager.builder().provider(provider).build()) {
        ManagedKey key = keys.key(KeyId.of("bench"));
        key.awaitReady(Duration.ofSeconds(10));
        HttpsPolicy policy = HttpsPolicy.builder().trustCertificates(nginx.certificate()).build();
        System.out.printf(
            Locale.ROOT,
            "KeyGuardClient vs raw OkHttp + Jackson, nginx %s on loopback (HTTPS, %d worker),"
                + " %d threads, %d measured pairs (+%d warm-up) of %.1f s legs; %s, %d CPUs,"
                + " JDK %s, load average %.1f%n",
            "1.22.1",
            workers,
            threads,
            pairs,
            warmupPairs,
            seconds,
            Instant.now(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            OS.getSystemLoadAverage());
        Runner runner = new Runner(threads);
        List<String> summary = new ArrayList<>();
        for (String scheme : schemes) {
          Contender[] pair = contenders(scheme, base, raw, key, policy, apiKey, apiSecret);
          summary.add(runPairs(runner, scheme, pair[0], pair[1], pairs, warmupPairs, seconds));
        }
        runner.stop();
        System.out.println();
        System.out.println(
            "| scheme | throughput KeyGuard/raw, median (range) | slower in | p50 ratio | p99 ratio"
                + " | process CPU/request raw → KeyGuard | callers' CPU/request raw → KeyGuard"
                + " (median ratio) | allocation/request raw → KeyGuard |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        summary.forEach(System.out::println);
      }
    }
  }

  private static Contender[] contenders(
      String scheme,
      HttpUrl base,
      OkHttpClient raw,
      ManagedKey key,
      HttpsPolicy policy,
      String apiKey,
      String apiSecret) {
    Map<String, String> query = Map.of("symbol", "BTCUSDT");
    AuthScheme auth;
    Contender rawCall;
    String path;
    switch (scheme) {
      case "header" -> {
        auth = AuthSchemes.header("X-API-KEY");
        path = "/v2/price";
        rawCall =
            () -> rawGet(raw, base, "v2/price", r -> r.header("X-API-KEY", apiKey), query, null);
      }
      case "bearer" -> {
        auth = AuthSchemes.bearer();
        path = "/v2/price";
        rawCall =
            () ->
                rawGet(
                    raw,
                    base,
                    "v2/price",
                    r -> r.header("Authorization", "Bearer " + apiKey),
                    query,
                    null);
      }
      case "query" -> {
        auth = AuthSchemes.queryParameter("apikey");
        path = "/v2/price";
        rawCall = () -> rawGet(raw, base, "v2/price", r -> r, query, apiKey);
      }
      case "binance" -> {
        auth = AuthSchemes.binanceHmac();
        path = "/api/v3/account";
        byte[] secret = apiSecret.getBytes(StandardCharsets.UTF_8);
        rawCall = () -> rawBinance(raw, base, apiKey, secret);
      }
      default -> throw new IllegalArgumentException("unknown scheme " + scheme);
    }
    KeyGuardClient client =
        KeyGuardClient.builder()
            .baseUrl(base)
            .managedKey(key)
            .authScheme(auth)
            .httpsPolicy(policy)
            .objectMapper(MAPPER)
            .build();
    Contender keyguard =
        scheme.equals("binance")
            ? () -> check(client.get(path, Price.class))
            : () -> check(client.get(path, query, Price.class));
    return new Contender[] {rawCall, keyguard};
  }

  private static void check(@Nullable Price p) {
    if (p == null || p.ts() != 1700000000000L) {
      throw new IllegalStateException("unexpected body");
    }
  }

  interface Headers {
    Request.Builder add(Request.Builder b);
  }

  /** What an application writes with OkHttp and Jackson alone. */
  private static void rawGet(
      OkHttpClient client,
      HttpUrl base,
      String path,
      Headers headers,
      Map<String, String> query,
      @Nullable String apiKeyParam)
      throws Exception {
    HttpUrl.Builder url = base.newBuilder().addPathSegments(path);
    query.forEach(url::addQueryParameter);
    if (apiKeyParam != null) {
      url.addQueryParameter("apikey", apiKeyParam);
    }
    Request request =
        headers
            .add(new Request.Builder().url(url.build()).header("Accept", "application/json"))
            .build();
    try (Response response = client.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IllegalStateException("HTTP " + response.code());
      }
      check(MAPPER.readValue(response.body().bytes(), Price.class));
    }
  }

  /** Binance's SIGNED request written by hand: timestamp, HMAC-SHA256 of the query, hex. */
  private static void rawBinance(OkHttpClient client, HttpUrl base, String apiKey, byte[] secret)
      throws Exception {
    String query = "timestamp=" + System.currentTimeMillis();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    String signature =
        HexFormat.of().formatHex(mac.doFinal(query.getBytes(StandardCharsets.US_ASCII)));
    HttpUrl url =
        base.newBuilder()
            .addPathSegments("api/v3/account")
            .encodedQuery(query + "&signature=" + signature)
            .build();
    Request request =
        new Request.Builder()
            .url(url)
            .header("Accept", "application/json")
            .header("X-MBX-APIKEY", apiKey)
            .build();
    try (Response response = client.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IllegalStateException("HTTP " + response.code());
      }
      check(MAPPER.readValue(response.body().bytes(), Price.class));
    }
  }

  private static OkHttpClient rawClient(Path certificate) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    X509Certificate cert =
        (X509Certificate)
            cf.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate)));
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("nginx", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
    return new OkHttpClient.Builder().sslSocketFactory(ssl.getSocketFactory(), tm).build();
  }

  // ------------------------------------------------------------------ measurement

  /** One leg's figures. */
  record Leg(
      double rps,
      double p50us,
      double p99us,
      double cpuUsPerReq,
      double callerCpuUsPerReq,
      double bytesPerReq) {}

  private static String runPairs(
      Runner runner,
      String scheme,
      Contender raw,
      Contender keyguard,
      int pairs,
      int warmupPairs,
      double seconds)
      throws Exception {
    List<double[]> ratios = new ArrayList<>();
    List<Leg> raws = new ArrayList<>();
    List<Leg> kgs = new ArrayList<>();
    String only = System.getProperty("only", ""); // "raw" or "keyguard": one contender (profiling)
    if (!only.isEmpty()) {
      raw = only.equals("raw") ? raw : keyguard;
      keyguard = raw;
    }
    for (int i = -warmupPairs; i < pairs; i++) {
      boolean rawFirst = (i & 1) == 0;
      Leg a = runner.leg(rawFirst ? raw : keyguard, seconds);
      Leg b = runner.leg(rawFirst ? keyguard : raw, seconds);
      Leg r = rawFirst ? a : b;
      Leg k = rawFirst ? b : a;
      System.out.printf(
          Locale.ROOT,
          "%-8s %s pair %2d: raw %8.0f req/s p50 %6.0f µs p99 %6.0f µs CPU %5.1f µs (callers"
              + " %5.1f) %6.0f B | keyguard %8.0f req/s p50 %6.0f µs p99 %6.0f µs CPU %5.1f µs"
              + " (callers %5.1f) %6.0f B | ratio %.3f%n",
          scheme,
          i < 0 ? "warm-up" : "       ",
          i,
          r.rps,
          r.p50us,
          r.p99us,
          r.cpuUsPerReq,
          r.callerCpuUsPerReq,
          r.bytesPerReq,
          k.rps,
          k.p50us,
          k.p99us,
          k.cpuUsPerReq,
          k.callerCpuUsPerReq,
          k.bytesPerReq,
          k.rps / r.rps);
      if (i >= 0) {
        raws.add(r);
        kgs.add(k);
        ratios.add(
            new double[] {
              k.rps / r.rps,
              k.p50us / r.p50us,
              k.p99us / r.p99us,
              k.callerCpuUsPerReq / r.callerCpuUsPerReq
            });
      }
    }
    double[] tput = ratios.stream().mapToDouble(x -> x[0]).sorted().toArray();
    long slower = Arrays.stream(tput).filter(x -> x < 1).count();
    return String.format(
        Locale.ROOT,
        "| %s | %.3f× (%.3f–%.3f) | %d of %d | %.3f× | %.3f× | %.1f → %.1f µs | %.1f → %.1f µs"
            + " (%.3f×) | %.0f → %.0f B (%+.0f B) |",
        scheme,
        median(tput),
        tput[0],
        tput[tput.length - 1],
        slower,
        tput.length,
        median(ratios.stream().mapToDouble(x -> x[1]).sorted().toArray()),
        median(ratios.stream().mapToDouble(x -> x[2]).sorted().toArray()),
        median(raws.stream().mapToDouble(Leg::cpuUsPerReq).sorted().toArray()),
        median(kgs.stream().mapToDouble(Leg::cpuUsPerReq).sorted().toArray()),
        median(raws.stream().mapToDouble(Leg::callerCpuUsPerReq).sorted().toArray()),
        median(kgs.stream().mapToDouble(Leg::callerCpuUsPerReq).sorted().toArray()),
        median(ratios.stream().mapToDouble(x -> x[3]).sorted().toArray()),
        median(raws.stream().mapToDouble(Leg::bytesPerReq).sorted().toArray()),
        median(kgs.stream().mapToDouble(Leg::bytesPerReq).sorted().toArray()),
        median(kgs.stream().mapToDouble(Leg::bytesPerReq).sorted().toArray())
            - median(raws.stream().mapToDouble(Leg::bytesPerReq).sorted().toArray()));
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      out.put(args[i].substring(2), args[i + 1]);
    }
    return out;
  }

  /** A fixed set of threads that run one leg at a time, so thread ids (allocation) stay put. */
  static final class Runner {
    private final Thread[] threads;
    private final long[] ids;
    private final long[][] latencies;
    private final int[] counts;
    private final CyclicBarrier start;
    private final CyclicBarrier end;
    private final AtomicLong errors = new AtomicLong();
    private volatile @Nullable Contender contender; // set before each round starts
    private volatile long deadline;
    private volatile boolean stopped;

    Runner(int n) {
      threads = new Thread[n];
      ids = new long[n];
      latencies = new long[n][1 << 20];
      counts = new int[n];
      start = new CyclicBarrier(n + 1);
      end = new CyclicBarrier(n + 1);
      for (int t = 0; t < n; t++) {
        int me = t;
        threads[t] = new Thread(() -> work(me), "bench-caller-" + t);
        threads[t].setDaemon(true);
        threads[t].start();
        ids[t] = threads[t].getId();
      }
    }

    private void work(int me) {
      try {
        while (true) {
          start.await();
          if (stopped) {
            return;
          }
          Contender c = contender;
          if (c == null) {
            throw new IllegalStateException("a round starts only once its contender is set");
          }
          long[] lat = latencies[me];
          int n = 0;
          long until = deadline;
          while (true) {
            long t0 = System.nanoTime();
            if (t0 >= until) {
              break;
            }
            try {
              c.call();
            } catch (Exception e) {
              errors.incrementAndGet();
            }
            if (n < lat.length) {
              lat[n++] = System.nanoTime() - t0;
            }
          }
          counts[me] = n;
          end.await();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    Leg leg(Contender c, double seconds) throws Exception {
      contender = c;
      long errorsBefore = errors.get();
      long[] allocBefore = THREADS.getThreadAllocatedBytes(ids);
      long callerCpuBefore = callerCpu();
      long cpuBefore = OS.getProcessCpuTime();
      long t0 = System.nanoTime();
      deadline = t0 + (long) (seconds * 1e9);
      start.await();
      end.await();
      long elapsed = System.nanoTime() - t0;
      long cpu = OS.getProcessCpuTime() - cpuBefore;
      long callerCpu = callerCpu() - callerCpuBefore;
      long[] allocAfter = THREADS.getThreadAllocatedBytes(ids);
      long alloc = 0;
      int total = 0;
      for (int t = 0; t < ids.length; t++) {
        alloc += allocAfter[t] - allocBefore[t];
        total += counts[t];
      }
      long[] all = new long[total];
      int at = 0;
      for (int t = 0; t < ids.length; t++) {
        System.arraycopy(latencies[t], 0, all, at, counts[t]);
        at += counts[t];
      }
      Arrays.sort(all);
      if (errors.get() != errorsBefore) {
        throw new IllegalStateException((errors.get() - errorsBefore) + " failed requests");
      }
      return new Leg(
          total / (elapsed / 1e9),
          all[(int) (all.length * 0.50)] / 1e3,
          all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e3,
          cpu / 1e3 / total,
          callerCpu / 1e3 / total,
          (double) alloc / total);
    }

    /** CPU time of the calling threads: the work of the calls, not GC, JIT or other processes. */
    private long callerCpu() {
      long sum = 0;
      for (long id : ids) {
        sum += THREADS.getThreadCpuTime(id);
      }
      return sum;
    }

    void stop() throws Exception {
      stopped = true;
      start.await();
    }
  }
}
