package dev.keyguard.auth;

import static dev.keyguard.auth.AuthTestSupport.allText;
import static dev.keyguard.auth.AuthTestSupport.assertNoSecretIn;
import static dev.keyguard.auth.AuthTestSupport.credential;
import static dev.keyguard.auth.AuthTestSupport.fixedClock;
import static dev.keyguard.testing.TestSecrets.randomAlphanumeric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.KeyId;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;
import org.junit.jupiter.api.Test;

public class BinanceHmacAuthSchemeTest {

  // Public documentation test vector, not a real key: the "SIGNED Endpoint Examples for POST
  // /api/v3/order" (HMAC keys) in Binance's Spot API docs,
  // https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security and
  // https://github.com/binance/binance-spot-api-docs/blob/master/rest-api.md
  private static final String DOC_API_KEY =
      "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
  private static final String DOC_SECRET_KEY =
      "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  private static final long DOC_TIMESTAMP = 1499827319559L;
  private static final String DOC_SIGNATURE_QUERY_OR_BODY =
      "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
  private static final String DOC_SIGNATURE_MIXED =
      "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77";

  private final AuthScheme docScheme =
      AuthSchemes.binanceHmac(fixedClock(DOC_TIMESTAMP), Duration.ofMillis(5000));
  private final VersionedCredential docCredential = credential(DOC_API_KEY, DOC_SECRET_KEY);

  @Test
  void apply_whenDocExample2QueryString_producesDocumentedSignature() throws IOException {
    Request request =
        new Request.Builder()
            .url(
                "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT"
                    + "&timeInForce=GTC&quantity=1&price=0.1")
            .post(RequestBody.create(new byte[0], null))
            .build();

    Request signed = docScheme.apply(request, docCredential);

    assertThat(signed.url().encodedQuery())
        .isEqualTo(
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
                + "&recvWindow=5000&timestamp=1499827319559&signature="
                + DOC_SIGNATURE_QUERY_OR_BODY);
    assertThat(signed.header("X-MBX-APIKEY")).isEqualTo(DOC_API_KEY);
    assertThat(bodyOf(signed)).isEmpty();
  }

  @Test
  void apply_whenDocExample1RequestBody_producesDocumentedSignatureInBody() throws IOException {
    Request request =
        new Request.Builder()
            .url("https://api.binance.com/api/v3/order")
            .post(
                new FormBody.Builder()
                    .add("symbol", "LTCBTC")
                    .add("side", "BUY")
                    .add("type", "LIMIT")
                    .add("timeInForce", "GTC")
                    .add("quantity", "1")
                    .add("price", "0.1")
                    .build())
            .build();

    Request signed = docScheme.apply(request, docCredential);

    assertThat(bodyOf(signed))
        .isEqualTo(
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
                + "&recvWindow=5000&timestamp=1499827319559&signature="
                + DOC_SIGNATURE_QUERY_OR_BODY);
    assertThat(signed.url().encodedQuery()).isNull();
    assertThat(signed.body().contentType().toString())
        .startsWith("application/x-www-form-urlencoded");
  }

  @Test
  void apply_whenDocExample3MixedQueryAndBody_signsQueryConcatenatedWithBody() throws IOException {
    Request request =
        new Request.Builder()
            .url(
                "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC")
            .post(new FormBody.Builder().add("quantity", "1").add("price", "0.1").build())
            .build();

    Request signed = docScheme.apply(request, docCredential);

    assertThat(signed.url().encodedQuery())
        .isEqualTo("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC");
    assertThat(bodyOf(signed))
        .isEqualTo(
            "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature="
                + DOC_SIGNATURE_MIXED);
  }

  @Test
  void apply_whenGetWithGeneratedSecret_signatureIsHmacOfQueryAsSent() throws Exception {
    String apiKey = randomAlphanumeric(64);
    String secret = randomAlphanumeric(64);
    long now = 1_767_225_600_123L;
    AuthScheme scheme = AuthSchemes.binanceHmac(fixedClock(now), null);
    Request request =
        new Request.Builder()
            .url("https://api.binance.com/api/v3/account?omitZeroBalances=true")
            .build();

    Request signed = scheme.apply(request, credential(apiKey, secret));

    String query = signed.url().encodedQuery();
    String signedPart = query.substring(0, query.indexOf("&signature="));
    assertThat(signedPart).isEqualTo("omitZeroBalances=true&timestamp=" + now);
    assertThat(signed.url().queryParameter("signature"))
        .isEqualTo(hmacSha256Hex(secret, signedPart));
    assertThat(signed.url().queryParameter("recvWindow")).isNull();
    assertThat(signed.header("X-MBX-APIKEY")).isEqualTo(apiKey);
    assertThat(signed.method()).isEqualTo("GET");
    assertThat(signed.body()).isNull();
  }

