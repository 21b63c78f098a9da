package dev.keyguard.auth;

import static dev.keyguard.auth.AuthTestSupport.allText;
import static dev.keyguard.auth.AuthTestSupport.assertNoSecretIn;
import static dev.keyguard.auth.AuthTestSupport.credential;
import static dev.keyguard.testing.TestSecrets.randomAlphanumeric;
import static dev.keyguard.testing.TestSecrets.randomHex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.CredentialRequirement;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyId;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.LogCapture;
import java.util.List;
import java.util.stream.Collectors;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Header, bearer and query parameter schemes. */
class SimpleAuthSchemesTest {

  private final LogCapture logs = LogCapture.of(QueryParameterAuthScheme.class);

  @AfterEach
  void releaseLogs() {
    logs.close();
  }

  @Test
  void requirement_ofTheApiKeySchemes_isTheApiKeyOnly_andOfTheSigningSchemes_alsoTheSecret() {
    List<AuthScheme> keyOnly =
        List.of(
            AuthSchemes.header("x-api-key"), AuthSchemes.bearer(), AuthSchemes.queryParameter("k"));
    List<AuthScheme> signing =
        List.of(AuthSchemes.binanceHmac(), AuthSchemes.krakenHmac(), AuthSchemes.coinbaseJwt());

    assertThat(keyOnly)
        .allSatisfy(s -> assertThat(s.requirement()).isEqualTo(CredentialRequirement.apiKeyOnly()));
    assertThat(signing)
        .allSatisfy(
            s ->
                assertThat(s.requirement().parts())
                    .contains(CredentialRequirement.Part.API_SECRET));
  }

  @Test
  void apply_ofASigningScheme_whenTheSecretIsStoredUnderAnotherName_failsAsTheKeyPathDoes() {
    String apiKey = randomAlphanumeric(64);
    VersionedCredential parsed =
        CredentialFieldMapping.defaults()
            .parse(KeyId.of("binance"), "{\"apiKey\":\"" + apiKey + "\",\"secretKey\":\"s\"}")
            .build();
    Request request = new Request.Builder().url("https://api.binance.com/api/v3/account").build();

    assertThatThrownBy(() -> AuthSchemes.binanceHmac().apply(request, parsed))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("has no API secret, which the Binance HMAC-SHA256 scheme needs")
        .hasMessageContaining("found fields: apiKey, secretKey")
        .satisfies(e -> assertNoSecretIn(allText(e), apiKey));
  }

  @Test
  void header_setsTheNamedHeaderToTheApiKey() {
    String apiKey = randomAlphanumeric(40);
    Request request =
        new Request.Builder()
            .url("https://api.example.com/v1/x")
            .header("Accept", "application/json")
            .build();

    Request signed = AuthSchemes.header("X-Api-Key").apply(request, credential(apiKey));

    assertThat(signed.header("x-api-key")).isEqualTo(apiKey);
    assertThat(signed.headers().names()).containsExactlyInAnyOrder("Accept", "X-Api-Key");
    assertThat(signed.url()).isEqualTo(request.url());
  }

  @Test
  void header_whenRequestAlreadyHasTheHeader_replacesIt() {
    String apiKey = randomAlphanumeric(40);
    Request request =
        new Request.Builder()
            .url("https://api.example.com/")
            .header("x-api-key", "placeholder")
            .build();

    Request signed = AuthSchemes.header("x-api-key").apply(request, credential(apiKey));

    assertThat(signed.headers("x-api-key")).containsExactly(apiKey);
  }

  @Test
  void header_declaresItsNameInLowerCase() {
    AuthScheme scheme = AuthSchemes.header("X-CMC_PRO_API_KEY");
    assertThat(scheme.headerNames()).containsExactly("x-cmc_pro_api_key");
    assertThat(scheme.queryParameterNames()).isEmpty();
  }

