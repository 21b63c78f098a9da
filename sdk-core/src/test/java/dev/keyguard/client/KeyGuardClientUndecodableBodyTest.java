package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.SecretFragments.assertNoFragmentIn;
import static dev.keyguard.client.SecretFragments.upperCaseSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.KeyId;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.TestCredentials;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 2xx body that is not JSON of the expected type: the exception says what was expected and where,
 * never what the parser saw. Jackson quotes a bad token cut at 256 chars (and a bad string value at
 * 500), so a key longer than the cut, or one the cut falls inside, would leave a prefix that
 * whole-value redaction cannot recognise.
 */
class KeyGuardClientUndecodableBodyTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private final List<Secret> registered = new ArrayList<>();

  /** A response body type. */
  record Price(String symbol, BigDecimal price) {}

  @AfterEach
  void retireSecrets() {
    registered.forEach(Redactor.global()::retire);
  }

  /** A live secret: registered with the process-wide redactor, as the key manager would. */
  private String liveSecret(int length) {
    String value = upperCaseSecret(length);
    Secret secret = Secret.of(value);
    Redactor.global().register(secret);
    registered.add(secret);
    return value;
  }

  private KeyGuardClient client() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/v2"))
        .managedKey(new FakeManagedKey(TestCredentials.credential(KeyId.of("decode-test"), "1")))
        .authScheme(TestSchemes.header())
        .okHttpClient(TestTls.TRUSTING_OKHTTP)
        .build();
  }

  private ApiResponseException decodeFailure(String body) {
    api.enqueue(json(200, body));
    return catchThrowableOfType(
        ApiResponseException.class, () -> client().get("/price", Price.class));
  }

  @Test
  void error_whenInvalidJsonHoldsALiveKeyLongerThanTheParsersCut_noPartOfItSurvives()
      throws IOException {
    String key = liveSecret(300);

    ApiResponseException e = decodeFailure("{\"symbol\":\"btc\",\n \"price\": " + key + "}");

    // checked first: a failure message must not print the leaked text
    assertNoFragmentIn(e, List.of(key));
    assertThat(e.status()).isEqualTo(200);
    assertThat(e.getMessage())
        .contains("could not be decoded as " + Price.class.getName())
        .containsPattern("not well-formed JSON at line 2, column \\d+\\)");
    assertThat(e.getCause()).isNull();
  }

  @Test
  void error_whenTheParsersCutFallsInsideALiveKey_noPartOfItSurvives() throws IOException {
    String key = liveSecret(60);
    // one bad token of 230 filler chars and the key: the parser quotes its first 256 chars
    String token = "q".repeat(230) + key;

    ApiResponseException e = decodeFailure("{\"symbol\":\"btc\",\"price\":" + token + "}");

    // checked first: a failure message must not print the leaked text
    assertNoFragmentIn(e, List.of(key));
    assertThat(e.getMessage()).contains("not well-formed JSON at line 1, column 25");
  }

  @Test
  void error_whenAValueOfTheWrongTypeIsALongLiveKey_saysWhatWasExpected_notTheValue()
      throws IOException {
    String key = liveSecret(600);

    ApiResponseException e = decodeFailure("{\"symbol\":\"btc\",\"price\":\"" + key + "\"}");

    // checked first: a failure message must not print the leaked text
    assertNoFragmentIn(e, List.of(key));
    assertThat(e.getMessage())
        .contains("could not be decoded as " + Price.class.getName())
        .contains("expected " + BigDecimal.class.getName() + " at line 1, column 25");
    assertThat(e.getCause()).isNull();
  }
}
