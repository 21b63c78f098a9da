package dev.keyguard.client;

import static dev.keyguard.client.MockServers.redirect;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.auth.AuthTestSupport;
import dev.keyguard.testing.SecretLeakAssertions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A redirect from the credential origin to another origin whose target URL carries a live secret
 * (the server echoed it, in the path or under a parameter name the scheme does not use) is refused,
 * whatever the auth scheme: stripping credentials by parameter name cannot find it.
 */
class KeyGuardClientCrossOriginRedirectTest {

  private static final KeyId KEY_ID = KeyId.of("cross-origin-redirect-test");

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();
  // same host, another port: another origin
  @RegisterExtension static final HttpsMockServer OTHER_ORIGIN = new HttpsMockServer();
  private static final MockWebServer otherOrigin = OTHER_ORIGIN.server();

  @Test
  void get_whenHeaderKeyIsEchoedIntoTheTargetPath_isRefusedAndNothingReachesTheOtherOrigin() {
    VersionedCredential credential = TestCredentials.credential(KEY_ID, "1");
    String apiKey = TestCredentials.apiKeyOf(credential);
    api.enqueue(redirect(302, otherOrigin.url("/landing/" + apiKey + "/done").toString()));

    InsecureTransportException e = refusedRedirect(credential, TestSchemes.header());

    assertThat(e.keyId()).contains(KEY_ID);
    assertRefusedWithoutLeak(e, credential);
  }

  @Test
  void get_whenHeaderKeyIsEchoedBase64EncodedIntoTheTargetPath_isRefused() {
    VersionedCredential credential = TestCredentials.credential(KEY_ID, "1");
    String encoded =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(TestCredentials.apiKeyOf(credential).getBytes(StandardCharsets.UTF_8));
    api.enqueue(redirect(302, otherOrigin.url("/landing/" + encoded).toString()));

    assertRefusedWithoutLeak(refusedRedirect(credential, TestSchemes.header()), credential);
  }

  @Test
  void get_whenQueryKeyIsEchoedUnderAnotherParameterName_isRefused() {
    VersionedCredential credential = TestCredentials.credential(KEY_ID, "1");
    String apiKey = TestCredentials.apiKeyOf(credential);
    // "apikey" (the scheme's name) would be stripped; "next" is not one the scheme uses
    api.enqueue(
        redirect(302, otherOrigin.url("/landing") + "?apikey=" + apiKey + "&next=" + apiKey));

    assertRefusedWithoutLeak(refusedRedirect(credential, TestSchemes.query()), credential);
  }

  @Test
  void get_whenCoinbaseJwtIsEchoedIntoTheTarget_isRefused() {
    String keyName = "organizations/" + UUID.randomUUID() + "/apiKeys/" + UUID.randomUUID();
    String pem = AuthTestSupport.sec1Pem(AuthTestSupport.p256KeyPair());
    VersionedCredential credential =
        VersionedCredential.builder(KEY_ID, Secret.of(keyName))
            .apiSecret(Secret.of(pem))
            .version("1")
            .build();
    String[] jwt = new String[1];
    api.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String authorization = request.getHeaders().get("Authorization");
            jwt[0] = authorization.substring("Bearer ".length());
            return redirect(302, otherOrigin.url("/callback") + "?state=" + jwt[0]);
          }
        });

    InsecureTransportException e = refusedRedirect(credential, AuthSchemes.coinbaseJwt());

    assertThat(jwt[0]).isNotNull();
    assertRefusedWithoutLeak(e, credential);
    assertThat(e.getMessage().contains(jwt[0])).as("the message quotes the JWT").isFalse();
  }

  private InsecureTransportException refusedRedirect(
      VersionedCredential credential, AuthScheme scheme) {
    KeyGuardClient client =
        KeyGuardClient.builder()
            .baseUrl(api.url("/v2"))
            .managedKey(new FakeManagedKey(credential))
            .authScheme(scheme)
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .build();
    return catchThrowableOfType(
        InsecureTransportException.class, () -> client.get("/price", JsonNode.class));
  }

  /** Leak check first: it names only the form found, while the assertions below print text. */
  private static void assertRefusedWithoutLeak(
      InsecureTransportException e, VersionedCredential credential) {
    assertThat(e).as("an InsecureTransportException").isNotNull();
    SecretLeakAssertions.assertNoLeak(e, SecretLeakAssertions.secretsOf(credential));
    assertThat(e.getMessage())
        .contains("Refused a redirect")
        .contains("another origin")
        .contains("carries a live secret")
        .contains("nothing was sent");
    assertThat(e.isRetryable()).isFalse();
    List<RecordedRequest> reached = takeAll(otherOrigin);
    assertThat(reached).isEmpty();
    assertThat(takeAll(api)).hasSize(1);
  }
}
