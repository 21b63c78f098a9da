package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import okhttp3.Authenticator;
import okhttp3.Cache;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class KeyGuardClientBuilderTest {

  private final VersionedCredential credential =
      TestCredentials.credential(KeyId.of("builder-test"), "1");
  private final FakeManagedKey key = new FakeManagedKey(credential);

  private KeyGuardClient.Builder complete() {
    return KeyGuardClient.builder()
        .baseUrl("https://api.example.com/v2")
        .managedKey(key)
        .authScheme(TestSchemes.header());
  }

  @Test
  void build_whenBaseUrlIsHttp_fails() {
    assertThatThrownBy(() -> complete().baseUrl("http://api.example.com/v2").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUrl must be https");
  }

  @Test
  void build_whenHttpLoopbackWithoutTestingSwitch_fails() {
    assertThatThrownBy(() -> complete().baseUrl("http://127.0.0.1:8080/").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("allowLoopbackCleartextForTesting");
  }

  @Test
  void build_whenHttpNonLoopbackWithTestingSwitch_stillFails() {
    HttpsPolicy testing = HttpsPolicy.builder().allowLoopbackCleartextForTesting().build();

    assertThatThrownBy(
            () -> complete().baseUrl("http://api.example.com/").httpsPolicy(testing).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only permits http to localhost");
  }

  @Test
  void build_whenHttpLoopbackWithTestingSwitch_succeeds() {
    HttpsPolicy testing = HttpsPolicy.builder().allowLoopbackCleartextForTesting().build();

    for (String url :
        new String[] {
          "http://127.0.0.1:1/", "http://localhost:1/", "http://[::1]:1/", "http://127.9.9.9/"
        }) {
      assertThat(complete().baseUrl(url).httpsPolicy(testing).build().baseUrl().isHttps())
          .isFalse();
    }
  }

  @Test
  void build_whenRequiredSettingMissing_namesIt() {
    assertThatThrownBy(
            () -> KeyGuardClient.builder().managedKey(key).authScheme(TestSchemes.header()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUrl");
    assertThatThrownBy(
            () ->
                KeyGuardClient.builder()
                    .baseUrl("https://a.example")
                    .authScheme(TestSchemes.header())
                    .build())
        .hasMessageContaining("managedKey");
    assertThatThrownBy(
            () -> KeyGuardClient.builder().baseUrl("https://a.example").managedKey(key).build())
        .hasMessageContaining("authScheme");
  }

  @Test
  void baseUrl_withUserInfoOrQuery_isRejectedWithoutEchoingIt() {
    String secret = TestSecrets.randomHex(20);

    assertThatThrownBy(() -> complete().baseUrl("https://user:" + secret + "@api.example.com/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(secret);
    assertThatThrownBy(() -> complete().baseUrl("https://api.example.com/?apikey=" + secret))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(secret);
    assertThatThrownBy(() -> complete().baseUrl("not a url " + secret))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(secret);
  }

  @Test
  void settings_areCheckedWhenSet() {
    assertThatThrownBy(() -> complete().connectTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> complete().clientRateLimit(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> complete().clientRateLimit(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> complete().rejectionStatuses(500))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> complete().rateLimitHeaderPrefixes(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void okHttpClient_derivesFromTheCallersClient_sharingPoolAndDispatcher_withProtectionsForced() {
    OkHttpClient callers =
        new OkHttpClient.Builder()
            .followRedirects(true)
            .authenticator((route, response) -> null)
            .cache(new Cache(new java.io.File("target/unused-cache"), 1024))
            .build();

    OkHttpClient ok =
        complete()
            .okHttpClient(callers)
            .connectTimeout(Duration.ofSeconds(3))
            .build()
            .okHttpClient();

    assertThat(ok.connectionPool()).isSameAs(callers.connectionPool());
    assertThat(ok.dispatcher()).isSameAs(callers.dispatcher());
    assertThat(ok.followRedirects()).isFalse();
    assertThat(ok.followSslRedirects()).isFalse();
    assertThat(ok.authenticator()).isSameAs(Authenticator.NONE);
    assertThat(ok.cache()).isNull();
    assertThat(ok.connectTimeoutMillis()).isEqualTo(3000);
    assertThat(ok.connectionSpecs()).containsExactly(HttpsPolicy.TLS_1_2_OR_LATER);
  }

  @Test
  void okHttpClient_ofAnotherKeyGuardClient_isRefusedAsBase() {
    OkHttpClient protectedClient = complete().build().okHttpClient();

    assertThatThrownBy(() -> complete().okHttpClient(protectedClient).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already carries KeyGuard interceptors");
  }

  @Test
  void toBuilder_derivesAClientSharingThePool_withChangedSettings() {
    KeyGuardClient first = complete().build();

    KeyGuardClient second = first.toBuilder().retryOptions(RetryOptions.none()).build();

    assertThat(second.okHttpClient().connectionPool())
        .isSameAs(first.okHttpClient().connectionPool());
    assertThat(second.baseUrl()).isEqualTo(first.baseUrl());
    assertThat(second.keyId()).isEqualTo(first.keyId());
    assertThat(second.toString()).contains("maxAttempts=1");
    assertThat(first.toString()).contains("maxAttempts=3");
    // HTTPS policy, retry, authentication, usage monitor, no silent resend
    assertThat(first.toBuilder().build().okHttpClient().interceptors()).hasSize(5);
  }

  /** Puts the key in a header and a query parameter that no built-in list knows as credentials. */
  private static AuthScheme customNamesScheme() {
    return new AuthScheme() {
      @Override
      public Request apply(Request request, VersionedCredential credential) {
        String key = TestCredentials.apiKeyOf(credential);
        return request
            .newBuilder()
            .url(request.url().newBuilder().addQueryParameter("acct_token", key).build())
            .header("X-Partner-Key", key)
            .build();
      }

      @Override
      public Set<String> headerNames() {
        return Set.of("x-partner-key");
      }

      @Override
      public Set<String> queryParameterNames() {
        return Set.of("acct_token");
      }
    };
  }

  @Test
  void build_whenHttpLoggerAllowListsTheSchemesHeader_failsNamingIt() {
    HttpLogger showsTheHeader = HttpLogger.builder().allowHeader("X-Partner-Key").build();

    assertThatThrownBy(
            () ->
                complete()
                    .authScheme(customNamesScheme())
                    .loggingInterceptor(showsTheHeader)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("header 'x-partner-key'")
        .hasMessageContaining("AuthScheme");
  }

  @Test
  void build_whenHttpLoggerAllowListsTheSchemesQueryParameter_failsNamingIt() {
    HttpLogger showsTheParameter = HttpLogger.builder().allowQueryParameter("acct_token").build();

    assertThatThrownBy(
            () ->
                complete()
                    .authScheme(customNamesScheme())
                    .loggingInterceptor(showsTheParameter)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("query parameter 'acct_token'");
  }

  @Test
  void build_whenHttpLoggerDefaultAllowListHoldsTheSchemesHeader_failsNamingIt() {
    AuthScheme inRequestId =
        new AuthScheme() {
          @Override
          public Request apply(Request request, VersionedCredential credential) {
            return request
                .newBuilder()
                .header("X-Request-Id", TestCredentials.apiKeyOf(credential))
                .build();
          }

          @Override
          public Set<String> headerNames() {
            return Set.of("x-request-id");
          }
        };

    assertThatThrownBy(
            () ->
                complete()
                    .authScheme(inRequestId)
                    .loggingInterceptor(HttpLogger.builder().build())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("header 'x-request-id'");
  }

  @Test
  void build_withHttpLogger_installsItBoundToTheAuthScheme_andDerivedClientsAreCheckedAgain() {
    HttpLogger showsTheHeader = HttpLogger.builder().allowHeader("X-Partner-Key").build();
    KeyGuardClient client = complete().loggingInterceptor(showsTheHeader).build();

    HttpLogger installed =
        client.okHttpClient().interceptors().stream()
            .filter(HttpLogger.class::isInstance)
            .map(HttpLogger.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(installed).isNotSameAs(showsTheHeader);
    // already bound: the scheme's names add nothing
    assertThat(installed.forAuthScheme(TestSchemes.header())).isSameAs(installed);
    assertThatThrownBy(() -> client.toBuilder().authScheme(customNamesScheme()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("header 'x-partner-key'");
  }

  @Test
  void toString_showsNoSecret() {
    KeyGuardClient client = complete().build();

    assertThat(client.toString())
        .contains("builder-test", "api.example.com")
        .doesNotContain(TestCredentials.apiKeyOf(credential));
  }

  @Test
  void url_appendsThePathToTheBasePath_andCannotLeaveTheOrigin() {
    KeyGuardClient client = complete().build();
    KeyGuardClient slash = complete().baseUrl("https://api.example.com/v2/").build();
    KeyGuardClient root = complete().baseUrl("https://api.example.com").build();

    assertThat(client.url("/price", Map.of()).toString())
        .isEqualTo("https://api.example.com/v2/price");
    assertThat(client.url("price/latest", Map.of("a", 1)).toString())
        .isEqualTo("https://api.example.com/v2/price/latest?a=1");
    assertThat(slash.url("/price", Map.of()).toString())
        .isEqualTo("https://api.example.com/v2/price");
    assertThat(root.url("/price", Map.of()).toString()).isEqualTo("https://api.example.com/price");
    assertThat(client.url("", Map.of()).toString()).isEqualTo("https://api.example.com/v2");
    assertThat(client.url("/a b", Map.of("q", "x&y")).toString())
        .isEqualTo("https://api.example.com/v2/a%20b?q=x%26y");
    assertThatThrownBy(() -> client.url("https://evil.example/x", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.url("//evil.example/x", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.url("/../admin", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.url("/%2E%2E/admin", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.url("/price?apikey=x", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
