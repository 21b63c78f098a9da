package dev.keyguard.bench.e2e;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.client.KeyRejectedException;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.key.ManagedKey;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Rotation under load: {@code --threads} threads call a {@link KeyGuardClient} in a closed loop
 * while the key rotates, in three scenarios, and the harness counts what happened: requests the API
 * answered 200 and 401, calls that failed at the client (sent and rejected, or failed fast without
 * being sent), {@code KeyRejected} events, store calls, and when the new version first succeeded.
 *
 * <ul>
 *   <li><b>hard cut</b>: at 2 s the store gets version 2 and the API accepts only version 2;
 *   <li><b>grace window</b>: at 2 s the store gets version 2, the API accepts both until 4 s, then
 *       only version 2;
 *   <li><b>API before store</b>: at 2 s the API accepts only version 2, which reaches the store at
 *       3 s (the propagation lag of issue 14).
 * </ul>
 *
 * <p>The API is the JDK's {@code HttpsServer} on loopback, not nginx: it must switch the keys it
 * accepts at given instants, which a static server cannot do; throughput is not the point here.
 * Background refresh is every 30 s, so only the rejection path finds version 2 within a scenario.
 *
 * <pre>
 * bench/provision-nginx.sh    # for its TLS certificate
 * java -cp bench/target/benchmarks.jar dev.keyguard.bench.e2e.RotationUnderLoad --seconds 8
 * </pre>
 */
public final class RotationUnderLoad {

  private RotationUnderLoad() {}

  public static void main(String[] args) throws Exception {
    int threads = 8;
    double seconds = 8;
    Path tls = Path.of(".tools/nginx/tls").toAbsolutePath();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
        case "--tls" -> tls = Path.of(args[i + 1]).toAbsolutePath();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "Rotation under load: %d threads, %.0f s per scenario, %d CPUs, JDK %s%n%n",
        threads,
        seconds,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    System.out.println(
        "| scenario | API 200 | API 401 | failed, sent | failed fast, not sent | KeyRejected events"
            + " | store calls | first success with v2 after it was in store and API |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (String scenario : List.of("hard cut", "grace window", "API before store")) {
      run(scenario, threads, seconds, tls);
    }
  }