  @Test
  void header_whenNameIsInvalid_throwsIllegalArgument() {
    assertThatThrownBy(() -> AuthSchemes.header("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuthSchemes.header("x api key"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuthSchemes.header("x-key:"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void header_whenApiKeyHasANewline_throwsMalformedSecretWithoutTheValue() {
    String first = randomAlphanumeric(20);
    String second = randomAlphanumeric(20);
    VersionedCredential cred = credential(first + "\n" + second);
    Request request = new Request.Builder().url("https://api.example.com/").build();

    assertThatThrownBy(() -> AuthSchemes.header("x-api-key").apply(request, cred))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("test-key")
        .hasMessageContaining("position 20")
        .satisfies(e -> assertNoSecretIn(allText(e), first, second));
  }

  @Test
  void bearer_setsAuthorizationBearer() {
    String apiKey = randomAlphanumeric(40);
    Request signed =
        AuthSchemes.bearer()
            .apply(
                new Request.Builder().url("https://api.example.com/").build(), credential(apiKey));

    assertThat(signed.header("Authorization")).isEqualTo("Bearer " + apiKey);
    assertThat(signed.headers().size()).isEqualTo(1);
    assertThat(AuthSchemes.bearer().headerNames()).containsExactly("authorization");
  }

  @Test
  void queryParameter_setsTheParameterAndDeclaresItsName() {
    String name = "k_" + randomHex(6);
    String apiKey = randomAlphanumeric(40);
    AuthScheme scheme = AuthSchemes.queryParameter(name);
    Request request =
        new Request.Builder().url("https://api.example.com/ping?a=1&" + name + "=old").build();

    Request signed = scheme.apply(request, credential(apiKey));

    assertThat(signed.url().queryParameterValues(name)).containsExactly(apiKey);
    assertThat(signed.url().queryParameter("a")).isEqualTo("1");
    assertThat(signed.headers().size()).isZero();
    assertThat(scheme.queryParameterNames()).containsExactly(name);
    assertThat(scheme.headerNames()).isEmpty();
  }

  @Test
  void queryParameter_logsOneWarningPerNameAndNeverTheKey() {
    String name = "k_" + randomHex(6);
    String apiKey = randomAlphanumeric(40);

    AuthScheme first = AuthSchemes.queryParameter(name);
    AuthScheme second = AuthSchemes.queryParameter(name);
    Request request = new Request.Builder().url("https://api.example.com/ping").build();
    first.apply(request, credential(apiKey));
    second.apply(request, credential(apiKey));

    List<String> warnings =
        logs.messages(Level.WARN).stream()
            .filter(m -> m.contains("'" + name + "'"))
            .collect(Collectors.toList());
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains("logs");
    assertNoSecretIn(String.join("\n", logs.messages()), apiKey);
  }

  @Test
  void queryParameter_whenNameNeedsEncoding_throwsIllegalArgument() {
    assertThatThrownBy(() -> AuthSchemes.queryParameter("a&b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuthSchemes.queryParameter("a=b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuthSchemes.queryParameter(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void customScheme_asLambda_isAnAuthScheme() {
    String apiKey = randomAlphanumeric(40);
    AuthScheme custom =
        (request, credential) ->
            request
                .newBuilder()
                .header("X-Custom", credential.apiKey().value(InsecureSecretAccess.get()))
                .build();

    Request signed =
        custom.apply(
            new Request.Builder().url("https://api.example.com/").build(), credential(apiKey));

    assertThat(signed.header("X-Custom")).isEqualTo(apiKey);
    assertThat(custom.headerNames()).as("a bare lambda declares nothing").isEmpty();
  }

  @Test
  void apply_preparesTheValueOncePerCredential_andANewVersionSendsItsOwnKey() {
    String first = randomAlphanumeric(32);
    String second = randomAlphanumeric(32);
    VersionedCredential v1 = credential(first);
    VersionedCredential v2 = credential(second);
    Request request = new Request.Builder().url("https://api.example.com/v1/x").build();
    AuthScheme header = AuthSchemes.header("x-api-key");
    AuthScheme bearer = AuthSchemes.bearer();
    AuthScheme query = AuthSchemes.queryParameter("apikey");

    for (int i = 0; i < 2; i++) {
      assertThat(header.apply(request, v1).header("x-api-key")).isEqualTo(first);
      assertThat(bearer.apply(request, v1).header("Authorization")).isEqualTo("Bearer " + first);
      assertThat(query.apply(request, v1).url().queryParameter("apikey")).isEqualTo(first);
    }
    assertThat(header.apply(request, v2).header("x-api-key")).isEqualTo(second);
    assertThat(bearer.apply(request, v2).header("Authorization")).isEqualTo("Bearer " + second);
    assertThat(query.apply(request, v2).url().queryParameter("apikey")).isEqualTo(second);
    assertThat(header.apply(request, v1).header("x-api-key")).isEqualTo(first);
  }

  @Test
  void apply_withADestroyedSecret_throwsEvenThoughItsValueWasPrepared() {
    VersionedCredential v1 = credential(randomAlphanumeric(32));
    Request request = new Request.Builder().url("https://api.example.com/v1/x").build();
    List<AuthScheme> schemes =
        List.of(
            AuthSchemes.header("x-api-key"), AuthSchemes.bearer(), AuthSchemes.queryParameter("k"));
    schemes.forEach(s -> s.apply(request, v1));

    v1.apiKey().destroy();

    assertThat(schemes)
        .allSatisfy(
            s ->
                assertThatThrownBy(() -> s.apply(request, v1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("destroyed"));
  }

  @Test
  void apply_ofTheQueryScheme_encodesTheKeyAsHttpUrlWould() {
    String key = randomAlphanumeric(16) + "+/= &%";
    Request request = new Request.Builder().url("https://api.example.com/v1/x?a=1").build();

    Request signed = AuthSchemes.queryParameter("k").apply(request, credential(key));

    assertThat(signed.url())
        .isEqualTo(request.url().newBuilder().setQueryParameter("k", key).build());
  }
}
