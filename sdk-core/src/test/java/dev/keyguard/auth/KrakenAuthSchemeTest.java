package dev.keyguard.auth;

import static dev.keyguard.auth.AuthTestSupport.allText;
import static dev.keyguard.auth.AuthTestSupport.assertNoSecretIn;
import static dev.keyguard.auth.AuthTestSupport.credential;
import static dev.keyguard.auth.AuthTestSupport.fixedClock;
import static dev.keyguard.auth.BinanceHmacAuthSchemeTest.bodyOf;
import static dev.keyguard.testing.TestSecrets.randomAlphanumeric;
import static dev.keyguard.testing.TestSecrets.randomBase64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;

class KrakenAuthSchemeTest {

  // Public documentation test vector, not a real key: the API-Sign example (a limit order to buy
  // 1.25 XBTUSD at 37500) in Kraken's "Spot REST Authentication" guide,
  // https://docs.kraken.com/api/docs/guides/spot-rest-auth
  private static final String DOC_PRIVATE_KEY =
      "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";
  private static final long DOC_NONCE = 1616492376594L;
  private static final String DOC_ENCODED_PAYLOAD =
      "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";
  private static final String DOC_API_SIGN =
      "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==";

  @Test
  void apply_whenDocExample_producesDocumentedApiSignAndPayload() throws Exception {
    String apiKey = randomAlphanumeric(56);
    AuthScheme scheme = AuthSchemes.krakenHmac(fixedClock(DOC_NONCE));
    Request request =
        new Request.Builder()
            .url("https://api.kraken.com/0/private/AddOrder")
            .post(
                new FormBody.Builder()
                    .add("ordertype", "limit")
                    .add("pair", "XBTUSD")
                    .add("price", "37500")
                    .add("type", "buy")
                    .add("volume", "1.25")
                    .build())
            .build();

    Request signed = scheme.apply(request, credential(apiKey, DOC_PRIVATE_KEY));

    assertThat(signed.header("API-Sign")).isEqualTo(DOC_API_SIGN);
    assertThat(bodyOf(signed)).isEqualTo(DOC_ENCODED_PAYLOAD);
    assertThat(signed.header("API-Key")).isEqualTo(apiKey);
    assertThat(signed.url()).isEqualTo(request.url());
  }

  @Test
  void apply_whenBodyEmpty_sendsNonceOnlyAndSignsIt() throws Exception {
    String secret = randomBase64(64);
    AuthScheme scheme = AuthSchemes.krakenHmac(fixedClock(1_767_225_600_000L));
    Request request =
        new Request.Builder()
            .url("https://api.kraken.com/0/private/Balance")
            .post(new FormBody.Builder().build())
            .build();

    Request signed = scheme.apply(request, credential(randomAlphanumeric(56), secret));

    assertThat(bodyOf(signed)).isEqualTo("nonce=1767225600000");
    assertThat(signed.header("API-Sign"))
        .isEqualTo(
            expectedSign(secret, "/0/private/Balance", "1767225600000", "nonce=1767225600000"));
    assertThat(signed.body().contentType())
        .isEqualTo(MediaType.get("application/x-www-form-urlencoded"));
  }

  @Test
  void apply_whenClockDoesNotAdvance_noncesStillIncrease() throws Exception {
    AuthScheme scheme = AuthSchemes.krakenHmac(fixedClock(5_000L));
    VersionedCredential cred = credential(randomAlphanumeric(56), randomBase64(64));
    Request request = balanceRequest();

    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      bodies.add(bodyOf(scheme.apply(request, cred)));
    }

