package dev.keyguard.auth;

import static dev.keyguard.auth.AuthTestSupport.allText;
import static dev.keyguard.auth.AuthTestSupport.assertNoSecretIn;
import static dev.keyguard.auth.AuthTestSupport.credential;
import static dev.keyguard.auth.AuthTestSupport.fixedClock;
import static dev.keyguard.testing.TestSecrets.randomAlphanumeric;
import static dev.keyguard.testing.TestSecrets.randomBase64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.client.ApiPreset;
import dev.keyguard.client.ApiPresets;
import dev.keyguard.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * No API key, API secret or private key appears in any toString of a scheme or preset, nor in any
 * exception a scheme throws for a bad credential.
 */
class AuthSchemeSecretLeakTest {

  private static final FakeClock CLOCK = fixedClock(1_767_225_600_000L);

  private final String apiKey = randomAlphanumeric(64);
  private final String hmacSecret = randomAlphanumeric(64);
  private final String krakenSecret = randomBase64(64);
  private final String pem = AuthTestSupport.sec1Pem(AuthTestSupport.p256KeyPair());

  private List<AuthScheme> allSchemes() {
    List<AuthScheme> schemes = new ArrayList<>();
    schemes.add(AuthSchemes.header("x-api-key"));
    schemes.add(AuthSchemes.bearer());
    schemes.add(AuthSchemes.queryParameter("api_key"));
    schemes.add(AuthSchemes.binanceHmac(CLOCK, Duration.ofSeconds(5)));
    schemes.add(AuthSchemes.krakenHmac(CLOCK));
    schemes.add(AuthSchemes.coinbaseJwt(CLOCK));
    for (ApiPreset preset : ApiPresets.all()) {
      schemes.add(preset.authScheme(CLOCK));
    }
    return schemes;
  }

  @Test
  void toString_ofEverySchemeAndPreset_afterUse_showsNoSecret() {
    StringBuilder text = new StringBuilder();
    for (AuthScheme scheme : allSchemes()) {
      try {
        scheme.apply(postRequest(), credential(apiKey, secretFor(scheme)));
      } catch (RuntimeException e) {
        text.append(allText(e));
      }
      text.append(scheme).append('\n');
    }
    for (ApiPreset preset : ApiPresets.all()) {
      text.append(preset).append('\n');
    }

    assertThat(text.toString()).contains("Binance", "Kraken", "Coinbase", "x-api-key");
    assertNoSecretIn(text.toString(), apiKey, hmacSecret, krakenSecret, pem);
  }

  @Test
  void exceptions_forMissingOrBadSecrets_showNoSecret() {
    List<Throwable> failures = new ArrayList<>();
    AuthScheme binance = AuthSchemes.binanceHmac(CLOCK, null);
    AuthScheme kraken = AuthSchemes.krakenHmac(CLOCK);
    AuthScheme coinbase = AuthSchemes.coinbaseJwt(CLOCK);

    failures.add(catchThrowable(() -> binance.apply(getRequest(), credential(apiKey))));
    failures.add(catchThrowable(() -> kraken.apply(postRequest(), credential(apiKey))));
    failures.add(catchThrowable(() -> coinbase.apply(getRequest(), credential(apiKey))));
    failures.add(
        catchThrowable(() -> kraken.apply(postRequest(), credential(apiKey, hmacSecret + "!"))));
    failures.add(
        catchThrowable(() -> coinbase.apply(getRequest(), credential(apiKey, hmacSecret))));
    failures.add(
        catchThrowable(
            () -> coinbase.apply(getRequest(), credential(apiKey, pem.replace("MH", "M!")))));
    failures.add(
        catchThrowable(
            () ->
                binance.apply(getRequest(), credential(apiKey + "\r\n" + hmacSecret, hmacSecret))));

    for (Throwable failure : failures) {
      assertThat(failure).isInstanceOf(MalformedSecretException.class);
      assertThat(((KeyGuardException) failure).keyId()).contains(KeyId.of("test-key"));
      assertNoSecretIn(allText(failure), apiKey, hmacSecret, krakenSecret, pem);
    }
  }

  private String secretFor(AuthScheme scheme) {
    String name = scheme.toString();
    if (name.startsWith("Kraken")) {
      return krakenSecret;
    }
    if (name.startsWith("Coinbase")) {
      return pem;
    }
    return hmacSecret;
  }

  private static Request getRequest() {
    return new Request.Builder().url("https://api.example.com/v1/x").build();
  }

  private static Request postRequest() {
    return new Request.Builder()
        .url("https://api.example.com/0/private/Balance")
        .post(new FormBody.Builder().add("a", "1").build())
        .build();
  }
}
