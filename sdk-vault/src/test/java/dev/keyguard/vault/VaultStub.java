package dev.keyguard.vault;

import dev.keyguard.Secret;
import dev.keyguard.client.HttpsPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An HTTPS MockWebServer standing in for Vault in unit tests, for what a real server cannot be made
 * to answer (412, 429, 503, a redirect, a body without a field) and for the token lifecycle on a
 * fake clock. Its certificate comes from a CA made at run time, which {@link #policy()} trusts.
 */
final class VaultStub implements BeforeEachCallback, AfterEachCallback {

  private static final HeldCertificate CA =
      new HeldCertificate.Builder().certificateAuthority(0).build();
  private static final HeldCertificate SERVER =
      new HeldCertificate.Builder()
          .addSubjectAlternativeName("127.0.0.1")
          .addSubjectAlternativeName("localhost")
          .signedBy(CA)
          .build();

  private MockWebServer server;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    server = new MockWebServer();
    QueueDispatcher queue = new QueueDispatcher();
    // an unexpected request (a revoke at close) gets an immediate 404 instead of a hang
    queue.setFailFast(true);
    server.setDispatcher(queue);
    HandshakeCertificates tls =
        new HandshakeCertificates.Builder().heldCertificate(SERVER, CA.certificate()).build();
    server.useHttps(tls.sslSocketFactory());
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    server.close();
  }

  MockWebServer server() {
    return server;
  }

  String address() {
    return "https://127.0.0.1:" + server.getPort();
  }

  /** Trusts only the stub's CA. */
  static HttpsPolicy policy() {
    return HttpsPolicy.builder().trustCertificates(CA.certificatePem().getBytes()).build();
  }

  VaultKeyProvider.Builder builder(VaultAuthentication auth) {
    return VaultKeyProvider.builder().address(address()).httpsPolicy(policy()).authentication(auth);
  }

  void json(int status, String body) {
    server.enqueue(
        new MockResponse.Builder()
            .code(status)
            .addHeader("Content-Type", "application/json")
            .body(body)
            .build());
  }

  /** A KV v2 read answer. */
  void kv2(int version, String data) {
    json(
        200,
        "{\"data\":{\"data\":"
            + data
            + ",\"metadata\":{\"created_time\":\"2026-11-01T10:00:00Z\",\"custom_metadata\":null,"
            + "\"deletion_time\":\"\",\"destroyed\":false,\"version\":"
            + version
            + "}}}");
  }

  /** A login answer with a token. */
  void login(Secret token, long ttlSeconds, boolean renewable) {
    json(
        200,
        "{\"auth\":{\"client_token\":\""
            + token.value(dev.keyguard.InsecureSecretAccess.get())
            + "\",\"lease_duration\":"
            + ttlSeconds
            + ",\"renewable\":"
            + renewable
            + "}}");
  }

  /** A renew-self answer. */
  void renewed(Secret token, long ttlSeconds) {
    login(token, ttlSeconds, true);
  }

  RecordedRequest take() {
    try {
      RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("no request reached the Vault stub");
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException(e));
    }
  }

  /** The path of the next request, such as {@code POST /v1/auth/approle/login}. */
  String next() {
    RecordedRequest r = take();
    return r.getMethod() + " " + r.getUrl().encodedPath();
  }
}
