package dev.keyguard.client;

import static dev.keyguard.testing.ExceptionTextAssertions.assertNoRepeatedText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import mockwebserver3.MockWebServer;
import okhttp3.CertificatePinner;
import okhttp3.OkHttpClient;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A TLS failure on the server's certificate says what to do about the trust configuration: an
 * untrusted certificate, a host name the certificate does not hold, a pin that does not match. The
 * hint names settings, never a value; a failure that is not about the certificate (a TLS 1.1
 * server) gets no trust hint.
 */
class KeyGuardClientTlsFailureTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private VersionedCredential credential;
  private FakeManagedKey key;

  @BeforeEach
  void setUp() {
    credential = TestCredentials.credential(KeyId.of("tls-failure-test"), "1");
    key = new FakeManagedKey(credential);
  }

  @Test
  void get_whenTheCertificateIsNotTrusted_hintsAtTrustingAPrivateCa() {
    // the default OkHttp trusts the system CAs only, not the test server's certificate
    KeyGuardClient client = client(api.url("/").toString(), HttpsPolicy.strict(), null);

    Throwable refused = catchThrowable(() -> client.get("/price", JsonNode.class));

    assertThat(refused)
        .isInstanceOf(InsecureTransportException.class)
        .hasCauseInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("no request was sent")
        .hasMessageContaining(
            "if the server's certificate comes from a private CA, trust that CA with"
                + " HttpsPolicy.builder().trustCertificates(...) (it alone) or"
                + " .addTrustedCertificates(...) (it and the system CAs)");
    assertNoValueIn(refused.getMessage());
    assertNoRepeatedText(refused);
  }

  @Test
  void get_whenTheCertificateDoesNotNameTheHost_hintsAtTheHostAndTheTrust() {
    // the certificate is trusted, but names localhost and 127.0.0.1, not api.example.test
    OkHttpClient resolvingToTheTestServer =
        new OkHttpClient.Builder().dns(host -> List.of(InetAddress.getByName("127.0.0.1"))).build();
    HttpsPolicy trustingTheTestCertificate =
        HttpsPolicy.builder()
            .trustCertificates(
                TestTls.SERVER_CERTIFICATE.certificatePem().getBytes(StandardCharsets.US_ASCII))
            .build();
    KeyGuardClient client =
        client(
            "https://api.example.test:" + api.getPort() + "/",
            trustingTheTestCertificate,
            resolvingToTheTestServer);

    Throwable refused = catchThrowable(() -> client.get("/price", JsonNode.class));

    assertThat(refused)
        .isInstanceOf(InsecureTransportException.class)
        .hasCauseInstanceOf(SSLPeerUnverifiedException.class)
        .hasMessageContaining("no request was sent (SSLPeerUnverifiedException, the cause)")
        .hasMessageContaining("the certificate must name the host of the base URL")
        .hasMessageContaining("HttpsPolicy.builder().trustCertificates(...)");
    assertThat(refused.getCause()).hasMessageContaining("Hostname api.example.test not verified");
    assertNoValueIn(refused.getMessage());
    assertNoRepeatedText(refused);
  }

  @Test
  void get_whenNoPinMatches_hintsAtThePins() {
    String unrelatedPin =
        CertificatePinner.pin(
            new HeldCertificate.Builder().commonName("unrelated").build().certificate());
    HttpsPolicy pinned = HttpsPolicy.builder().pin("localhost", unrelatedPin).build();
    KeyGuardClient client = client(api.url("/").toString(), pinned, TestTls.TRUSTING_OKHTTP);

    Throwable refused = catchThrowable(() -> client.get("/price", JsonNode.class));

    assertThat(refused)
        .isInstanceOf(InsecureTransportException.class)
        .hasCauseInstanceOf(SSLPeerUnverifiedException.class)
        .hasMessageContaining("(SSLPeerUnverifiedException, the cause)")
        .hasMessageContaining("match one of the HttpsPolicy pins");
    assertThat(refused.getCause()).hasMessageContaining("Certificate pinning failure!");
    assertNoValueIn(refused.getMessage());
    assertNoRepeatedText(refused);
  }

  @Test
  void get_whenTheHandshakeFailsOnTheProtocol_givesNoTrustHint() throws Exception {
    try (Tls11OnlyServer server = new Tls11OnlyServer()) {
      KeyGuardClient client =
          client(
              "https://127.0.0.1:" + server.port() + "/",
              HttpsPolicy.strict(),
              TestTls.TRUSTING_OKHTTP);

      Throwable refused = catchThrowable(() -> client.get("/price", JsonNode.class));

      assertThat(refused)
          .isInstanceOf(InsecureTransportException.class)
          .hasMessageContaining("KeyGuard requires TLS 1.2 or 1.3")
          .hasMessageNotContaining("trustCertificates");
    }
  }

  private KeyGuardClient client(String baseUrl, HttpsPolicy policy, OkHttpClient okHttp) {
    KeyGuardClient.Builder b =
        KeyGuardClient.builder()
            .baseUrl(baseUrl)
            .managedKey(key)
            .authScheme(TestSchemes.header())
            .httpsPolicy(policy);
    if (okHttp != null) {
      b.okHttpClient(okHttp);
    }
    return b.build();
  }

  /** No key, and none of the certificate hashes OkHttp lists after its first line. */
  private void assertNoValueIn(String message) {
    assertThat(message)
        .doesNotContain(TestCredentials.apiKeyOf(credential))
        .doesNotContain("sha256/")
        .doesNotContain("\n");
  }
}
