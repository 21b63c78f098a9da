package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.testing.TestSecrets;
import java.util.Set;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/**
 * The one URL renderer behind exception messages ({@code of}) and HTTP log lines ({@code render}).
 */
class SafeUrlTest {

  private final String key = TestSecrets.randomHex(20);

  @Test
  void of_masksTheSchemesAndTheAlwaysRedactedNames_keepingOrderAndOtherValues() {
    HttpUrl url =
        HttpUrl.get(
            "https://api.example.com/v2/price?symbol=BTC&acct_token="
                + key
                + "&limit=5&Signature="
                + key
                + "&flag");

    assertThat(SafeUrl.of(url, Set.of("acct_token")))
        .isEqualTo(
            "https://api.example.com/v2/price?symbol=BTC&acct_token=[REDACTED]&limit=5&Signature=[REDACTED]&flag");
  }

  @Test
  void of_dropsUserInfoAndFragment() {
    HttpUrl url =
        HttpUrl.get("https://user:" + key + "@api.example.com:8443/v1/a%20b?q=x%20y#frag-" + key);

    assertThat(SafeUrl.of(url, Set.of()))
        .isEqualTo("https://api.example.com:8443/v1/a%20b?q=x%20y");
  }

  @Test
  void of_whenALiveSecretIsInThePathOrAnotherParameter_scrubsIt() {
    Secret secret = Secret.of(TestSecrets.randomBase64Url(24));
    String value = secret.value(InsecureSecretAccess.get());
    Redactor.global().register(secret);
    try {
      HttpUrl url = HttpUrl.get("https://api.example.com/accounts/" + value + "?note=" + value);

      assertThat(SafeUrl.of(url, Set.of()))
          .doesNotContain(value)
          .isEqualTo(
              "https://api.example.com/accounts/[REDACTED:"
                  + secret.fingerprint()
                  + "]?note=[REDACTED:"
                  + secret.fingerprint()
                  + "]");
    } finally {
      Redactor.global().retire(secret);
    }
  }

  @Test
  void render_whenALiveSecretIsInThePathOrAShownValue_scrubsIt() {
    Secret secret = Secret.of(TestSecrets.randomBase64Url(24));
    String value = secret.value(InsecureSecretAccess.get());
    Redactor.global().register(secret);
    try {
      HttpUrl url =
          HttpUrl.get("https://api.example.com/keys/" + value + "?page=" + value + "#" + value);

      String rendered = SafeUrl.render(url, "page"::equals, "REDACTED");

      assertThat(rendered.contains(value)).as("the rendering shows the secret").isFalse();
      assertThat(rendered)
          .isEqualTo(
              "https://api.example.com/keys/[REDACTED:"
                  + secret.fingerprint()
                  + "]?page=[REDACTED:"
                  + secret.fingerprint()
                  + "]");
    } finally {
      Redactor.global().retire(secret);
    }
  }

  @Test
  void render_bracketsAnIpv6Host_andMasksWhatThePredicateRefuses() {
    HttpUrl url = HttpUrl.get("https://[::1]:9443/x?page=2&sig=" + key);

    assertThat(SafeUrl.render(url, "page"::equals, "REDACTED"))
        .isEqualTo("https://[::1]:9443/x?page=2&sig=REDACTED");
  }
}
