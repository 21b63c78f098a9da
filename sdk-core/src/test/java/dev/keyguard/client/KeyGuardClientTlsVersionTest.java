package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * A server that only speaks TLS 1.1 is refused. The JDK disables TLS 1.1 by default, so to show
 * that the refusal is KeyGuard's own, the client's socket factory enables TLS 1.1 on every socket
 * and the test checks that the client's connection spec removed it, and that the ClientHello on the
 * wire offered nothing below TLS 1.2; a control with OkHttp's COMPATIBLE_TLS spec keeps it.
 */
class KeyGuardClientTlsVersionTest {

  private static final int TLS_1_2 = 0x0303;

  @Test
  void get_whenServerSpeaksOnlyTls11_isRefusedAndOnlyTls12OrLaterWasOffered() throws Exception {
    VersionedCredential credential = TestCredentials.credential(KeyId.of("tls-test"), "1");
    ProtocolRecordingSocketFactory factory =
        new ProtocolRecordingSocketFactory(TestTls.CLIENT.sslSocketFactory());
    OkHttpClient base =
        new OkHttpClient.Builder().sslSocketFactory(factory, TestTls.CLIENT.trustManager()).build();

    try (Tls11OnlyServer server = new Tls11OnlyServer()) {
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl("https://127.0.0.1:" + server.port() + "/")
              .managedKey(new FakeManagedKey(credential))
              .authScheme(TestSchemes.header())
              .okHttpClient(base)
              .build();

      assertThatThrownBy(() -> client.get("/price", JsonNode.class))
          .isInstanceOf(InsecureTransportException.class)
          .hasMessageContaining("TLS handshake failed")
          .hasMessageContaining("no request was sent")
          // OpenJDK: "The server selected protocol version TLS11 is not accepted by client
          // preferences [TLS13, TLS12]"
          .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);

      List<Integer> offered = server.offeredVersions().get(5, TimeUnit.SECONDS);
      assertThat(offered)
          .isNotEmpty()
          .allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(TLS_1_2));
    }
    assertThat(factory.sockets).isNotEmpty();
    assertThat(factory.sockets)
        .allSatisfy(
            s ->
                assertThat(Arrays.asList(s.getEnabledProtocols()))
                    .doesNotContain("TLSv1.1", "TLSv1")
                    .contains("TLSv1.2"));
  }

  @Test
  void control_plainOkHttpWithCompatibleTls_keepsTls11EnabledOnTheSocket() throws Exception {
    ProtocolRecordingSocketFactory factory =
        new ProtocolRecordingSocketFactory(TestTls.CLIENT.sslSocketFactory());
    OkHttpClient compatible =
        new OkHttpClient.Builder()
            .sslSocketFactory(factory, TestTls.CLIENT.trustManager())
            .connectionSpecs(List.of(ConnectionSpec.COMPATIBLE_TLS))
            .build();

    try (Tls11OnlyServer server = new Tls11OnlyServer()) {
      Request request =
          new Request.Builder().url("https://127.0.0.1:" + server.port() + "/").build();
      // fails too (the JDK itself disables TLS 1.1), but the socket had TLS 1.1 enabled:
      // so in the test above it was the KeyGuard connection spec that removed it
      catchThrowable(() -> compatible.newCall(request).execute());
    }
    assertThat(factory.sockets).isNotEmpty();
    assertThat(Arrays.asList(factory.sockets.get(0).getEnabledProtocols())).contains("TLSv1.1");
  }
}