    assertThat(bodies).containsExactly("nonce=5000", "nonce=5001", "nonce=5002");
  }

  @Test
  void apply_whenClockMovesAhead_nonceFollowsTheClock() throws Exception {
    FakeClock clock = fixedClock(5_000L);
    AuthScheme scheme = AuthSchemes.krakenHmac(clock);
    VersionedCredential cred = credential(randomAlphanumeric(56), randomBase64(64));

    String first = bodyOf(scheme.apply(balanceRequest(), cred));
    clock.set(Instant.ofEpochMilli(9_000L));
    String second = bodyOf(scheme.apply(balanceRequest(), cred));

    assertThat(first).isEqualTo("nonce=5000");
    assertThat(second).isEqualTo("nonce=9000");
  }

  @Test
  void apply_whenCalledConcurrently_everyNonceIsUnique() throws Exception {
    AuthScheme scheme = AuthSchemes.krakenHmac(fixedClock(1_000L));
    VersionedCredential cred = credential(randomAlphanumeric(56), randomBase64(64));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<String>> tasks = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        tasks.add(() -> bodyOf(scheme.apply(balanceRequest(), cred)));
      }
      Set<String> bodies = new HashSet<>();
      for (Future<String> f : pool.invokeAll(tasks)) {
        bodies.add(f.get());
      }
      assertThat(bodies).hasSize(400);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void apply_whenGet_throwsIllegalArgument() {
    AuthScheme scheme = AuthSchemes.krakenHmac(fixedClock(1L));
    Request request = new Request.Builder().url("https://api.kraken.com/0/private/Balance").build();

    assertThatThrownBy(() -> scheme.apply(request, credential("k", randomBase64(64))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("POST");
  }

  @Test
  void apply_whenJsonBody_throwsIllegalArgument() {
    AuthScheme scheme = AuthSchemes.krakenHmac(fixedClock(1L));
    Request request =
        new Request.Builder()
            .url("https://api.kraken.com/0/private/Balance")
            .post(RequestBody.create("{}", MediaType.get("application/json")))
            .build();

    assertThatThrownBy(() -> scheme.apply(request, credential("k", randomBase64(64))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void apply_whenApiSecretMissing_throwsMalformedSecretWithoutValue() {
    String apiKey = randomAlphanumeric(56);
    AuthScheme scheme = AuthSchemes.krakenHmac(fixedClock(1L));

    assertThatThrownBy(() -> scheme.apply(balanceRequest(), credential(apiKey)))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("test-key")
        .hasMessageContaining("apiSecret")
        .satisfies(e -> assertNoSecretIn(allText(e), apiKey));
  }

  @Test
  void apply_whenApiSecretIsNotBase64_throwsMalformedSecretWithoutValue() {
    String apiKey = randomAlphanumeric(56);
    String notBase64 = randomAlphanumeric(40) + "-!*" + randomAlphanumeric(40);
    AuthScheme scheme = AuthSchemes.krakenHmac(fixedClock(1L));

    assertThatThrownBy(() -> scheme.apply(balanceRequest(), credential(apiKey, notBase64)))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("base64")
        .hasNoCause()
        .satisfies(e -> assertNoSecretIn(allText(e), apiKey, notBase64))
        .satisfies(e -> assertThat(allText(e)).doesNotContain("-!*"));
  }

  @Test
  void names_declareBothHeaders() {
    AuthScheme scheme = AuthSchemes.krakenHmac();
    assertThat(scheme.headerNames()).containsExactlyInAnyOrder("api-key", "api-sign");
    assertThat(scheme.queryParameterNames()).isEmpty();
  }

  private static Request balanceRequest() {
    return new Request.Builder()
        .url("https://api.kraken.com/0/private/Balance")
        .post(new FormBody.Builder().build())
        .build();
  }

  /** The documented algorithm, written out independently of the scheme. */
  private static String expectedSign(String secret, String path, String nonce, String postData)
      throws Exception {
    byte[] inner =
        MessageDigest.getInstance("SHA-256")
            .digest((nonce + postData).getBytes(StandardCharsets.UTF_8));
    byte[] pathBytes = path.getBytes(StandardCharsets.UTF_8);
    byte[] message = new byte[pathBytes.length + inner.length];
    System.arraycopy(pathBytes, 0, message, 0, pathBytes.length);
    System.arraycopy(inner, 0, message, pathBytes.length, inner.length);
    Mac mac = Mac.getInstance("HmacSHA512");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret), "HmacSHA512"));
    return Base64.getEncoder().encodeToString(mac.doFinal(message));
  }
}
