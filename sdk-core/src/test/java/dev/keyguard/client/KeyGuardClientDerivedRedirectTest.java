package dev.keyguard.client;

import static dev.keyguard.client.MockServers.redirect;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.SecretLeakAssertions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.UnknownServiceException;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client derived from {@link KeyGuardClient#okHttpClient()} with OkHttp's own redirect following
 * turned back on, redirected from https to http: the refusal is the documented {@link
 * InsecureTransportException} (as the cause of the {@link IOException}, as for every refusal on the
 * raw OkHttp path), not OkHttp's own {@code UnknownServiceException}, and nothing reaches the http
 * URL.
 */
class KeyGuardClientDerivedRedirectTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  @Test
  void rawCall_whenDerivedClientFollowsARedirectToHttp_failsWithInsecureTransportException()
      throws IOException {
    VersionedCredential credential =
        TestCredentials.credential(KeyId.of("derived-redirect-test"), "1");
    OkHttpClient derived =
        KeyGuardClient.builder()
            .baseUrl(api.url("/v2"))
            .managedKey(new FakeManagedKey(credential))
            .authScheme(TestSchemes.headerQueryAndSignature())
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .build()
            .okHttpClient()
            .newBuilder()
            .followRedirects(true)
            .followSslRedirects(true)
            .build();
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      plain.setSoTimeout(300);
      api.enqueue(redirect(302, "http://127.0.0.1:" + plain.getLocalPort() + "/v2/price"));
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
          .hasMessageContaining("cleartext")
          .hasMessageContaining("nothing was sent")
          // OkHttp's own refusal, kept as the cause
          .hasCauseInstanceOf(UnknownServiceException.class);
      assertThatThrownBy(plain::accept).isInstanceOf(SocketTimeoutException.class);
    }
    assertThat(takeAll(api)).hasSize(1);
  }
}
