package dev.keyguard.aws;

import dev.keyguard.testing.ProvisionedTool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Runs moto in server mode (an AWS emulator) for one test class: a JUnit 5 extension, registered
 * with {@code @RegisterExtension static final MotoServer MOTO = new MotoServer();}.
 *
 * <p>It starts {@code moto_server} from the virtualenv that {@code scripts/provision-moto.sh}
 * creates, on a free loopback port, waits until it answers, and kills it after the class. The
 * binary is found through the system property {@code moto.server} (set by the failsafe
 * configuration of sdk-aws), the environment variable {@code MOTO_SERVER}, or {@code
 * .tools/moto/bin/moto_server} in a parent directory. If none exists the test class fails with a
 * message that says to run the provisioning script: integration tests are never skipped silently.
 */
public final class MotoServer implements BeforeAllCallback, AfterAllCallback {

  /** The region every client of the emulator uses. */
  public static final Region REGION = Region.US_EAST_1;

  /** Dummy credentials; moto accepts any unless IAM enforcement is on. */
  public static final AwsCredentialsProvider DUMMY_CREDENTIALS =
      StaticCredentialsProvider.create(
          AwsBasicCredentials.create("keyguard-it", "keyguard-it-dummy"));

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final Map<String, String> environment = new LinkedHashMap<>();
  private final List<SecretsManagerClient> clients = new ArrayList<>();
  private int port;
  private Process process;

  /** A moto server without IAM enforcement. */
  public MotoServer() {}

  /**
   * Makes moto authenticate and authorize every request after the first {@code n}, with the IAM
   * users, keys and policies created through it (moto's {@code INITIAL_NO_AUTH_ACTION_COUNT}).
   *
   * @param n the number of requests served without checks, to create the IAM set-up
   * @return this server
   */
  public MotoServer enforceIamAfter(int n) {
    environment.put("INITIAL_NO_AUTH_ACTION_COUNT", Integer.toString(n));
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    port = freePort();
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    clients.forEach(SecretsManagerClient::close);
    clients.clear();
    stop();
  }

  /** The endpoint URI, {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The port, which stays the same across {@link #stop()} and {@link #start()}. */
  public int port() {
    return port;
  }

  /**
   * A client of the emulator with dummy credentials, closed after the class.
   *
   * @param interceptors interceptors to add, such as a call counter
   * @return the client
   */
  public SecretsManagerClient client(ExecutionInterceptor... interceptors) {
    return client(DUMMY_CREDENTIALS, interceptors);
  }

  /**
   * A client of the emulator with the given credentials, closed after the class.
   *
   * @param credentials the credentials
   * @param interceptors interceptors to add
   * @return the client
   */
  public SecretsManagerClient client(
      AwsCredentialsProvider credentials, ExecutionInterceptor... interceptors) {
    SecretsManagerClient client =
        SecretsManagerClient.builder()
            .region(REGION)
            .endpointOverride(endpoint())
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(
                o -> {
                  for (ExecutionInterceptor i : interceptors) {
                    o.addExecutionInterceptor(i);
                  }
                })
            .build();
    clients.add(client);
    return client;
  }

  /**
   * A provider builder pointed at the emulator, with dummy credentials; the provider builds its own
   * client, as in production.
   *
   * @return the builder
   */
  public AwsSecretsManagerKeyProvider.Builder providerBuilder() {
    return AwsSecretsManagerKeyProvider.builder()
        .region(REGION)
        .endpointOverride(endpoint())
        .credentialsProvider(DUMMY_CREDENTIALS);
  }

  /** Starts (or restarts) moto on this server's port and waits until it answers. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("moto is already running on port " + port);
    }
    Path binary = locateBinary();
    Path log = Paths.get("target", "moto-" + port + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    ProcessBuilder pb =
        new ProcessBuilder(binary.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(environment);
    process = pb.start();
    awaitReady(log);
  }

  /** Stops moto (its state is lost); {@link #start()} brings it back on the same port. */
  public synchronized void stop() {
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
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Deletes every resource moto holds (moto's {@code /moto-api/reset}). */
  public void reset() throws IOException, InterruptedException {
    HttpResponse<Void> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("moto reset answered HTTP " + response.statusCode());
    }
  }

  private void awaitReady(Path log) throws InterruptedException, IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    // /moto-api/data.json is not an AWS action: it does not count against
    // INITIAL_NO_AUTH_ACTION_COUNT
    HttpRequest probe =
        HttpRequest.newBuilder(endpoint().resolve("/moto-api/data.json"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "moto_server exited with code "
                + process.exitValue()
                + " while starting on port "
                + port
                + "; see "
                + log);
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    stop();
    throw new IllegalStateException(
        "moto_server did not answer within " + STARTUP_TIMEOUT + "; see " + log);
  }

  static final ProvisionedTool TOOL =
      new ProvisionedTool(
          "moto_server",
          "moto.server",
          "MOTO_SERVER",
          "moto/bin/moto_server",
          "scripts/provision-moto.sh");

  static Path locateBinary() {
    return TOOL.locate();
  }

  static Path locateBinary(String property, String env, Path startDirectory) {
    return TOOL.locate(property, env, startDirectory);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