  private static void run(String scenario, int threads, double seconds, Path tls) throws Exception {
    SecureRandom random = new SecureRandom();
    String k1 = HexFormat.of().formatHex(random.generateSeed(24));
    String k2 = HexFormat.of().formatHex(random.generateSeed(24));
    AtomicReference<Set<String>> accepted = new AtomicReference<>(Set.of(k1));
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger unauthorized = new AtomicInteger();
    AtomicLong firstV2Nanos = new AtomicLong(Long.MAX_VALUE);

    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls(tls)));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    server.setExecutor(pool);
    byte[] body = NginxProcess.BODY.getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/",
        exchange -> {
          String key = exchange.getRequestHeaders().getFirst("X-API-KEY");
          Set<String> keys = accepted.get();
          boolean good = key != null && keys != null && keys.contains(key);
          if (good) {
            ok.incrementAndGet();
            if (key.equals(k2)) {
              firstV2Nanos.accumulateAndGet(System.nanoTime(), Math::min);
            }
          } else {
            unauthorized.incrementAndGet();
          }
          byte[] out = good ? body : "{\"error\":\"invalid key\"}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(good ? 200 : 401, out.length);
          try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
          }
        });
    server.start();

    AtomicReference<String[]> store = new AtomicReference<>(new String[] {"1", k1});
    AtomicInteger storeCalls = new AtomicInteger();
    KeyProvider provider =
        new KeyProvider() {
          @Override
          public VersionedCredential fetch(KeyId keyId) {
            storeCalls.incrementAndGet();
            String[] v = store.get();
            if (v == null) {
              throw new IllegalStateException("the store always holds a version");
            }
            return VersionedCredential.builder(keyId, Secret.of(v[1])).version(v[0]).build();
          }

          @Override
          public List<VersionedCredential> fetchAlternates(KeyId keyId) {
            storeCalls.incrementAndGet();
            return List.of();
          }
        };
    AtomicInteger rejectedEvents = new AtomicInteger();
    try (KeyManager keys =
        KeyManager.builder()
            .provider(provider)
            .refreshAfter(Duration.ofSeconds(30))
            .listener(
                e -> {
                  if (e instanceof KeyEvent.KeyRejected) {
                    rejectedEvents.incrementAndGet();
                  }
                })
            .build()) {
      ManagedKey key = keys.key(KeyId.of("rotating"));
      key.awaitReady(Duration.ofSeconds(10));
      int storeCallsAtStart = storeCalls.get();
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl("https://localhost:" + server.getAddress().getPort() + "/")
              .managedKey(key)
              .authScheme(AuthSchemes.header("X-API-KEY"))
              .httpsPolicy(HttpsPolicy.builder().trustCertificates(tls.resolve("cert.pem")).build())
              .build();
      AtomicInteger failedSent = new AtomicInteger();
      AtomicInteger failedFast = new AtomicInteger();
      AtomicInteger otherFailures = new AtomicInteger();
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      long at2 = start + 2_000_000_000L;
      long at3 = start + 3_000_000_000L;
      long at4 = start + 4_000_000_000L;
      long[] bothHaveV2 = {Long.MAX_VALUE};
      Thread[] callers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        callers[t] =
            new Thread(
                () -> {
                  while (System.nanoTime() < end) {
                    try {
                      client.get("/v2/price", Map.of(), ClientOverhead.Price.class);
                    } catch (KeyRejectedException e) {
                      (String.valueOf(e.getMessage()).startsWith("Not sent")
                              ? failedFast
                              : failedSent)
                          .incrementAndGet();
                    } catch (RuntimeException e) {
                      otherFailures.incrementAndGet();
                    }
                  }
                });
        callers[t].start();
      }
      // the rotation timeline, on this thread
      switch (scenario) {
        case "hard cut" -> {
          sleepUntil(at2);
          store.set(new String[] {"2", k2});
          accepted.set(Set.of(k2));
          bothHaveV2[0] = System.nanoTime();
        }
        case "grace window" -> {
          sleepUntil(at2);
          store.set(new String[] {"2", k2});
          accepted.set(Set.of(k1, k2));
          bothHaveV2[0] = System.nanoTime();
          sleepUntil(at4);
          accepted.set(Set.of(k2));
        }
        default -> {
          sleepUntil(at2);
          accepted.set(Set.of(k2));
          sleepUntil(at3);
          store.set(new String[] {"2", k2});
          bothHaveV2[0] = System.nanoTime();
        }
      }
      for (Thread c : callers) {
        c.join();
      }
      long first = firstV2Nanos.get();
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %d | %d | %d | %d | %s |%n",
          scenario,
          ok.get(),
          unauthorized.get(),
          failedSent.get(),
          failedFast.get(),
          rejectedEvents.get(),
          storeCalls.get() - storeCallsAtStart,
          first == Long.MAX_VALUE
              ? "never (the refresh at 30 s would)"
              : String.format(Locale.ROOT, "%.0f ms", (first - bothHaveV2[0]) / 1e6));
      if (otherFailures.get() > 0) {
        System.out.println("  (" + otherFailures.get() + " other failures)");
      }
    } finally {
      server.stop(0);
      pool.shutdownNow();
    }
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, left / 1_000_000));
    }
  }

  /** The server side of the nginx certificate (PKCS#8 EC key and X.509 certificate, PEM). */
  private static SSLContext serverTls(Path tls) throws Exception {
    Certificate cert =
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(Files.readAllBytes(tls.resolve("cert.pem"))));
    String pem = Files.readString(tls.resolve("key.pem"));
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PrivateKey key =
        KeyFactory.getInstance("EC")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] password = "bench".toCharArray();
    ks.setKeyEntry("server", key, password, new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    return ssl;
  }
}
