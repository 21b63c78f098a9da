package dev.keyguard.bench.rotation;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.testing.ProvisionedTool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import org.jspecify.annotations.Nullable;

/**
 * Starts a real OpenBao dev server ({@code bao server -dev -dev-tls}, installed by {@code
 * scripts/provision-openbao.sh}) on a free loopback port for a benchmark run, and stops it on
 * {@link #close()}. Bench-local: the sdk-vault tests have their own JUnit extension ({@code
 * OpenBaoServer}), tied to the test canaries; this one only starts, audits and stops.
 *
 * <ul>
 *   <li>HTTPS with the dev server's own CA ({@link #caFile()}), so the provider runs on its normal
 *       transport, without the loopback-cleartext testing switch.
 *   <li>A declarative file audit device ({@code audit "file"} in a config file given with {@code
 *       -config}; OpenBao refuses to enable one through the API): every request is written to
 *       {@link #auditLog()} before it is answered, one JSON line each, with tokens and values
 *       HMAC'd. The harness counts its backend calls there.
 *   <li>The root token is random, given in the environment (not on the command line), registered
 *       with the global {@link Redactor}; the server's output, which prints it, is copied redacted
 *       to {@code openbao.log} in the server's temporary directory, which is deleted on close.
 * </ul>
 *
 * The binary is found through {@code -Dopenbao.binary}, {@code OPENBAO_BINARY}, or {@code
 * .tools/openbao/bin/bao} in the working directory or a parent.
 */
final class OpenBaoProcess implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final MediaType JSON = MediaType.get("application/json");

  private final Process process;
  private final Path dir;
  private final int port;
  private final Secret rootToken;
  private final Thread pump;
  private OkHttpClient admin;

  private OpenBaoProcess(Process process, Path dir, int port, Secret rootToken, Thread pump) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.rootToken = rootToken;
    this.pump = pump;
    this.admin = new OkHttpClient();
  }

  static OpenBaoProcess start() throws IOException, InterruptedException {
    Path binary = locate();
    int port;
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path dir = Files.createTempDirectory("openbao-bench-");
    Path home = Files.createDirectories(dir.resolve("home"));
    Path certs = Files.createDirectories(dir.resolve("tls"));
    Path config = dir.resolve("audit.hcl");
    Files.writeString(
        config,
        "audit \"file\" \"bench\" {\n  options {\n    file_path = \""
            + dir.resolve("audit.log")
            + "\"\n  }\n}\n");
    Secret token =
        Secret.of(RotationUnderLoad.randomValue()); // a custom id may not start with "s."
    Redactor.global().register(token);
    ProcessBuilder pb =
        new ProcessBuilder(
                binary.toString(),
                "server",
                "-dev",
                "-dev-no-store-token",
                "-dev-listen-address=127.0.0.1:" + port,
                "-dev-tls",
                "-dev-tls-cert-dir=" + certs,
                "-config=" + config)
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("VAULT_") || k.startsWith("BAO_"));
    pb.environment().put("HOME", home.toString());
    pb.environment().put("BAO_DEV_ROOT_TOKEN_ID", token.value(InsecureSecretAccess.get()));
    Process p = pb.start();
    Path log = dir.resolve("openbao.log");
    OpenBaoProcess bao =
        new OpenBaoProcess(p, dir, port, token, redactedCopy(p.getInputStream(), log));
    try {
      bao.awaitReady(log);
    } catch (IOException | InterruptedException | RuntimeException e) {
      bao.close();
      throw e;
    }
    return bao;
  }

  String address() {
    return "https://127.0.0.1:" + port;
  }

  Path caFile() {
    return dir.resolve("tls").resolve("vault-ca.pem");
  }

  Path auditLog() {
    return dir.resolve("audit.log");
  }

  Secret rootToken() {
    return rootToken;
  }

  /** Writes a new KV v2 version of {@code secret/<path>} with the root token. */
  void put(String path, String json) {
    call("POST", "secret/data/" + path, json);
  }

  private String call(String method, String path, @Nullable String json) {
    Request request =
        new Request.Builder()
            .url(address() + "/v1/" + path)
            .header("X-Vault-Token", rootToken.value(InsecureSecretAccess.get()))
            .method(method, json == null ? null : RequestBody.create(json, JSON))
            .build();
    try (Response r = admin.newCall(request).execute()) {
      String body = r.body().string();
      if (!r.isSuccessful()) {
        throw new IllegalStateException(
            "OpenBao "
                + method
                + " "
                + path
                + " answered HTTP "
                + r.code()
                + ": "
                + Redactor.global().redact(body));
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady(Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    boolean trusting = false;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        pump.join(5_000);
        throw new IllegalStateException(
            "bao exited with code " + process.exitValue() + " while starting:\n" + tail(log));
      }
      if (!trusting && Files.isRegularFile(caFile()) && Files.size(caFile()) > 0) {
        HandshakeCertificates tls =
            new HandshakeCertificates.Builder()
                .addTrustedCertificate(
                    Certificates.decodeCertificatePem(Files.readString(caFile())))
                .build();
        admin =
            new OkHttpClient.Builder()
                .sslSocketFactory(tls.sslSocketFactory(), tls.trustManager())
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(5))
                .build();
        trusting = true;
      }
      if (trusting) {
        try {
          // the dev server's secret/ mount answers 400 "Upgrading from non-versioned to
          // versioned data" for a moment after start
          call("GET", "secret/config", null);
          return;
        } catch (UncheckedIOException | IllegalStateException notYet) {
          // not listening or not ready yet
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "OpenBao did not answer within " + STARTUP_TIMEOUT + ":\n" + tail(log));
  }

  /** The last lines of the server's (redacted) output, for an error message. */
  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      pump.join(5_000);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    admin.dispatcher().executorService().shutdown();
    admin.connectionPool().evictAll();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind; nothing secret is in it in clear
    }
  }

  /** Copies the server's output to the log file line by line, redacted (it prints the token). */
  private static Thread redactedCopy(InputStream in, Path log) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                  Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                  w.write(Redactor.global().redact(line));
                  w.write('\n');
                  w.flush();
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "openbao-log");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static Path locate() {
    return new ProvisionedTool(
            "the OpenBao binary (bao)",
            "openbao.binary",
            "OPENBAO_BINARY",
            "openbao/bin/bao",
            "scripts/provision-openbao.sh")
        .locate();
  }
}
