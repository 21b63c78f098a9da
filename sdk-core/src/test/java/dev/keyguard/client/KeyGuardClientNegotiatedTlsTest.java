package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.SecretLeakAssertions;
import java.io.IOException;
import java.util.List;
import mockwebserver3.MockWebServer;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The network-level guard checks the TLS version and cipher suite the connection negotiated before
 * a credential is written, so a client derived from {@link KeyGuardClient#okHttpClient()} with
 * weaker connection specs (or a JDK configured to allow old protocols) cannot send a signed request
 * over TLS 1.1 or a broken suite. The sessions here report those parameters through {@link
 * ReportedSessionSocketFactory}; {@link KeyGuardClientTlsVersionTest} shows the default client
 * never offers TLS 1.1 at all.
 */
class KeyGuardClientNegotiatedTlsTest {

  private static final KeyId KEY_ID = KeyId.of("negotiated-tls-test");

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private VersionedCredential credential;

  @BeforeEach
  void setUp() {
    credential = TestCredentials.credential(KEY_ID, "1");
  }

  private KeyGuardClient client(OkHttpClient base) {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/v2"))
        .managedKey(new FakeManagedKey(credential))
        .authScheme(TestSchemes.header())
        .okHttpClient(base)
        .build();
  }

  private static OkHttpClient reporting(String protocol, String cipherSuite) {
    return new OkHttpClient.Builder()
        .sslSocketFactory(
            new ReportedSessionSocketFactory(
                TestTls.CLIENT.sslSocketFactory(), protocol, cipherSuite),
            TestTls.CLIENT.trustManager())
        .build();
  }

  @Test
  void
      rawCall_whenDerivedClientWithTls11SpecsGetsATls11Connection_isRefusedBeforeTheKeyIsWritten() {
    api.enqueue(json(200, "{}"));
    OkHttpClient derived =
        client(reporting("TLSv1.1", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"))
            .okHttpClient()
            .newBuilder()
            .connectionSpecs(List.of(ConnectionSpec.COMPATIBLE_TLS))
            .build();
    Request request = new Request.Builder().url(api.url("/v2/price")).build();

    Throwable thrown =
        catchThrowable(
            () -> {
              try (Response response = derived.newCall(request).execute()) {
                response.code();
              }
            });

    assertThat(thrown).isInstanceOf(IOException.class);
    SecretLeakAssertions.assertNoLeak(thrown, SecretLeakAssertions.secretsOf(credential));
    assertThat(thrown.getCause())
        .isInstanceOf(InsecureTransportException.class)
        .hasMessageContaining("TLSv1.1")
        .hasMessageContaining("TLS 1.2 or 1.3")
        .hasMessageContaining("nothing was written");
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void get_whenTheConnectionNegotiatedA3desSuite_isRefusedBeforeTheKeyIsWritten() {
    api.enqueue(json(200, "{}"));
    KeyGuardClient client = client(reporting("TLSv1.2", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"));

    InsecureTransportException e =
        catchThrowableOfType(
            InsecureTransportException.class, () -> client.get("/price", JsonNode.class));

    assertThat(e).isNotNull();
    SecretLeakAssertions.assertNoLeak(e, SecretLeakAssertions.secretsOf(credential));
    assertThat(e.getMessage())
        .contains("RSA_WITH_3DES_EDE_CBC_SHA")
        .contains("cipher suite")
        .contains("nothing was written");
    assertThat(e.isRetryable()).isFalse();
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void get_whenTheConnectionNegotiatedTls12WithAModernSuite_sendsTheRequest() {
    api.enqueue(json(200, "{}"));
    KeyGuardClient client = client(reporting("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));

    client.get("/price", JsonNode.class);

    assertThat(takeAll(api)).hasSize(1);
  }
}
