package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.internal.TrustedCertificates;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import mockwebserver3.MockWebServer;
import okhttp3.CertificatePinner;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusting a private CA with {@link HttpsPolicy}: a server whose certificate comes from a
 * throw-away CA is reached with that CA trusted from a PEM file, PEM bytes or a KeyStore, through
 * the client's default OkHttp (which trusts only the system CAs). Replaced trust refuses every
 * other CA, the system's included; added trust keeps the system CAs; pins and TLS 1.2+ still apply;
 * bad input is refused when it is set, without echoing it.
 */
class HttpsPolicyTrustTest {

  private static final HeldCertificate PRIVATE_CA = ca("KeyGuard test private CA");
  private static final HeldCertificate OTHER_CA = ca("KeyGuard test other CA");

  /** Signed by the private CA, for localhost and 127.0.0.1. */
  private static final MockWebServer privateCaServer = server(PRIVATE_CA);

  /** Signed by another CA, for localhost and 127.0.0.1. */
  private static final MockWebServer otherCaServer = server(OTHER_CA);

  @TempDir static Path dir;

  private FakeManagedKey key;

  @BeforeAll
  static void startServers() throws IOException {
    for (MockWebServer s : List.of(privateCaServer, otherCaServer)) {
      s.start(InetAddress.getByName("127.0.0.1"), 0);
    }
  }

  @AfterAll
  static void stopServers() {
    privateCaServer.close();
    otherCaServer.close();
  }

  @BeforeEach
  void setUp() {
    MockServers.reset(privateCaServer);
    MockServers.reset(otherCaServer);
    key = new FakeManagedKey(TestCredentials.credential(KeyId.of("trust-test"), "1"));
  }

  @Test
  void trustCertificates_fromPemFile_reachesAServerOfThatCa() throws IOException {
    Path pem = Files.writeString(dir.resolve("private-ca.pem"), PRIVATE_CA.certificatePem());

    assertReaches(privateCaServer, HttpsPolicy.builder().trustCertificates(pem).build());
  }

  @Test
  void trustCertificates_fromPemBytes_reachesAServerOfThatCa() {
    byte[] pem = PRIVATE_CA.certificatePem().getBytes(StandardCharsets.US_ASCII);

    assertReaches(privateCaServer, HttpsPolicy.builder().trustCertificates(pem).build());
  }

  @Test
  void trustCertificates_fromKeyStore_reachesAServerOfThatCa() throws Exception {
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    trustStore.setCertificateEntry("private-ca", PRIVATE_CA.certificate());

    assertReaches(privateCaServer, HttpsPolicy.builder().trustCertificates(trustStore).build());
  }

  @Test
  void trustCertificates_fromABundle_trustsEveryCertificateOfIt() {
    String bundle =
        "# a CA bundle with comments\n"
            + OTHER_CA.certificatePem()
            + "\n# second\n"
            + PRIVATE_CA.certificatePem();
    HttpsPolicy policy =
        HttpsPolicy.builder().trustCertificates(bundle.getBytes(StandardCharsets.US_ASCII)).build();

    assertThat(policy.trustedCertificates())
        .containsExactly(OTHER_CA.certificate(), PRIVATE_CA.certificate());
    assertReaches(privateCaServer, policy);
    assertReaches(otherCaServer, policy);
  }

  @Test
  void trustCertificates_replacesTheSystemCas_andRefusesAServerOfAnotherCa() {
    HttpsPolicy policy = HttpsPolicy.builder().trustCertificates(pemOf(PRIVATE_CA)).build();

    Throwable refused =
        catchThrowable(() -> client(otherCaServer, policy).get("/", JsonNode.class));

    assertThat(refused)
        .isInstanceOf(InsecureTransportException.class)
        .hasMessageContaining("no request was sent")
        .hasCauseInstanceOf(SSLHandshakeException.class);
    assertThat(policy.trustsSystemCertificates()).isFalse();
    // the system CAs are gone too: the only anchor is the private CA
    assertThat(installedTrust(policy).getAcceptedIssuers())
        .containsExactly(PRIVATE_CA.certificate());
  }

