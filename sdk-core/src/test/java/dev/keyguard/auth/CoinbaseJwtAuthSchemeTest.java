package dev.keyguard.auth;

import static dev.keyguard.auth.AuthTestSupport.allText;
import static dev.keyguard.auth.AuthTestSupport.assertNoSecretIn;
import static dev.keyguard.auth.AuthTestSupport.credential;
import static dev.keyguard.auth.AuthTestSupport.fixedClock;
import static dev.keyguard.testing.TestSecrets.randomBase64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.UUID;
import okhttp3.FormBody;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

public class CoinbaseJwtAuthSchemeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NOW_SECONDS = 1_767_225_600L;

  private final KeyPair keyPair = AuthTestSupport.p256KeyPair();
  private final String keyName =
      "organizations/" + UUID.randomUUID() + "/apiKeys/" + UUID.randomUUID();
  private final AuthScheme scheme = AuthSchemes.coinbaseJwt(fixedClock(NOW_SECONDS * 1000 + 250));

  @Test
  void apply_whenSec1PemAsCoinbaseIssuesIt_jwtVerifiesWithThePublicKey() throws Exception {
    Request signed =
        scheme.apply(accountsRequest(), credential(keyName, AuthTestSupport.sec1Pem(keyPair)));

    Jwt jwt = Jwt.fromAuthorization(signed.header("Authorization"));
    assertThat(jwt.verifies(keyPair.getPublic())).isTrue();
    assertThat(jwt.verifies(AuthTestSupport.p256KeyPair().getPublic()))
        .as("another key does not verify it")
        .isFalse();
  }

  @Test
  void apply_whenPkcs8Pem_jwtVerifiesWithThePublicKey() throws Exception {
    Request signed =
        scheme.apply(accountsRequest(), credential(keyName, AuthTestSupport.pkcs8Pem(keyPair)));

    assertThat(Jwt.fromAuthorization(signed.header("Authorization")).verifies(keyPair.getPublic()))
        .isTrue();
  }

  @Test
  void apply_whenPemHasEscapedNewlines_stillParses() throws Exception {
    String escaped = AuthTestSupport.sec1Pem(keyPair).replace("\n", "\\n");

    Request signed = scheme.apply(accountsRequest(), credential(keyName, escaped));

    assertThat(Jwt.fromAuthorization(signed.header("Authorization")).verifies(keyPair.getPublic()))
        .isTrue();
  }

  @Test
  void apply_setsDocumentedHeaderAndClaims() throws Exception {
    Request signed =
        scheme.apply(accountsRequest(), credential(keyName, AuthTestSupport.sec1Pem(keyPair)));

    Jwt jwt = Jwt.fromAuthorization(signed.header("Authorization"));
    assertThat(jwt.header.get("alg").asText()).isEqualTo("ES256");
    assertThat(jwt.header.get("typ").asText()).isEqualTo("JWT");
    assertThat(jwt.header.get("kid").asText()).isEqualTo(keyName);
    assertThat(jwt.header.get("nonce").asText()).matches("[0-9a-f]{32}");
    assertThat(jwt.claims.get("iss").asText()).isEqualTo("cdp");
    assertThat(jwt.claims.get("sub").asText()).isEqualTo(keyName);
    assertThat(jwt.claims.get("nbf").asLong()).isEqualTo(NOW_SECONDS);
    assertThat(jwt.claims.get("exp").asLong()).isEqualTo(NOW_SECONDS + 120);
    assertThat(jwt.claims.get("uri").asText())
        .as("method, host and path; no scheme, no query string")
        .isEqualTo("GET api.coinbase.com/api/v3/brokerage/accounts");
    assertThat(signed.headers().names()).containsExactly("Authorization");
  }

  @Test
  void apply_whenPost_uriClaimNamesThatMethodAndPath() throws Exception {
    Request request =
        new Request.Builder()
            .url("https://api.coinbase.com/api/v3/brokerage/orders")
            .post(new FormBody.Builder().build())
            .build();

    Request signed = scheme.apply(request, credential(keyName, AuthTestSupport.sec1Pem(keyPair)));

    assertThat(Jwt.fromAuthorization(signed.header("Authorization")).claims.get("uri").asText())
        .isEqualTo("POST api.coinbase.com/api/v3/brokerage/orders");
  }

  @Test
  void apply_whenPortIsNotDefault_uriClaimCarriesIt() throws Exception {
    Request request =
        new Request.Builder().url("https://127.0.0.1:8443/api/v3/brokerage/accounts").build();

    Request signed = scheme.apply(request, credential(keyName, AuthTestSupport.sec1Pem(keyPair)));

    assertThat(Jwt.fromAuthorization(signed.header("Authorization")).claims.get("uri").asText())
        .isEqualTo("GET 127.0.0.1:8443/api/v3/brokerage/accounts");
  }

  @Test
  void apply_eachRequest_getsANewJwtWithANewNonce() throws Exception {
    VersionedCredential cred = credential(keyName, AuthTestSupport.sec1Pem(keyPair));

    Jwt first =
        Jwt.fromAuthorization(scheme.apply(accountsRequest(), cred).header("Authorization"));
    Jwt second =
        Jwt.fromAuthorization(scheme.apply(accountsRequest(), cred).header("Authorization"));

    assertThat(first.token).isNotEqualTo(second.token);
    assertThat(first.header.get("nonce").asText())
        .isNotEqualTo(second.header.get("nonce").asText());
    assertThat(first.verifies(keyPair.getPublic())).isTrue();
    assertThat(second.verifies(keyPair.getPublic())).isTrue();
  }

  @Test
  void apply_whenApiSecretMissing_throwsMalformedSecretWithoutValue() {
    assertThatThrownBy(() -> scheme.apply(accountsRequest(), credential(keyName)))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("test-key")
        .hasMessageContaining("apiSecret")
        .satisfies(e -> assertNoSecretIn(allText(e), keyName));
  }

  @Test
  void apply_whenSecretIsNotPem_throwsMalformedSecretWithoutValue() {
    String notPem = randomBase64(64);

    assertThatThrownBy(() -> scheme.apply(accountsRequest(), credential(keyName, notPem)))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("PEM")
        .satisfies(e -> assertNoSecretIn(allText(e), keyName, notPem));
  }

  @Test
  void apply_whenSecretIsNotPem_messageReadsWholeAfterRedaction() {
    // the message passes through Redactor.global(), whose PEM net masks from a quoted BEGIN line on
    assertThatThrownBy(() -> scheme.apply(accountsRequest(), credential(keyName, randomBase64(64))))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessage(
            "the API secret of credential 'test-key' version 'v1' is unusable: the value is not a PEM"
                + " private key; an ES256 key is a PEM 'BEGIN EC PRIVATE KEY' block (Ed25519 keys are"
                + " not supported by this scheme)");
  }

  @Test
  void apply_whenPemBodyIsCorrupt_throwsMalformedSecretWithoutValue() {
    String pem = AuthTestSupport.sec1Pem(keyPair);
    String corrupt = pem.replaceFirst("\n([A-Za-z0-9+/]{10})", "\n$1*#");

    assertThatThrownBy(() -> scheme.apply(accountsRequest(), credential(keyName, corrupt)))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("base64")
        .satisfies(e -> assertNoSecretIn(allText(e), keyName, pem, corrupt))
        .satisfies(e -> assertThat(allText(e)).doesNotContain("*#"));
  }

  @Test
  void apply_whenKeyIsOnAnotherCurve_throwsMalformedSecretNamingP256() {
    String p384 = AuthTestSupport.pkcs8Pem(AuthTestSupport.ecKeyPair("secp384r1"));

    assertThatThrownBy(() -> scheme.apply(accountsRequest(), credential(keyName, p384)))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("P-256")
        .satisfies(e -> assertNoSecretIn(allText(e), keyName, p384));
  }

  @Test
  void names_declareAuthorization() {
    assertThat(scheme.headerNames()).containsExactly("authorization");
    assertThat(scheme.queryParameterNames()).isEmpty();
  }

  private static Request accountsRequest() {
    return new Request.Builder()
        .url("https://api.coinbase.com/api/v3/brokerage/accounts?limit=5")
        .build();
  }

  /**
   * A parsed compact JWS, verified here with the JDK's P1363 (r || s) ECDSA, independently of the
   * scheme.
   */
  public static final class Jwt {
    public final String token;
    public final JsonNode header;
    public final JsonNode claims;
    public final String signingInput;
    public final byte[] signature;

    private Jwt(String token) throws Exception {
      this.token = token;
      String[] parts = token.split("\\.", -1);
      assertThat(parts).hasSize(3);
      Base64.Decoder decoder = Base64.getUrlDecoder();
      this.header = JSON.readTree(decoder.decode(parts[0]));
      this.claims = JSON.readTree(decoder.decode(parts[1]));
      this.signingInput = parts[0] + "." + parts[1];
      this.signature = decoder.decode(parts[2]);
      assertThat(token).doesNotContain("=");
    }

    public static Jwt fromAuthorization(String authorization) throws Exception {
      assertThat(authorization).startsWith("Bearer ");
      return new Jwt(authorization.substring("Bearer ".length()));
    }

    public boolean verifies(PublicKey key) throws Exception {
      assertThat(signature).hasSize(64);
      Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
      verifier.initVerify(key);
      verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return verifier.verify(signature);
    }
  }
}
