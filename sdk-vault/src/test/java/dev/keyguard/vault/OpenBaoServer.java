package dev.keyguard.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.ProvisionedTool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import okhttp3.tls.HeldCertificate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a real OpenBao dev server ({@code bao server -dev}) for one test class: a JUnit 5 extension,
 * registered with {@code @RegisterExtension static final OpenBaoServer BAO = new OpenBaoServer();}.
 *
 * <p>The binary is the one {@code scripts/provision-openbao.sh} installs: found through the system
 * property {@code openbao.binary} (set by the failsafe configuration of sdk-vault), the environment
 * variable {@code OPENBAO_BINARY}, or {@code .tools/openbao/bin/bao} in a parent directory; if none
 * exists the class fails with the provisioning command (integration tests are never skipped).
 *
 * <p>The server listens on a free loopback port, always with {@code -dev-no-store-token} and a
 * {@code HOME} of its own (so it never writes {@code ~/.vault-token}). Its root token is the run's
 * API-key canary ({@link Canaries#apiKey()}), passed in the environment (not on the command line),
 * so the canary extension fails the run if the token reaches any output; the server's own output,
 * which prints the root token, is written to {@code target/openbao-PORT.log} through {@link
 * Redactor#global()}.
 */
final class OpenBaoServer implements BeforeAllCallback, AfterAllCallback {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

  private final boolean tls;
  private final @Nullable String namedTlsHost;
  private int port;
  private int namedTlsPort;
  private Process process;
  private Path home;
  private Path certDir;
  private Thread pump;
  private HttpClient admin;

  /** A plain-http dev server. */
  OpenBaoServer() {
    this(false);
  }

  private OpenBaoServer(boolean tls) {
    this(tls, null);
  }

  private OpenBaoServer(boolean tls, @Nullable String namedTlsHost) {
    this.tls = tls;
    this.namedTlsHost = namedTlsHost;
  }

  /**
   * A plain-http dev server with a second listener, over TLS, whose certificate (from a CA made for
   * the run, in {@link #namedTlsCaFile()}) names {@code host}: for a client that reaches the server
   * by a host name, not a loopback address ({@link #namedTlsPort()}; the name must resolve to
   * 127.0.0.1, through {@link dev.keyguard.testing.HostsFile}).
   */
  static OpenBaoServer withNamedTlsListener(String host) {
    return new OpenBaoServer(false, host);
  }

  /** A dev server with TLS ({@code -dev-tls}), its CA in {@link #caFile()}. */
  static OpenBaoServer withTls() {
    return new OpenBaoServer(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    port = freePort();
    home = Files.createTempDirectory("openbao-home");
    certDir = Files.createTempDirectory("openbao-tls");
    if (namedTlsHost != null) {
      namedTlsPort = freePort();
      writeNamedTlsListener(namedTlsHost);
    }
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  /** The root token: the API-key canary. */
  static Secret rootToken() {
    return Canaries.apiKey();
  }

  String address() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + port;
  }

  Path caFile() {
    return certDir.resolve("vault-ca.pem");
  }

  /** The port of the named TLS listener ({@link #withNamedTlsListener}), on 127.0.0.1. */
  int namedTlsPort() {
    return namedTlsPort;
  }

  /** The CA of the named TLS listener's certificate, PEM. */
  Path namedTlsCaFile() {
    return certDir.resolve("named-ca.pem");
  }

  private void writeNamedTlsListener(String host) throws IOException {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate server =
        new HeldCertificate.Builder()
            .commonName(host)
            .addSubjectAlternativeName(host)
            .signedBy(ca)
            .build();
    Files.writeString(namedTlsCaFile(), ca.certificatePem());
    Path cert = certDir.resolve("named-cert.pem");
    Path key = certDir.resolve("named-key.pem");
    Files.writeString(cert, server.certificatePem());
    Files.writeString(key, server.privateKeyPkcs8Pem());
    int clusterPort = freePort();
    Files.writeString(
        certDir.resolve("named-listener.hcl"),
        "listener \"tcp\" {\n"
            + "  address = \"127.0.0.1:"
            + namedTlsPort
            + "\"\n  cluster_address = \"127.0.0.1:"
            + clusterPort
            + "\"\n  tls_cert_file = \""
            + cert
            + "\"\n  tls_key_file = \""
            + key
            + "\"\n}\n");
  }

  /** A builder pointed at this server with loopback http allowed (plain server) and root auth. */
  VaultKeyProvider.Builder providerBuilder() {
    return VaultKeyProvider.builder()
        .address(address())
        .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
        .authentication(VaultAuthentication.token(rootToken()));
  }

  /** Starts (or restarts) the server on this port and waits until it is unsealed. */
  synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("OpenBao is already running on port " + port);
    }
    List<String> command = new ArrayList<>();
    command.add(locateBinary().toString());
    command.add("server");
    command.add("-dev");
    command.add("-dev-no-store-token");
    command.add("-dev-listen-address=127.0.0.1:" + port);
    if (tls) {
      command.add("-dev-tls");
      command.add("-dev-tls-cert-dir=" + certDir);
    }
    if (namedTlsHost != null) {
      // dev mode merges this listener with its own
      command.add("-config=" + certDir.resolve("named-listener.hcl"));
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("VAULT_") || k.startsWith("BAO_"));
    pb.environment().put("HOME", home.toString());
    pb.environment().put("BAO_DEV_ROOT_TOKEN_ID", rootToken().value(InsecureSecretAccess.get()));
    process = pb.start();
    Path log = Paths.get("target", "openbao-" + port + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    pump = redactedCopy(process.getInputStream(), log);
    admin = tls ? trustingClient(caFile()) : HttpClient.newHttpClient();
    awaitReady(log);
  }

  /** Stops the server: its in-memory state is lost; {@link #start()} brings it back empty. */
  synchronized void stop() {
    if (process == null) {
      return;
    }
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
    process = null;
  }

  // ------------------------------------------------------------------------------ admin calls

  /** An admin call with the root token; fails on a non-2xx answer. Returns the JSON or null. */
  JsonNode call(String method, String path, Object body) {
    return call(method, path, body, null, rootToken());
  }

  /** An admin call in a namespace. */
  JsonNode callIn(String namespace, String method, String path, Object body) {
    return call(method, path, body, namespace, rootToken());
  }

  JsonNode call(String method, String path, Object body, String namespace, Secret token) {
    return call(method, path, body, namespace, token, null);
  }

  /**
   * A call whose answer Vault wraps ({@code X-Vault-Wrap-TTL}); returns {@code wrap_info.token}.
   */
  Secret wrapped(String method, String path, Object body) {
    Secret wrapping =
        Secret.of(
            call(method, path, body, null, rootToken(), "60s")
                .path("wrap_info")
                .path("token")
                .asText());
    Redactor.global().register(wrapping);
    return wrapping;
  }

  private JsonNode call(
      String method, String path, Object body, String namespace, Secret token, String wrapTtl) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(address() + "/v1/" + path))
              .timeout(Duration.ofSeconds(10))
              .header("X-Vault-Token", token.value(InsecureSecretAccess.get()));
      if (namespace != null) {
        b.header("X-Vault-Namespace", namespace);
      }
      if (wrapTtl != null) {
        b.header("X-Vault-Wrap-TTL", wrapTtl);
      }
      if (body == null) {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        b.method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      }
      HttpResponse<String> r = admin.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            "OpenBao "
                + method
                + " "
                + path
                + " answered HTTP "
                + r.statusCode()
                + ": "
                + Redactor.global().redact(r.body()));
      }
      return r.body().isEmpty() ? null : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Writes a new KV v2 version; returns its number. */
  int put(String mount, String path, Map<String, ?> data) {
    return call("POST", mount + "/data/" + path, Map.of("data", data))
        .path("data")
        .path("version")
        .asInt();
  }

  void policy(String name, String hcl) {
    call("PUT", "sys/policies/acl/" + name, Map.of("policy", hcl));
  }

  // ------------------------------------------------------------------------------ internals

  private void awaitReady(Path log) throws InterruptedException {
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(address() + "/v1/sys/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "bao exited with code " + process.exitValue() + " while starting; see " + log);
      }
      try {
        if (admin.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200
            && kvReady()) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet (or the TLS files are not written yet)
        if (tls) {
          admin = trustingClientIfReady();
        }
      }
      Thread.sleep(50);
    }
    stop();
    throw new IllegalStateException(
        "OpenBao did not answer within " + STARTUP_TIMEOUT + "; see " + log);
  }

  /**
   * Whether the dev server's {@code secret/} mount serves KV v2 yet: right after start it answers
   * 400 "Upgrading from non-versioned to versioned data" for a moment.
   */
  private boolean kvReady() throws IOException, InterruptedException {
    HttpRequest config =
        HttpRequest.newBuilder(URI.create(address() + "/v1/secret/config"))
            .timeout(Duration.ofSeconds(2))
            .header("X-Vault-Token", rootToken().value(InsecureSecretAccess.get()))
            .build();
    return admin.send(config, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
  }

  private HttpClient trustingClientIfReady() {
    return Files.exists(caFile()) ? trustingClient(caFile()) : HttpClient.newHttpClient();
  }

  private static HttpClient trustingClient(Path ca) {
    if (!Files.exists(ca)) {
      return HttpClient.newHttpClient();
    }
    try (InputStream in = Files.newInputStream(ca)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, (X509Certificate) c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(store);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder().sslContext(ssl).build();
    } catch (Exception e) {
      throw new IllegalStateException("could not read the dev CA " + ca, e);
    }
  }

  /** Copies the server's output to the log file line by line, redacted (it prints the token). */
  private static Thread redactedCopy(InputStream in, Path log) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                  Writer w =
                      Files.newBufferedWriter(
                          log,
                          StandardCharsets.UTF_8,
                          StandardOpenOption.CREATE,
                          StandardOpenOption.APPEND)) {
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

  static final ProvisionedTool TOOL =
      new ProvisionedTool(
          "the OpenBao binary (bao)",
          "openbao.binary",
          "OPENBAO_BINARY",
          "openbao/bin/bao",
          "scripts/provision-openbao.sh");

  static Path locateBinary() {
    return TOOL.locate();
  }

  static Path locateBinary(String property, String env, Path startDirectory) {
    return TOOL.locate(property, env, startDirectory);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
