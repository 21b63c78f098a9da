package dev.keyguard.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A certificate generated per test run for 127.0.0.1, localhost and {@link #API_HOST}, and clients
 * that trust it.
 */
final class TestTls {

  /** A host name of the test API, resolved through the hosts file by the DNS-fault test. */
  static final String API_HOST = "api.keyguard.test";

  static final HeldCertificate SERVER_CERTIFICATE =
      new HeldCertificate.Builder()
          .commonName("localhost")
          .addSubjectAlternativeName("localhost")
          .addSubjectAlternativeName("127.0.0.1")
          .addSubjectAlternativeName(API_HOST)
          .build();

  static final HandshakeCertificates SERVER =
      new HandshakeCertificates.Builder().heldCertificate(SERVER_CERTIFICATE).build();

  static final HandshakeCertificates CLIENT =
      new HandshakeCertificates.Builder()
          .addTrustedCertificate(SERVER_CERTIFICATE.certificate())
          .build();

  /**
   * A plain OkHttp client that trusts the test certificate (and follows redirects, as OkHttp does).
   */
  static final OkHttpClient TRUSTING_OKHTTP =
      new OkHttpClient.Builder()
          .sslSocketFactory(CLIENT.sslSocketFactory(), CLIENT.trustManager())
          .build();

  private TestTls() {}

  /** Starts an HTTPS MockWebServer on 127.0.0.1. */
  static MockWebServer startHttpsServer() {
    MockWebServer server = new MockWebServer();
    startHttps(server);
    return server;
  }

  /** Starts a new MockWebServer with HTTPS on 127.0.0.1. */
  static void startHttps(MockWebServer server) {
    server.useHttps(SERVER.sslSocketFactory());
    start(server);
  }

  /** Starts a plain-HTTP MockWebServer on 127.0.0.1. */
  static MockWebServer startHttpServer() {
    MockWebServer server = new MockWebServer();
    start(server);
    return server;
  }

  private static void start(MockWebServer server) {
    try {
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