  @Test
  void apply_acrossVersions_signsEachRequestWithItsOwnCredentialsKeyedOnce() throws Exception {
    long now = 1_767_225_600_123L;
    AuthScheme scheme = AuthSchemes.binanceHmac(fixedClock(now), null);
    Request request = new Request.Builder().url("https://api.binance.com/api/v3/account").build();
    String secret1 = randomAlphanumeric(64);
    String secret2 = randomAlphanumeric(64);
    var v1 = credential(randomAlphanumeric(64), secret1);
    var v2 = credential(randomAlphanumeric(64), secret2);
    String signedPart = "timestamp=" + now;

    for (var c : List.of(v1, v1, v2, v1)) {
      Request signed = scheme.apply(request, c);
      String secret = c == v1 ? secret1 : secret2;
      assertThat(signed.url().queryParameter("signature"))
          .isEqualTo(hmacSha256Hex(secret, signedPart));
      assertThat(signed.header("X-MBX-APIKEY"))
          .isEqualTo(c.apiKey().value(dev.keyguard.InsecureSecretAccess.get()));
    }
    v1.apiSecret().orElseThrow().destroy();
    assertThatThrownBy(() -> scheme.apply(request, v1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void apply_whenCalledTwice_usesTheClockEachTime() {
    FakeClock clock = new FakeClock(Instant.ofEpochMilli(1_000L));
    AuthScheme scheme = AuthSchemes.binanceHmac(clock, Duration.ofSeconds(5));
    Request request = new Request.Builder().url("https://api.binance.com/api/v3/account").build();
    VersionedCredential cred = credential(randomAlphanumeric(64), randomAlphanumeric(64));

    Request first = scheme.apply(request, cred);
    clock.set(Instant.ofEpochMilli(2_000L));
    Request second = scheme.apply(request, cred);

    assertThat(first.url().queryParameter("timestamp")).isEqualTo("1000");
    assertThat(second.url().queryParameter("timestamp")).isEqualTo("2000");
    assertThat(first.url().queryParameter("signature"))
        .isNotEqualTo(second.url().queryParameter("signature"));
    assertThat(request.url().encodedQuery()).as("the original request is untouched").isNull();
  }

  @Test
  void apply_whenApiSecretMissing_throwsMalformedSecretNamingKeyAndVersion() {
    String apiKey = randomAlphanumeric(64);
    Request request = new Request.Builder().url("https://api.binance.com/api/v3/account").build();

    assertThatThrownBy(() -> docScheme.apply(request, credential(apiKey)))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("test-key")
        .hasMessageContaining("v1")
        .hasMessageContaining("apiSecret")
        .satisfies(e -> assertNoSecretIn(allText(e), apiKey))
        .satisfies(
            e -> {
              MalformedSecretException m = (MalformedSecretException) e;
              assertThat(m.keyId()).contains(KeyId.of("test-key"));
              assertThat(m.version()).contains("v1");
              assertThat(m.isRetryable()).isFalse();
            });
  }

  @Test
  void apply_whenBodyIsJson_throwsIllegalArgument() {
    Request request =
        new Request.Builder()
            .url("https://api.binance.com/api/v3/order")
            .post(RequestBody.create("{\"symbol\":\"LTCBTC\"}", MediaType.get("application/json")))
            .build();

    assertThatThrownBy(() -> docScheme.apply(request, docCredential))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-www-form-urlencoded");
  }

  @Test
  void apply_whenRequestAlreadyHasTimestamp_throwsIllegalArgument() {
    Request request =
        new Request.Builder().url("https://api.binance.com/api/v3/account?timestamp=1").build();

    assertThatThrownBy(() -> docScheme.apply(request, docCredential))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'timestamp'");
  }

  @Test
  void binanceHmac_whenRecvWindowOutOfRange_throwsIllegalArgument() {
    TimeSource clock = TimeSource.system();
    assertThatThrownBy(() -> AuthSchemes.binanceHmac(clock, Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuthSchemes.binanceHmac(clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuthSchemes.binanceHmac(clock, Duration.ofNanos(1_500_000)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(AuthSchemes.binanceHmac(clock, Duration.ofSeconds(60))).isNotNull();
  }

  @Test
  void names_declareTheHeaderAndEveryAddedParameter() {
    assertThat(docScheme.headerNames()).containsExactly("x-mbx-apikey");
    assertThat(docScheme.queryParameterNames())
        .containsExactlyInAnyOrder("signature", "timestamp", "recvWindow");
  }

  public static String bodyOf(Request request) throws IOException {
    if (request.body() == null) {
      return null;
    }
    try (Buffer buffer = new Buffer()) {
      request.body().writeTo(buffer);
      return buffer.readUtf8();
    }
  }

  private static String hmacSha256Hex(String key, String message) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
  }
}