  @Test
  void addTrustedCertificates_reachesAServerOfThatCa_andKeepsTheSystemCas() {
    HttpsPolicy policy = HttpsPolicy.builder().addTrustedCertificates(pemOf(PRIVATE_CA)).build();
    X509Certificate[] systemCas = TrustedCertificates.systemTrustManager().getAcceptedIssuers();

    assertReaches(privateCaServer, policy);
    assertThat(policy.trustsSystemCertificates()).isTrue();
    assertThat(systemCas).isNotEmpty();
    assertThat(installedTrust(policy).getAcceptedIssuers())
        .contains(PRIVATE_CA.certificate())
        .contains(systemCas)
        .hasSize(systemCas.length + 1);
  }

  @Test
  void addTrustedCertificates_stillRefusesAServerOfACaNotAdded() {
    HttpsPolicy policy = HttpsPolicy.builder().addTrustedCertificates(pemOf(PRIVATE_CA)).build();

    assertThatThrownBy(() -> client(otherCaServer, policy).get("/", JsonNode.class))
        .isInstanceOf(InsecureTransportException.class)
        .hasCauseInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void pins_areStillEnforced_withTrustedCertificates() {
    String unrelatedPin = CertificatePinner.pin(OTHER_CA.certificate());
    HttpsPolicy wrongPin =
        HttpsPolicy.builder()
            .trustCertificates(pemOf(PRIVATE_CA))
            .pin("localhost", unrelatedPin)
            .build();
    HttpsPolicy rightPin =
        HttpsPolicy.builder()
            .trustCertificates(pemOf(PRIVATE_CA))
            .pin("localhost", CertificatePinner.pin(PRIVATE_CA.certificate()))
            .build();

    assertThatThrownBy(() -> client(privateCaServer, wrongPin).get("/", JsonNode.class))
        .isInstanceOf(InsecureTransportException.class)
        .hasCauseInstanceOf(SSLPeerUnverifiedException.class);
    assertReaches(privateCaServer, rightPin);
  }

  @Test
  void trustedCertificates_keepTls12OrLaterOnly() throws Exception {
    HttpsPolicy policy =
        HttpsPolicy.builder().trustCertificates(pemOf(TestTls.SERVER_CERTIFICATE)).build();
    OkHttpClient.Builder b = new OkHttpClient.Builder();
    policy.applyTo(b, Dns.SYSTEM);
    assertThat(b.build().connectionSpecs()).containsExactly(HttpsPolicy.TLS_1_2_OR_LATER);

    try (Tls11OnlyServer server = new Tls11OnlyServer()) {
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl("https://127.0.0.1:" + server.port() + "/")
              .managedKey(key)
              .authScheme(TestSchemes.header())
              .httpsPolicy(policy)
              .build();

      assertThatThrownBy(() -> client.get("/", JsonNode.class))
          .isInstanceOf(InsecureTransportException.class)
          .hasMessageContaining("TLS handshake failed");
      assertThat(server.offeredVersions().get(5, TimeUnit.SECONDS))
          .isNotEmpty()
          .allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(0x0303));
    }
  }

