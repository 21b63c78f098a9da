package dev.keyguard.bench;

import com.sun.net.httpserver.HttpServer;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.client.RateLimitHeadroom;
import dev.keyguard.client.UsageOptions;
import dev.keyguard.key.ManagedKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The usage monitor's cost per request: the same client with the monitor on ({@link
 * UsageOptions#defaults()}, two declared route templates, a headroom header read) and off ({@link
 * UsageOptions#disabled()}), run side by side in one JMH run.
 *
 * <ul>
 *   <li>{@code inProcess}: the API is an interceptor at the end of the chain that answers at once,
 *       so the figure is the whole KeyGuard chain without any network: the worst case for the
 *       monitor's share.
 *   <li>{@code loopback}: a real HTTP/1.1 round trip to a JDK {@code HttpServer} on 127.0.0.1
 *       (cleartext, allowed for loopback only), the nearest a benchmark gets to a real API call.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class UsageMonitorBenchmark {

  private static final byte[] BODY =
      "{\"bitcoin\":{\"usd\":97000.5}}".getBytes(StandardCharsets.UTF_8);

  /** {@code on}: the default monitor; {@code off}: no monitor. */
  @Param({"off", "on"})
  public String monitor;

  private KeyGuardClient inProcess;
  private KeyGuardClient loopback;
  private HttpServer server;
  private ExecutorService serverThreads;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    byte[] raw = new byte[30];
    new SecureRandom().nextBytes(raw);
    VersionedCredential credential =
        VersionedCredential.builder(
                KeyId.of("bench"),
                Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(raw)))
            .version("1")
            .build();
    ManagedKey key = new FixedKey(credential);
    UsageOptions options =
        "on".equals(monitor)
            ? UsageOptions.builder()
                .routes("GET /simple/price", "GET /coins/{id}")
                .headroom(RateLimitHeadroom.remaining("x-ratelimit-remaining", 30))
                .build()
            : UsageOptions.disabled();
    MediaType json = MediaType.get("application/json");
    inProcess =
        KeyGuardClient.builder()
            .baseUrl("https://api.example.test/api/v3")
            .managedKey(key)
            .authScheme(AuthSchemes.header("x-api-key"))
            .usageOptions(options)
            .loggingInterceptor(
                chain ->
                    new Response.Builder()
                        .request(chain.request())
                        .protocol(Protocol.HTTP_1_1)
                        .code(200)
                        .message("OK")
                        .header("x-ratelimit-remaining", "29")
                        .body(ResponseBody.create(BODY, json))
                        .build())
            .build();

    // without it the JDK server's small writes meet delayed ACKs: ~40 ms per loopback request
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext(
        "/",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.getResponseHeaders().add("x-ratelimit-remaining", "29");
          exchange.sendResponseHeaders(200, BODY.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(BODY);
          }
        });
    serverThreads =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "bench-api");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(serverThreads);
    server.start();
    loopback =
        KeyGuardClient.builder()
            .baseUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v3")
            .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
            .managedKey(key)
            .authScheme(AuthSchemes.header("x-api-key"))
            .usageOptions(options)
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.stop(0);
    serverThreads.shutdownNow();
    loopback.okHttpClient().connectionPool().evictAll();
  }

  @Benchmark
  public @Nullable String inProcess() {
    return inProcess.get("/simple/price", String.class);
  }

  @Benchmark
  public @Nullable String loopback() {
    return loopback.get("/simple/price", String.class);
  }

  /** A key that always serves one credential. */
  private static final class FixedKey implements ManagedKey {
    private final VersionedCredential credential;

    FixedKey(VersionedCredential credential) {
      this.credential = credential;
    }

    @Override
    public KeyId keyId() {
      return credential.keyId();
    }

    @Override
    public VersionedCredential current() {
      return credential;
    }

    @Override
    public Optional<VersionedCredential> rejected(VersionedCredential rejected) {
      return Optional.empty();
    }

    @Override
    public void accepted(VersionedCredential accepted) {}
  }
}
