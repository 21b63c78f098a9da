package dev.keyguard.examples;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/** Small helpers shared by the demo's HTTPS servers. */
final class DemoServers {

  private DemoServers() {}

  /** A response decided before it is sent. */
  record Reply(int status, @Nullable String location, byte[] body, Map<String, String> headers) {

    Reply {
      headers = Map.copyOf(headers);
    }

    /** The same reply with one more response header. */
    Reply withHeader(String name, String value) {
      Map<String, String> more = new java.util.LinkedHashMap<>(headers);
      more.put(name, value);
      return new Reply(status, location, body, more);
    }

    void send(HttpExchange exchange) throws IOException {
      headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      if (location != null) {
        exchange.getResponseHeaders().set("Location", location);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  static Reply json(int status, String json) {
    return new Reply(status, null, json.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  static Reply redirect(int status, String location) {
    return new Reply(status, location, new byte[0], Map.of());
  }

  /** The first value of a query parameter, decoded, or the default. */
  static String queryParameter(HttpExchange exchange, String name, String defaultValue) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        if (key.equals(name)) {
          return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
    }
    return defaultValue;
  }

  /** Two daemon threads: the demo never waits on its servers to exit. */
  static ExecutorService executor(String name) {
    return Executors.newFixedThreadPool(
        2,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }
}
