package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.redirect;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.CertificatePinner;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where a credential may go: HTTPS only, refused before a byte is sent; redirects to another origin
 * carry nothing; https→http refused; pins enforced. The scheme under test sets a header, a bearer
 * token, a query parameter and a signature, so every kind of credential is checked.
 */
class KeyGuardClientTransportSecurityTest {

  private static final KeyId KEY_ID = KeyId.of("transport-test");

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();
  // same host, another port: another origin
  @RegisterExtension static final HttpsMockServer OTHER_ORIGIN = new HttpsMockServer();
  private static final MockWebServer otherOrigin = OTHER_ORIGIN.server();

  private VersionedCredential credential;
  private String apiKey;
  private FakeManagedKey key;

  @BeforeEach
  void setUp() {
    credential = TestCredentials.credential(KEY_ID, "1");
    apiKey = TestCredentials.apiKeyOf(credential);
    key = new FakeManagedKey(credential);
  }

  private KeyGuardClient.Builder builder() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/v2"))
        .managedKey(key)
        .authScheme(TestSchemes.headerQueryAndSignature())
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  // ------------------------------------------------------------------------------- cleartext

  @Test
  void rawCall_whenCleartextUrl_isRefusedBeforeAByteIsSent() throws IOException {
    KeyGuardClient client = builder().build();
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      plain.setSoTimeout(300);
      Request request =
          new Request.Builder()
              .url("http://127.0.0.1:" + plain.getLocalPort() + "/v2/price")
              .build();

      Throwable thrown = catchThrowable(() -> client.okHttpClient().newCall(request).execute());

      assertThat(thrown).isInstanceOf(IOException.class);
      assertThat(thrown.getCause())
          .isInstanceOf(InsecureTransportException.class)
          .hasMessageContaining("cleartext")
          .hasMessageContaining("nothing was sent");
      // nothing connected: accept() times out
      assertThatThrownBy(plain::accept).isInstanceOf(SocketTimeoutException.class);
    }
    assertThat(key.currentCalls).hasValue(0);
  }

  @Test
  void rawCall_whenCleartextToNonLoopbackHostWithTestingSwitch_isRefused() {
    KeyGuardClient client =
        builder()
            .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
            .build();
    // 10.255.255.1 is not loopback: refused before any connection attempt (which would hang)
    Request request = new Request.Builder().url("http://10.255.255.1:9/v2/price").build();

    Throwable thrown = catchThrowable(() -> client.okHttpClient().newCall(request).execute());

    assertThat(thrown.getCause()).isInstanceOf(InsecureTransportException.class);
  }

  @Test
  void get_whenLoopbackCleartextAllowedForTesting_sendsToLocalHttpServer() {
    try (MockWebServer plain = TestTls.startHttpServer()) {
      MockServers.reset(plain);
      plain.enqueue(json(200, "{\"ok\":true}"));
      KeyGuardClient client =
          builder()
              .baseUrl(plain.url("/"))
              .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
              .build();

      JsonNode body = client.get("/ping", JsonNode.class);

      assertThat(body.get("ok").asBoolean()).isTrue();
      assertThat(takeAll(plain))
          .singleElement()
          .satisfies(r -> assertThat(r.getHeaders().get("X-Api-Key")).isEqualTo(apiKey));
    }
  }

  // ------------------------------------------------------------------------------- redirects

  @Test
  void get_whenRedirectedToAnotherOrigin_secondHopCarriesNoCredentialAtAll() {
    // the origin even echoes the key into the Location: it must not travel on
    api.enqueue(redirect(302, otherOrigin.url("/landing") + "?apikey=" + apiKey + "&page=2"));
    otherOrigin.enqueue(json(200, "{\"price\":1}"));
    KeyGuardClient client = builder().build();

    JsonNode body = client.get("/price", Map.of("symbol", "BTC"), JsonNode.class);

    assertThat(body.get("price").asInt()).isEqualTo(1);
    RecordedRequest first = takeAll(api).get(0);
    assertThat(first.getHeaders().get("X-Api-Key")).isEqualTo(apiKey);
    assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer " + apiKey);
    assertThat(first.getUrl().queryParameter("apikey")).isEqualTo(apiKey);
    assertThat(first.getUrl().queryParameter("signature")).isNotBlank();

    List<RecordedRequest> hops = takeAll(otherOrigin);
    assertThat(hops).hasSize(1);
    RecordedRequest hop = hops.get(0);
    assertThat(hop.getUrl().encodedPath()).isEqualTo("/landing");
    assertThat(hop.getUrl().queryParameter("page")).isEqualTo("2");
    assertNoCredential(hop);
  }

  @Test
  void get_whenRedirectedAwayAndBackToOrigin_laterHopsStillCarryNoCredential() {
    api.enqueue(redirect(302, otherOrigin.url("/bounce").toString()));
    otherOrigin.enqueue(redirect(302, api.url("/v2/back").toString()));
    api.enqueue(json(200, "{}"));
    KeyGuardClient client = builder().build();

    client.get("/price", JsonNode.class);

    List<RecordedRequest> apiRequests = takeAll(api);
    assertThat(apiRequests).hasSize(2);
    assertThat(apiRequests.get(0).getHeaders().get("X-Api-Key")).isEqualTo(apiKey);
    assertNoCredential(takeAll(otherOrigin).get(0));
    // a server of another origin chose this hop: it is not signed
    assertNoCredential(apiRequests.get(1));
  }

  @Test
  void get_whenRedirectedWithinOrigin_eachHopIsSignedAfresh() {
    api.enqueue(redirect(301, "/v2/moved?symbol=ETH"));
    api.enqueue(json(200, "{}"));
    KeyGuardClient client = builder().build();

    client.get("/price", Map.of("symbol", "BTC"), JsonNode.class);

    List<RecordedRequest> hops = takeAll(api);
    assertThat(hops).hasSize(2);
    for (RecordedRequest hop : hops) {
      HttpUrl url = hop.getUrl();
      assertThat(hop.getHeaders().get("X-Api-Key")).isEqualTo(apiKey);
      assertThat(url.queryParameterValues("apikey")).containsExactly(apiKey);
      assertThat(url.queryParameterValues("signature"))
          .containsExactly(
              TestSchemes.sign(
                  TestCredentials.apiSecretOf(credential), TestSchemes.signedText(url)));
    }
    assertThat(hops.get(1).getUrl().encodedPath()).isEqualTo("/v2/moved");
    assertThat(hops.get(1).getUrl().queryParameter("symbol")).isEqualTo("ETH");
    assertThat(hops.get(1).getUrl().queryParameter("signature"))
        .isNotEqualTo(hops.get(0).getUrl().queryParameter("signature"));
  }

  @Test
  void post_whenRedirected307WithinOrigin_keepsMethodAndBody_and302TurnsIntoGet() {
    api.enqueue(redirect(307, "/v2/orders-new"));
    api.enqueue(redirect(302, "/v2/orders-done"));
    api.enqueue(json(200, "{}"));
    KeyGuardClient client = builder().build();

    client.post("/orders", Map.of("qty", 1), JsonNode.class);

    List<RecordedRequest> hops = takeAll(api);
    assertThat(hops).extracting(RecordedRequest::getMethod).containsExactly("POST", "POST", "GET");
    assertThat(hops.get(1).getBody().utf8()).isEqualTo("{\"qty\":1}");
    assertThat(hops.get(2).getBodySize()).isZero();
  }

  @Test
  void get_whenRedirectedFromHttpsToHttp_isRefusedAndNothingReachesTheHttpUrl() throws IOException {
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      plain.setSoTimeout(300);
      api.enqueue(redirect(302, "http://127.0.0.1:" + plain.getLocalPort() + "/v2/price"));
      // even with the loopback testing switch, https -> http stays refused
      KeyGuardClient client =
          builder()
              .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
              .build();

      assertThatThrownBy(() -> client.get("/price", JsonNode.class))
          .isInstanceOf(InsecureTransportException.class)
          .hasMessageContaining("from https to http")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(apiKey));
      assertThatThrownBy(plain::accept).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void get_whenMoreRedirectsThanAllowed_failsWithoutLooping() {
    for (int i = 0; i < 3; i++) {
      api.enqueue(redirect(302, "/v2/loop"));
    }
    KeyGuardClient client =
        builder().httpsPolicy(HttpsPolicy.builder().maxRedirects(2).build()).build();

    assertThatThrownBy(() -> client.get("/loop", JsonNode.class))
        .isInstanceOfSatisfying(
            ApiTransportException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("more than 2 redirects");
    assertThat(takeAll(api)).hasSize(3);
  }

  @Test
  void get_whenRedirectsDisabled_returnsTheRedirectAsAnError() {
    api.enqueue(redirect(302, otherOrigin.url("/x").toString()));
    KeyGuardClient client =
        builder().httpsPolicy(HttpsPolicy.builder().maxRedirects(0).build()).build();

    assertThatThrownBy(() -> client.get("/price", JsonNode.class))
        .isInstanceOfSatisfying(
            ApiResponseException.class, e -> assertThat(e.status()).isEqualTo(302));
    assertThat(takeAll(otherOrigin)).isEmpty();
  }

  // --------------------------------------------------------------------------- TLS and pins

  @Test
  void get_whenCertificatePinDoesNotMatch_isRefusedBeforeTheRequestIsSent() {
    byte[] wrong = new byte[32];
    new SecureRandom().nextBytes(wrong);
    String wrongPin = "sha256/" + Base64.getEncoder().encodeToString(wrong);
    KeyGuardClient client =
        builder()
            .httpsPolicy(HttpsPolicy.builder().pin(api.getHostName(), wrongPin).build())
            .build();

    assertThatThrownBy(() -> client.get("/price", JsonNode.class))
        .isInstanceOf(InsecureTransportException.class)
        .hasMessageContaining("certificate");
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void get_whenCertificatePinMatches_succeeds() {
    api.enqueue(json(200, "{}"));
    String pin = CertificatePinner.pin(TestTls.SERVER_CERTIFICATE.certificate());
    KeyGuardClient client =
        builder().httpsPolicy(HttpsPolicy.builder().pin(api.getHostName(), pin).build()).build();

    client.get("/price", JsonNode.class);

    assertThat(takeAll(api)).hasSize(1);
  }

  @Test
  void okHttpClient_offersOnlyTls12And13_andNoCleartextSpec() {
    OkHttpClient ok = builder().build().okHttpClient();

    assertThat(ok.connectionSpecs()).hasSize(1);
    assertThat(ok.connectionSpecs().get(0).isTls()).isTrue();
    assertThat(ok.connectionSpecs().get(0).tlsVersions())
        .containsExactlyInAnyOrder(okhttp3.TlsVersion.TLS_1_3, okhttp3.TlsVersion.TLS_1_2);
    assertThat(ok.followRedirects()).isFalse();
    assertThat(ok.followSslRedirects()).isFalse();
  }

  // ------------------------------------------------------------------------------- raw OkHttp

  @Test
  void okHttpClient_rawUse_isAuthenticatedForTheOrigin_andStrippedOnCrossOriginRedirect()
      throws IOException {
    api.enqueue(json(200, "{}"));
    api.enqueue(redirect(302, otherOrigin.url("/elsewhere").toString()));
    otherOrigin.enqueue(json(200, "{}"));
    otherOrigin.enqueue(json(200, "{}"));
    OkHttpClient raw = builder().build().okHttpClient();

    try (Response r = raw.newCall(new Request.Builder().url(api.url("/v2/a")).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = raw.newCall(new Request.Builder().url(api.url("/v2/b")).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.request().url().port()).isEqualTo(otherOrigin.getPort());
    }
    try (Response r =
        raw.newCall(new Request.Builder().url(otherOrigin.url("/direct")).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }

    List<RecordedRequest> apiRequests = takeAll(api);
    assertThat(apiRequests).hasSize(2);
    assertThat(apiRequests)
        .allSatisfy(r -> assertThat(r.getHeaders().get("X-Api-Key")).isEqualTo(apiKey));
    List<RecordedRequest> others = takeAll(otherOrigin);
    assertThat(others).hasSize(2);
    others.forEach(this::assertNoCredential);
  }

  @Test
  void okHttpClient_derivedWithOkHttpRedirectsTurnedBackOn_refusesToSendTheKeyToAnotherOrigin() {
    api.enqueue(redirect(302, otherOrigin.url("/elsewhere").toString()));
    otherOrigin.enqueue(json(200, "{}"));
    // OkHttp would follow below KeyGuard's interceptors, resending the signed request and
    // stripping only Authorization; the network guard refuses before a byte is written
    OkHttpClient raw = builder().build().okHttpClient().newBuilder().followRedirects(true).build();

    Throwable thrown =
        catchThrowable(
            () -> raw.newCall(new Request.Builder().url(api.url("/v2/b")).build()).execute());

    assertThat(thrown).isInstanceOf(IOException.class);
    assertThat(thrown.getCause())
        .isInstanceOf(InsecureTransportException.class)
        .hasMessageContaining("not the origin of the base URL");
    assertThat(thrown.getCause().getMessage()).doesNotContain(apiKey);
    assertThat(takeAll(otherOrigin)).isEmpty();
  }

  @Test
  void post_whenRedirected307ToAnotherOrigin_bodyGoesButNoCredential() {
    api.enqueue(redirect(307, otherOrigin.url("/orders").toString()));
    otherOrigin.enqueue(json(200, "{}"));
    KeyGuardClient client = builder().build();

    client.post("/orders", RequestBody.create("a=1", MediaType.get("text/plain")), JsonNode.class);

    RecordedRequest hop = takeAll(otherOrigin).get(0);
    assertThat(hop.getMethod()).isEqualTo("POST");
    assertThat(hop.getBody().utf8()).isEqualTo("a=1");
    assertNoCredential(hop);
  }

  private void assertNoCredential(RecordedRequest request) {
    assertThat(request.getHeaders().get("X-Api-Key")).isNull();
    assertThat(request.getHeaders().get("Authorization")).isNull();
    assertThat(request.getUrl().queryParameter("apikey")).isNull();
    assertThat(request.getUrl().queryParameter("signature")).isNull();
    Map<String, List<String>> headers = new LinkedHashMap<>(request.getHeaders().toMultimap());
    assertThat(headers.toString()).doesNotContain(apiKey);
    assertThat(request.getTarget()).doesNotContain(apiKey);
    assertThat(request.getBody() == null ? "" : request.getBody().utf8()).doesNotContain(apiKey);
  }
}