  @Test
  void trustSettings_followTheBuilderRules() {
    byte[] privateCa = pemOf(PRIVATE_CA);
    byte[] otherCa = pemOf(OTHER_CA);

    // trustCertificates replaces the whole set: last call wins
    HttpsPolicy replaced =
        HttpsPolicy.builder()
            .addTrustedCertificates(otherCa)
            .trustCertificates(otherCa)
            .trustCertificates(privateCa)
            .build();
    assertThat(replaced.trustedCertificates()).containsExactly(PRIVATE_CA.certificate());
    assertThat(replaced.trustsSystemCertificates()).isFalse();

    // addTrustedCertificates adds, to the system CAs or to what trustCertificates set
    HttpsPolicy added =
        HttpsPolicy.builder()
            .addTrustedCertificates(privateCa)
            .addTrustedCertificates(otherCa)
            .build();
    assertThat(added.trustedCertificates())
        .containsExactly(PRIVATE_CA.certificate(), OTHER_CA.certificate());
    assertThat(added.trustsSystemCertificates()).isTrue();
    HttpsPolicy replacedThenAdded =
        HttpsPolicy.builder().trustCertificates(privateCa).addTrustedCertificates(otherCa).build();
    assertThat(replacedThenAdded.trustedCertificates())
        .containsExactly(PRIVATE_CA.certificate(), OTHER_CA.certificate());
    assertThat(replacedThenAdded.trustsSystemCertificates()).isFalse();

    // toBuilder keeps the trust; trustSystemCertificates restores the default
    assertThat(replaced.toBuilder().build().trustedCertificates())
        .containsExactly(PRIVATE_CA.certificate());
    assertThat(replaced.toBuilder().build().trustsSystemCertificates()).isFalse();
    HttpsPolicy reset = replaced.toBuilder().trustSystemCertificates().build();
    assertThat(reset.trustedCertificates()).isEmpty();
    assertThat(reset.trustsSystemCertificates()).isTrue();
    assertThat(HttpsPolicy.strict().trustedCertificates()).isEmpty();
    assertThat(HttpsPolicy.strict().trustsSystemCertificates()).isTrue();

    assertThat(replaced.toString()).contains("trust=1 certificate only");
    assertThat(added.toString()).contains("trust=system CAs + 2 certificates");
    assertThat(reset.toString()).doesNotContain("trust=");
  }

  @Test
  void defaultTrust_leavesTheOkHttpClientsOwnTrustInPlace() {
    OkHttpClient.Builder b = TestTls.TRUSTING_OKHTTP.newBuilder();

    HttpsPolicy.strict().applyTo(b, Dns.SYSTEM);

    assertThat(b.build().x509TrustManager()).isSameAs(TestTls.CLIENT.trustManager());
  }

  @Test
  void trustedPem_isCopiedWhenSet() {
    byte[] pem = pemOf(PRIVATE_CA);
    HttpsPolicy.Builder builder = HttpsPolicy.builder().trustCertificates(pem);

    Arrays.fill(pem, (byte) 'A');

    assertThat(builder.build().trustedCertificates()).containsExactly(PRIVATE_CA.certificate());
  }

  @Test
  void trustCertificates_whenThePemHoldsAPrivateKey_isRefusedWithoutEchoingIt() {
    String keyPem = PRIVATE_CA.privateKeyPkcs8Pem();
    String certificateAndKey = PRIVATE_CA.certificatePem() + keyPem;

    for (String pem : List.of(keyPem, certificateAndKey)) {
      assertRefusedWithoutEcho(pem, "holds a private key", base64Lines(keyPem));
    }
  }

