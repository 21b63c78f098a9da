package dev.keyguard.bench.aws;

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
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code moto_server} (installed by {@code scripts/provision-moto.sh}) on a free loopback
 * port for a benchmark run, and stops it on {@link #close()}. Found through {@code -Dmoto.server},
 * {@code MOTO_SERVER}, or {@code .tools/moto/bin/moto_server} in the working directory or a parent.
 * Used by {@link AwsSecretsManagerComparison} and the rotation-under-load harness ({@code
 * dev.keyguard.bench.rotation.RotationUnderLoad}).
 */
public final class MotoProcess implements AutoCloseable {

  private final Process process;
  private final int port;

  private MotoProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts moto and waits until it answers.
   *
   * @return the running server
   * @throws IOException if the process cannot be started
   * @throws InterruptedException if interrupted while waiting
   */
  public static MotoProcess start() throws IOException, InterruptedException {
    Path binary = locate();
    int port;
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path log = Files.createTempFile("moto-bench-", ".log");
    Process p =
        new ProcessBuilder(binary.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MotoProcess moto = new MotoProcess(p, port);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest probe =
        HttpRequest.newBuilder(moto.endpoint().resolve("/moto-api/data.json")).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "moto_server exited with " + p.exitValue() + "; see " + log);
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return moto;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    moto.close();
    throw new IllegalStateException("moto_server did not answer within 60 s; see " + log);
  }

  /**
   * The server's endpoint, for {@code endpointOverride}.
   *
   * @return {@code http://127.0.0.1:PORT}
   */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static Path locate() {
    return new ProvisionedTool(
            "moto_server",
            "moto.server",
            "MOTO_SERVER",
            "moto/bin/moto_server",
            "scripts/provision-moto.sh")
        .locate();
  }
}
