package dev.keyguard.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.keyguard.Secret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A local HTTPS market-data API for the demo. It requires an {@code x-api-key} header and accepts
 * exactly one key at a time, so a rotation makes the old key fail with 401. Endpoints under the
 * base path (say {@code /v2}):
 *
 * <ul>
 *   <li>{@code /price?symbol=BTC}: a price;
 *   <li>{@code /moved?symbol=BTC}: 302 to the URL set with {@link #movedTo(String)} (another
 *       origin, in the demo);
 *   <li>{@code /legacy-price}: 301 to the plain-http URL set with {@link #legacyTo(String)}.
 * </ul>
 *
 * <p>Every endpoint checks the key first, and every answer carries {@code X-RateLimit-Limit} and
 * {@code X-RateLimit-Remaining} headers (a count, never reset: the demo runs for a second). The
 * server keeps only a SHA-256 of the key it accepts, and logs each attempt by the fingerprint of
 * the key presented ({@link Secret#fingerprint()} format), never the key.
 */
final class DemoMarketDataServer implements AutoCloseable {

  private static final Map<String, String> PRICES =
      Map.of("BTC", "97234.51", "ETH", "3412.07", "SOL", "187.33");

  /** Requests a client may make per minute, as announced in the rate-limit headers. */
  private static final int RATE_LIMIT = 30;

  /** One request as the server saw it: path, the fingerprint of the key presented, the status. */
  record Attempt(String path, String keyFingerprint, int status) {}

  private final HttpsServer server;
  private final ExecutorService executor;
  private final String basePath;
  private final AtomicReference<byte[]> acceptedKeyHash = new AtomicReference<>();
  private final AtomicReference<String> movedTo = new AtomicReference<>();
  private final AtomicReference<String> legacyTo = new AtomicReference<>();
  private final List<Attempt> attempts = new ArrayList<>();
  private final AtomicInteger requestsThisMinute = new AtomicInteger();

  private DemoMarketDataServer(HttpsServer server, ExecutorService executor, String basePath) {
    this.server = server;
    this.executor = executor;
    this.basePath = basePath;
  }

  /**
   * Starts a server on a free loopback port.
   *
   * @param certificates the TLS material
   * @param basePath the API's base path, such as {@code /v2}
   * @return the running server
   */
  static DemoMarketDataServer start(DemoCertificates certificates, String basePath)
      throws IOException {
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(certificates.serverContext()));
    ExecutorService executor = DemoServers.executor("demo-market-data-server");
    server.setExecutor(executor);
    DemoMarketDataServer demo = new DemoMarketDataServer(server, executor, basePath);
    server.createContext(basePath + "/", demo::handle);
    server.start();
    return demo;
  }

  /** From now on only this key is accepted (the previous one gets 401). */
  void acceptOnly(byte[] keyBytes) {
    acceptedKeyHash.set(sha256(keyBytes));
  }

  /** Where {@code /moved} redirects to. */
  void movedTo(String url) {
    movedTo.set(url);
  }

  /** Where {@code /legacy-price} redirects to. */
  void legacyTo(String url) {
    legacyTo.set(url);
  }

  /** The https origin, e.g. {@code https://localhost:49152}. */
  String origin() {
    return "https://localhost:" + server.getAddress().getPort();
  }

  /** Every request received so far, in order. */
  synchronized List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      List<String> keys = exchange.getRequestHeaders().getOrDefault("x-api-key", List.of());
      String presented = keys.isEmpty() ? "none" : Secret.of(keys.get(0)).fingerprint();
      byte[] expected = acceptedKeyHash.get();
      boolean ok =
          keys.size() == 1
              && expected != null
              && MessageDigest.isEqual(
                  expected, sha256(keys.get(0).getBytes(StandardCharsets.UTF_8)));
      DemoServers.Reply reply;
      if (!ok) {
        reply = DemoServers.json(401, "{\"error\":\"invalid or missing API key\"}");
      } else if (path.equals(basePath + "/price")) {
        String symbol =
            DemoServers.queryParameter(exchange, "symbol", "BTC").toUpperCase(Locale.ROOT);
        String price = PRICES.get(symbol);
        reply =
            price == null
                ? DemoServers.json(404, "{\"error\":\"unknown symbol\"}")
                : DemoServers.json(
                    200, "{\"symbol\":\"" + symbol + "\",\"priceUsd\":" + price + "}");
      } else if (path.equals(basePath + "/moved") && movedTo.get() != null) {
        reply = DemoServers.redirect(302, movedTo.get());
      } else if (path.equals(basePath + "/legacy-price") && legacyTo.get() != null) {
        reply = DemoServers.redirect(301, legacyTo.get());
      } else {
        reply = DemoServers.json(404, "{\"error\":\"no such endpoint\"}");
      }
      int used = requestsThisMinute.incrementAndGet();
      reply =
          reply
              .withHeader("X-RateLimit-Limit", String.valueOf(RATE_LIMIT))
              .withHeader("X-RateLimit-Remaining", String.valueOf(Math.max(0, RATE_LIMIT - used)));
      // recorded before the reply is sent, so the client never sees a reply not yet recorded
      synchronized (this) {
        attempts.add(new Attempt(path, presented, reply.status()));
      }
      reply.send(exchange);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