  @Test
  void trustCertificates_whenThePemIsNotACertificate_isRefusedWithoutEchoingIt() {
    String token = TestSecrets.randomValue();
    String base64Token = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));

    assertRefusedWithoutEcho("", "holds no -----BEGIN CERTIFICATE----- block", List.of());
    assertRefusedWithoutEcho(
        "api_key=" + token + "\n", "holds no -----BEGIN CERTIFICATE-----", List.of(token));
    assertRefusedWithoutEcho(
        "-----BEGIN PUBLIC KEY-----\n" + base64Token + "\n-----END PUBLIC KEY-----\n",
        "block 1 is not a CERTIFICATE block",
        List.of(base64Token, token));
    assertRefusedWithoutEcho(
        "-----BEGIN CERTIFICATE-----\n" + token + "!*\n-----END CERTIFICATE-----\n",
        "CERTIFICATE block 1 is not valid base64",
        List.of(token));
    assertRefusedWithoutEcho(
        PRIVATE_CA.certificatePem()
            + "-----BEGIN CERTIFICATE-----\n"
            + base64Token
            + "\n-----END CERTIFICATE-----\n",
        "CERTIFICATE block 2 does not hold an X.509 certificate",
        List.of(base64Token, token));
    assertRefusedWithoutEcho(
        "-----BEGIN CERTIFICATE-----\n" + base64Token + "\n",
        "CERTIFICATE block 1 has no -----END CERTIFICATE----- line",
        List.of(base64Token, token));
  }

  @Test
  void trustCertificates_whenGivenDerBytes_isRefusedWithTheConversionToDo() throws Exception {
    byte[] der = PRIVATE_CA.certificate().getEncoded();

    assertThatThrownBy(() -> HttpsPolicy.builder().trustCertificates(der))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trustCertificates: the PEM holds no -----BEGIN CERTIFICATE-----")
        .hasMessageContaining("openssl x509 -inform der");
  }

  @Test
  void trustCertificates_whenTheFileIsMissingOrBad_isRefusedNamingTheFile() throws IOException {
    Path missing = dir.resolve("missing.pem");
    String token = TestSecrets.randomValue();
    Path notPem = Files.writeString(dir.resolve("key.txt"), token);

    assertThatThrownBy(() -> HttpsPolicy.builder().trustCertificates(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trustCertificates: the PEM file " + missing + " does not exist");
    assertThatThrownBy(() -> HttpsPolicy.builder().addTrustedCertificates(notPem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("addTrustedCertificates: the PEM file " + notPem + " holds no")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
  }

  @Test
  void trustCertificates_whenTheKeyStoreHasNoTrustedCertificate_isRefused() throws Exception {
    KeyStore empty = KeyStore.getInstance("PKCS12");
    empty.load(null, null);
    KeyStore notLoaded = KeyStore.getInstance("PKCS12");

    assertThatThrownBy(() -> HttpsPolicy.builder().trustCertificates(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "trustCertificates: the KeyStore holds no trusted X.509 certificate");
    assertThatThrownBy(() -> HttpsPolicy.builder().addTrustedCertificates(notLoaded))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("addTrustedCertificates: the KeyStore is not loaded");
  }

  private void assertReaches(MockWebServer server, HttpsPolicy policy) {
    server.enqueue(json(200, "{\"ok\":true}"));

    JsonNode body = client(server, policy).get("/", JsonNode.class);

    assertThat(body.get("ok").asBoolean()).isTrue();
  }

  /** A client on the default OkHttp (system CAs only), so only the policy can add trust. */
  private KeyGuardClient client(MockWebServer server, HttpsPolicy policy) {
    return KeyGuardClient.builder()
        .baseUrl(server.url("/"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .httpsPolicy(policy)
        .build();
  }

  private static javax.net.ssl.X509TrustManager installedTrust(HttpsPolicy policy) {
    OkHttpClient.Builder b = new OkHttpClient.Builder();
    policy.applyTo(b, Dns.SYSTEM);
    return b.build().x509TrustManager();
  }

  private static void assertRefusedWithoutEcho(String pem, String problem, List<String> content) {
    byte[] bytes = pem.getBytes(StandardCharsets.ISO_8859_1);
    for (Throwable refused :
        List.of(
            catchThrowable(() -> HttpsPolicy.builder().trustCertificates(bytes)),
            catchThrowable(() -> HttpsPolicy.builder().addTrustedCertificates(bytes)))) {
      assertThat(refused)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(problem);
      // nothing of the input, in the message or in a cause
      for (Throwable t = refused; t != null; t = t.getCause()) {
        for (String c : content) {
          assertThat(t.getMessage()).doesNotContain(c);
        }
      }
    }
  }

  private static List<String> base64Lines(String pem) {
    return pem.lines().filter(l -> !l.startsWith("-----") && !l.isBlank()).toList();
  }

  private static byte[] pemOf(HeldCertificate certificate) {
    return certificate.certificatePem().getBytes(StandardCharsets.US_ASCII);
  }

  private static HeldCertificate ca(String name) {
    return new HeldCertificate.Builder().certificateAuthority(0).commonName(name).build();
  }

  private static MockWebServer server(HeldCertificate ca) {
    HeldCertificate certificate =
        new HeldCertificate.Builder()
            .signedBy(ca)
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
    MockWebServer server = new MockWebServer();
    server.useHttps(
        new HandshakeCertificates.Builder()
            .heldCertificate(certificate, ca.certificate())
            .build()
            .sslSocketFactory());
    return server;
  }
}
