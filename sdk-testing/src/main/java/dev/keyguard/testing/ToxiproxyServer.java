package dev.keyguard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs <a href="https://github.com/Shopify/toxiproxy">Toxiproxy</a> (Shopify's fault-injecting TCP
 * proxy) for a test class, on a free loopback port, and drives it through its HTTP API: create a
 * proxy in front of a real backend, then add latency, resets, timeouts, throttling or an outage
 * while the code under test talks to the proxy's port.
 *
 * <pre>{@code
 * @RegisterExtension static final ToxiproxyServer TOXIPROXY = new ToxiproxyServer();
 *
 * ToxiproxyServer.Proxy vault = TOXIPROXY.proxy("vault", backendPort);
 * // point the provider at 127.0.0.1:vault.port() ...
 * vault.latency("slow", Duration.ofSeconds(5));   // every response 5 s late
 * vault.removeToxic("slow");
 * vault.disable();                                 // connections refused
 * vault.enable();
 * int connections = vault.acceptedConnections();   // counted from Toxiproxy's own log
 * }</pre>
 *
 * <p>The binary is found through the system property {@code toxiproxy.server}, the environment
 * variable {@code TOXIPROXY_SERVER}, or {@code .tools/toxiproxy/bin/toxiproxy-server} in the
 * working directory or a parent of it (where {@code scripts/provision-toxiproxy.sh} installs it).
 * If none exists, {@link #start()} fails with a message that names the provisioning script: a test
 * that needs it is never skipped silently.
 *
 * <p>Also usable without JUnit: {@link #start()} and {@link #close()}. Thread-safe. The proxies
 * carry whatever the code under test sends; Toxiproxy logs only addresses and proxy names, never
 * the bytes.
 */
public final class ToxiproxyServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  /** Which direction of a connection a toxic acts on. */
  public enum Direction {
    /** From the code under test to the backend (requests). */
    UPSTREAM,
    /** From the backend to the code under test (responses). */
    DOWNSTREAM;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
  private final Map<String, Proxy> proxies = new ConcurrentHashMap<>();
  private @Nullable Process process;
  private @Nullable Thread logReader;
  private int apiPort;

  /** A server that {@link #start()} (or the JUnit callbacks) starts. */
  public ToxiproxyServer() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /**
   * Starts Toxiproxy on a free loopback port and waits until its API answers.
   *
   * @return this server
   * @throws IllegalStateException if the binary is missing (the message names the provisioning
   *     script) or the server does not start within 30 seconds
   */
  public synchronized ToxiproxyServer start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("Toxiproxy is already running on port " + apiPort);
    }
    Path binary = locateBinary();
    try {
      apiPort = freePort();
      ProcessBuilder pb =
          new ProcessBuilder(
                  binary.toString(), "-host", "127.0.0.1", "-port", Integer.toString(apiPort))
              .redirectErrorStream(true);
      pb.environment().put("LOG_LEVEL", "info");
      Process started = pb.start();
      process = started;
      Thread reader = new Thread(() -> readLog(started), "toxiproxy-log-" + apiPort);
      reader.setDaemon(true);
      reader.start();
      logReader = reader;
      awaitReady(started);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + binary, e);
    }
    return this;
  }

  /** Stops Toxiproxy and every proxy it runs. Idempotent. */
  @Override
  public synchronized void close() {
    Process p = process;
    process = null;
    proxies.clear();
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      Thread reader = logReader;
      if (reader != null) {
        reader.join(5_000);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    logReader = null;
  }

  /**
   * The port of Toxiproxy's HTTP API on 127.0.0.1.
   *
   * @return the port
   */
  public int apiPort() {
    return apiPort;
  }

  /**
   * Creates a proxy that listens on a free loopback port and forwards to {@code
   * 127.0.0.1:upstreamPort}.
   *
   * @param name a name unique within this server (letters, digits, {@code -}, {@code _})
   * @param upstreamPort the port of the real backend on 127.0.0.1
   * @return the proxy
   */
  public Proxy proxy(String name, int upstreamPort) {
    return proxy(name, "127.0.0.1:" + upstreamPort);
  }

  /**
   * Creates a proxy that listens on a free loopback port and forwards to {@code upstream}.
   *
   * @param name a name unique within this server (letters, digits, {@code -}, {@code _})
   * @param upstream {@code host:port} of the real backend; a loopback address in tests
   * @return the proxy
   */
  public Proxy proxy(String name, String upstream) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(upstream, "upstream");
    if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(
          "a proxy name is 1 to 64 letters, digits, '-' or '_': " + name);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("listen", "127.0.0.1:0");
    body.put("upstream", upstream);
    body.put("enabled", true);
    JsonNode created = call("POST", "/proxies", body);
    String listen = created.path("listen").asText();
    int port = Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    Proxy proxy = new Proxy(name, port, upstream);
    proxies.put(name, proxy);
    return proxy;
  }

  /**
   * Removes every toxic of every proxy and enables every proxy, closing their open connections
   * ({@link Proxy#clearToxics()} for each); the connection counts are kept.
   */
  public void reset() {
    // Toxiproxy's own /reset can hang removing a toxic from busy connections (its issue 558)
    for (Proxy p : proxies.values()) {
      p.clearToxics();
    }
  }

  /** A proxy of this server: one listening port in front of one backend. */
  public final class Proxy {
    private final String name;
    private final int port;
    private final String upstream;

    private Proxy(String name, int port, String upstream) {
      this.name = name;
      this.port = port;
      this.upstream = upstream;
    }

    /**
     * The proxy's name.
     *
     * @return the name
     */
    public String name() {
      return name;
    }

    /**
     * The port the proxy listens on, on 127.0.0.1; it stays the same across {@link #disable()} and
     * {@link #enable()}.
     *
     * @return the port
     */
    public int port() {
      return port;
    }

    /**
     * How many client connections the proxy accepted so far, counted from Toxiproxy's log: the
     * number of connections the code under test opened to the backend (a client that reuses a
     * connection opens one for many requests; a connection that was reset or timed out is never
     * reused). A disabled proxy accepts nothing.
     *
     * @return the count
     */
    public int acceptedConnections() {
      AtomicInteger n = accepted.get(name);
      return n == null ? 0 : n.get();
    }

    /**
     * Adds a toxic.
     *
     * @param toxicName a name for it, unique within this proxy
     * @param type a Toxiproxy toxic type ({@code latency}, {@code bandwidth}, {@code slow_close},
     *     {@code timeout}, {@code reset_peer}, {@code slicer}, {@code limit_data})
     * @param direction which direction it acts on
     * @param attributes the type's attributes (see Toxiproxy's README)
     * @return this proxy
     */
    public Proxy toxic(
        String toxicName, String type, Direction direction, Map<String, ?> attributes) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", toxicName);
      body.put("type", type);
      body.put("stream", direction.wire());
      body.put("toxicity", 1.0);
      body.put("attributes", attributes);
      call("POST", "/proxies/" + name + "/toxics", body);
      return this;
    }

    /**
     * Delays every response by {@code latency} (a {@code latency} toxic downstream).
     *
     * @param toxicName a name for the toxic
     * @param latency the delay
     * @return this proxy
     */
    public Proxy latency(String toxicName, Duration latency) {
      return toxic(
          toxicName, "latency", Direction.DOWNSTREAM, Map.of("latency", latency.toMillis()));
    }

    /**
     * Lets {@code bytes} bytes of each connection's responses through, then closes the connection:
     * a response cut in the middle (a {@code limit_data} toxic downstream).
     *
     * @param toxicName a name for the toxic
     * @param bytes how many bytes pass
     * @return this proxy
     */
    public Proxy cutResponsesAfter(String toxicName, long bytes) {
      return toxic(toxicName, "limit_data", Direction.DOWNSTREAM, Map.of("bytes", bytes));
    }

    /**
     * Resets every connection with a TCP RST {@code after} it receives data (a {@code reset_peer}
     * toxic upstream): a load balancer that drops the connection.
     *
     * @param toxicName a name for the toxic
     * @param after how long after the first bytes; zero for at once
     * @return this proxy
     */
    public Proxy resetConnections(String toxicName, Duration after) {
      return toxic(
          toxicName, "reset_peer", Direction.UPSTREAM, Map.of("timeout", after.toMillis()));
    }

    /**
     * Accepts connections and never answers: every byte is dropped and the connection stays open (a
     * {@code timeout} toxic with timeout 0, upstream): a half-open connection.
     *
     * @param toxicName a name for the toxic
     * @return this proxy
     */
    public Proxy blackHole(String toxicName) {
      return toxic(toxicName, "timeout", Direction.UPSTREAM, Map.of("timeout", 0));
    }

    /**
     * Throttles responses to {@code kilobytesPerSecond} (a {@code bandwidth} toxic downstream).
     *
     * @param toxicName a name for the toxic
     * @param kilobytesPerSecond the rate
     * @return this proxy
     */
    public Proxy bandwidth(String toxicName, long kilobytesPerSecond) {
      return toxic(
          toxicName, "bandwidth", Direction.DOWNSTREAM, Map.of("rate", kilobytesPerSecond));
    }

    /**
     * Cuts responses into small packets with a delay between them (a {@code slicer} toxic
     * downstream): a trickle.
     *
     * @param toxicName a name for the toxic
     * @param averageBytes the average packet size
     * @param delay the delay between packets
     * @return this proxy
     */
    public Proxy slicer(String toxicName, int averageBytes, Duration delay) {
      return toxic(
          toxicName,
          "slicer",
          Direction.DOWNSTREAM,
          Map.of(
              "average_size",
              averageBytes,
              "size_variation",
              averageBytes / 2,
              "delay",
              TimeUnit.NANOSECONDS.toMicros(delay.toNanos())));
    }

    /**
     * Removes a toxic while connections keep flowing. Toxiproxy can hang doing this on busy
     * connections (its issue 558); {@link #clearToxics()} does not.
     *
     * @param toxicName its name
     * @return this proxy
     */
    public Proxy removeToxic(String toxicName) {
      call("DELETE", "/proxies/" + name + "/toxics/" + toxicName, null);
      return this;
    }

    /**
     * Ends a fault: closes the proxy's open connections (as a load balancer that drops them when
     * the backend comes back) and listens again on the same port, enabled and without toxics.
     *
     * @return this proxy
     */
    public Proxy clearToxics() {
      // Deleting the proxy closes its connections without touching the toxic chain, which is
      // where Toxiproxy hangs; it is created again, without toxics, on the same port.
      call("DELETE", "/proxies/" + name, null);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("listen", "127.0.0.1:" + port);
      body.put("upstream", upstream);
      body.put("enabled", true);
      call("POST", "/proxies", body);
      return this;
    }

    /**
     * Stops listening: connections to the port are refused and open ones are closed, as when the
     * backend's process is gone.
     *
     * @return this proxy
     */
    public Proxy disable() {
      return enabled(false);
    }

    /**
     * Listens again on the same port.
     *
     * @return this proxy
     */
    public Proxy enable() {
      return enabled(true);
    }

    private Proxy enabled(boolean enabled) {
      call("POST", "/proxies/" + name, Map.of("enabled", enabled));
      return this;
    }

    /** Returns the proxy's name and port. */
    @Override
    public String toString() {
      return "ToxiproxyServer.Proxy[" + name + " on 127.0.0.1:" + port + "]";
    }
  }

  /** Returns the API port and whether the server runs. */
  @Override
  public String toString() {
    Process p = process;
    return "ToxiproxyServer[api 127.0.0.1:"
        + apiPort
        + (p != null && p.isAlive() ? ", running]" : ", stopped]");
  }

  // ---------------------------------------------------------------------------------- internals

  /**
   * One call of Toxiproxy's API over a plain socket, with {@code Connection: close}: no HTTP
   * client, so the fixture starts no thread of its own that a thread-leak check would see.
   */
  private JsonNode call(String method, String path, @Nullable Object body) {
    if (process == null) {
      throw new IllegalStateException("Toxiproxy is not running: call start() first");
    }
    try {
      byte[] payload = body == null ? new byte[0] : MAPPER.writeValueAsBytes(body);
      HttpAnswer answer = send(method, path, payload, Duration.ofSeconds(30));
      if (answer.status / 100 != 2) {
        throw new IllegalStateException(
            "Toxiproxy " + method + " " + path + " answered " + answer.status + ": " + answer.body);
      }
      return answer.body.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(answer.body);
    } catch (IOException e) {
      throw new UncheckedIOException("Toxiproxy " + method + " " + path + " failed", e);
    }
  }

  private record HttpAnswer(int status, String body) {}

  private HttpAnswer send(String method, String path, byte[] payload, Duration timeout)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), apiPort),
          (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + apiPort
              + "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: "
              + payload.length
              + "\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      byte[] raw = socket.getInputStream().readAllBytes();
      String text = new String(raw, StandardCharsets.UTF_8);
      int headEnd = text.indexOf("\r\n\r\n");
      if (!text.startsWith("HTTP/1.") || headEnd < 0) {
        throw new IOException("not an HTTP answer from Toxiproxy (" + raw.length + " bytes)");
      }
      int status = Integer.parseInt(text.substring(9, 12));
      String headers = text.substring(0, headEnd).toLowerCase(Locale.ROOT);
      String content = text.substring(headEnd + 4);
      if (headers.contains("transfer-encoding: chunked")) {
        content = dechunk(content);
      }
      return new HttpAnswer(status, content);
    }
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < chunked.length()) {
      int lineEnd = chunked.indexOf("\r\n", at);
      if (lineEnd < 0) {
        break;
      }
      String sizeField = chunked.substring(at, lineEnd);
      int semicolon = sizeField.indexOf(';');
      int size =
          Integer.parseInt(
              (semicolon < 0 ? sizeField : sizeField.substring(0, semicolon)).strip(), 16);
      if (size == 0) {
        break;
      }
      out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
    return out.toString();
  }

  private void readLog(Process p) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.contains("Accepted client")) {
          try {
            JsonNode entry = MAPPER.readTree(line);
            String proxyName = entry.path("name").asText("");
            accepted.computeIfAbsent(proxyName, k -> new AtomicInteger()).incrementAndGet();
          } catch (IOException notJson) {
            // a line that is not one of zerolog's JSON entries carries no count
          }
        }
      }
    } catch (IOException closed) {
      // the process ended
    }
  }

  private void awaitReady(Process p) {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "toxiproxy-server exited with code "
                + p.exitValue()
                + " while starting on port "
                + apiPort);
      }
      try {
        if (send("GET", "/version", new byte[0], Duration.ofSeconds(1)).status == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Toxiproxy was starting", e);
      }
    }
    close();
    throw new IllegalStateException(
        "toxiproxy-server did not answer within " + STARTUP_TIMEOUT.toSeconds() + " s");
  }

  private static final ProvisionedTool TOOL =
      new ProvisionedTool(
          "toxiproxy-server",
          "toxiproxy.server",
          "TOXIPROXY_SERVER",
          "toxiproxy/bin/toxiproxy-server",
          "scripts/provision-toxiproxy.sh");

  static Path locateBinary() {
    return TOOL.locate();
  }

  static Path locateBinary(@Nullable String property, @Nullable String env, Path startDirectory) {
    return TOOL.locate(property, env, startDirectory);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
