package dev.keyguard.bench.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * nginx from Debian ({@code bench/provision-nginx.sh} installs it into {@code .tools/nginx}),
 * started on a free loopback port with TLS, one worker process, no access log, answering every
 * request with the same small JSON body. Stopped by {@link #close()}.
 */
final class NginxProcess implements AutoCloseable {

  static final String BODY = "{\"symbol\":\"BTCUSDT\",\"price\":\"42000.12\",\"ts\":1700000000000}";

  private final Process process;
  private final int port;
  private final Path certificate;

  private NginxProcess(Process process, int port, Path certificate) {
    this.process = process;
    this.port = port;
    this.certificate = certificate;
  }

  /** Starts nginx from {@code tools} ({@code .tools/nginx}); fails naming the provision script. */
  static NginxProcess start(Path tools, int workers) throws IOException, InterruptedException {
    Path bin = tools.resolve("usr/sbin/nginx");
    Path cert = tools.resolve("tls/cert.pem");
    Path key = tools.resolve("tls/key.pem");
    if (!Files.isExecutable(bin) || !Files.exists(cert)) {
      throw new IllegalStateException(
          "nginx is not installed in " + tools + ": run bench/provision-nginx.sh first");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("keyguard-bench-nginx");
    Files.createDirectories(dir.resolve("logs"));
    String conf =
        "worker_processes "
            + workers
            + ";\n"
            + "pid "
            + dir.resolve("nginx.pid")
            + ";\n"
            + "error_log stderr warn;\n"
            + "events { worker_connections 4096; }\n"
            + "http {\n"
            + "  access_log off;\n"
            + "  client_body_temp_path "
            + dir.resolve("body")
            + ";\n"
            + "  proxy_temp_path "
            + dir.resolve("proxy")
            + ";\n"
            + "  fastcgi_temp_path "
            + dir.resolve("fastcgi")
            + ";\n"
            + "  uwsgi_temp_path "
            + dir.resolve("uwsgi")
            + ";\n"
            + "  scgi_temp_path "
            + dir.resolve("scgi")
            + ";\n"
            + "  keepalive_requests 100000000;\n"
            + "  keepalive_timeout 120s;\n"
            + "  server {\n"
            + "    listen 127.0.0.1:"
            + port
            + " ssl;\n"
            + "    ssl_certificate "
            + cert
            + ";\n"
            + "    ssl_certificate_key "
            + key
            + ";\n"
            + "    ssl_protocols TLSv1.2 TLSv1.3;\n"
            + "    default_type application/json;\n"
            + "    location / { return 200 '"
            + BODY
            + "'; }\n"
            + "  }\n"
            + "}\n";
    Path confFile = dir.resolve("nginx.conf");
    Files.writeString(confFile, conf, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                bin.toString(),
                "-p",
                dir.toString(),
                "-e",
                "stderr",
                "-c",
                confFile.toString(),
                "-g",
                "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("logs/nginx.out").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        break;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException(
              "nginx did not start; see " + dir.resolve("logs/nginx.out"), e);
        }
        Thread.sleep(50);
      }
    }
    return new NginxProcess(p, port, cert);
  }

  int port() {
    return port;
  }

  Path certificate() {
    return certificate;
  }

  /** The pid of the nginx master (its one worker is a child). */
  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: nginx stops its worker and exits
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
