package dev.keyguard.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;

/**
 * A second local HTTPS server, on another origin ({@code https://127.0.0.1:<port>}, where the
 * market-data API is {@code https://localhost:<port>}): a "mirror" that serves a price to anyone
 * and records everything it receives, so the demo can show what a redirect carried to it. It keeps
 * what it receives in memory only and prints nothing.
 */
final class OtherOriginServer implements AutoCloseable {

  /** One request as received: the raw URI (path and query) and every header, names lower-cased. */
  record Received(String rawUri, Map<String, List<String>> headers) {}

  private final HttpsServer server;
  private final ExecutorService executor;
  private final List<Received> received = new ArrayList<>();

  private OtherOriginServer(HttpsServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts the server on a free loopback port.
   *
   * @param certificates the TLS material (the same demo authority as the market-data API)
   * @return the running server
   */
  static OtherOriginServer start(DemoCertificates certificates) throws IOException {
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(certificates.serverContext()));
    ExecutorService executor = DemoServers.executor("demo-other-origin-server");
    server.setExecutor(executor);
    OtherOriginServer other = new OtherOriginServer(server, executor);
    server.createContext("/", other::handle);
    server.start();
    return other;
  }

  /** The https origin, e.g. {@code https://127.0.0.1:49153}. */
  String origin() {
    return "https://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request received so far, in order. */
  synchronized List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, List<String>> headers = new TreeMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
      String query = exchange.getRequestURI().getRawQuery();
      String uri = exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
      synchronized (this) {
        received.add(new Received(uri, Collections.unmodifiableMap(headers)));
      }
      String symbol =
          DemoServers.queryParameter(exchange, "symbol", "BTC").toUpperCase(Locale.ROOT);
      DemoServers.json(
              200,
              "{\"symbol\":\""
                  + (symbol.matches("[A-Z]{1,10}") ? symbol : "?")
                  + "\",\"priceUsd\":97234.51,\"source\":\"mirror\"}")
          .send(exchange);
    }
  }
}
