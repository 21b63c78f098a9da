package dev.keyguard.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A local HTTPS market-data API for the demo: it requires an {@code x-api-key} header, accepts
 * exactly one key at a time (so a rotation makes the old key fail with 401), and serves prices.
 *
 * <p>Its certificate is generated at start for {@code localhost}/{@code 127.0.0.1}; {@link
 * #clientTrust()} returns the trust material that the demo client trusts explicitly. Nothing here
 * ever prints or logs the key it was given; it keeps only a SHA-256 of it.
 */
final class DemoMarketDataServer implements AutoCloseable {

  private static final Map<String, String> PRICES =
      Map.of("BTC", "97234.51", "ETH", "3412.07", "SOL", "187.33");

  private final HttpsServer server;
  private final ExecutorService executor;
  private final HeldCertificate root;
  private final AtomicReference<byte[]> acceptedKeyHash = new AtomicReference<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger rejected = new AtomicInteger();
  private final Map<String, Integer> headerNamesSeen = new ConcurrentHashMap<>();

  private DemoMarketDataServer(HttpsServer server, ExecutorService executor, HeldCertificate root) {
    this.server = server;
    this.executor = executor;
    this.root = root;
  }

  /**
   * Starts a server on a free loopback port.
   *
   * @param path the price endpoint, e.g. {@code /v2/price}
   * @return the running server
   */
  static DemoMarketDataServer start(String path) throws IOException {
    HeldCertificate root =
        new HeldCertificate.Builder().certificateAuthority(0).commonName("KeyGuard demo CA").build();
    HeldCertificate serverCertificate =
        new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .signedBy(root)
            .build();
    HandshakeCertificates serverTls =
        new HandshakeCertificates.Builder().heldCertificate(serverCertificate, root.certificate()).build();

    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls.sslContext()));
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "demo-market-data-server");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    DemoMarketDataServer demo = new DemoMarketDataServer(server, executor, root);
    server.createContext(path, demo::handlePrice);
    server.start();
    return demo;
  }

  /** From now on only this key is accepted (the previous one gets 401). */
  void acceptOnly(byte[] keyBytes) {
    acceptedKeyHash.set(sha256(keyBytes));
  }

  /** The trust material a client needs to trust this server's generated certificate. */
  HandshakeCertificates clientTrust() {
    return new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate()).build();
  }

  /** The https origin, e.g. {@code https://localhost:49152}. */
  String origin() {
    return "https://localhost:" + server.getAddress().getPort();
  }

  int requestCount() {
    return requests.get();
  }

  int rejectedCount() {
    return rejected.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handlePrice(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    exchange.getRequestHeaders().keySet().forEach(h -> headerNamesSeen.merge(h.toLowerCase(Locale.ROOT), 1, Integer::sum));
    List<String> keys = exchange.getRequestHeaders().getOrDefault("x-api-key", List.of());
    byte[] expected = acceptedKeyHash.get();
    boolean ok =
        keys.size() == 1
            && expected != null
            && MessageDigest.isEqual(expected, sha256(keys.get(0).getBytes(StandardCharsets.UTF_8)));
    if (!ok) {
      rejected.incrementAndGet();
      respond(exchange, 401, "{\"error\":\"invalid or missing API key\"}");
      return;
    }
    String query = exchange.getRequestURI().getRawQuery();
    String symbol = "BTC";
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("symbol=")) {
          symbol = pair.substring("symbol=".length()).toUpperCase(Locale.ROOT);
        }
      }
    }
    String price = PRICES.get(symbol);
    if (price == null) {
      respond(exchange, 404, "{\"error\":\"unknown symbol\"}");
      return;
    }
    respond(exchange, 200, "{\"symbol\":\"" + symbol + "\",\"priceUsd\":" + price + "}");
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
