package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.testing.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The second net: values never registered, recognised by their shape. Every value is built at run
 * time.
 */
class RedactorKnownFormatsTest {

  private final Redactor redactor = Redactor.isolated();

  @Test
  void redact_whenAwsAccessKeyId_replacesIt() {
    String id = TestSecrets.randomAwsAccessKeyIdShape();
    String temporary = "AS" + "IA" + id.substring(4);

    assertThat(redactor.redact("id " + id + ", session " + temporary + "."))
        .isEqualTo("id [REDACTED:aws-access-key-id], session [REDACTED:aws-access-key-id].");
  }

  @Test
  void redact_whenAwsPrefixInsideLongerWord_leavesIt() {
    String text = "XAKIA" + TestSecrets.randomAwsAccessKeyIdShape().substring(4) + " and AKIASHORT";

    assertThat(redactor.redact(text)).isSameAs(text);
  }

  @Test
  void redact_whenGitHubTokens_replacesThem() {
    String classic = "gh" + "p_" + TestSecrets.randomAlphanumeric(36);
    String oauth = "gh" + "o_" + TestSecrets.randomAlphanumeric(36);
    String fineGrained =
        "github"
            + "_pat_"
            + TestSecrets.randomAlphanumeric(22)
            + "_"
            + TestSecrets.randomAlphanumeric(59);

    assertThat(redactor.redact(classic + " " + oauth + " " + fineGrained))
        .isEqualTo("[REDACTED:github-token] [REDACTED:github-token] [REDACTED:github-token]");
  }

  @Test
  void redact_whenSlackToken_replacesIt() {
    String token =
        "xo"
            + "xb-"
            + TestSecrets.randomAlphanumeric(11)
            + "-"
            + TestSecrets.randomAlphanumeric(24);

    assertThat(redactor.redact("slack=" + token)).isEqualTo("slack=[REDACTED:slack-token]");
  }

  @Test
  void redact_whenJwt_replacesAllThreeParts() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String jwt =
        b64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + b64.encodeToString(
                ("{\"sub\":\"" + TestSecrets.randomHex(8) + "\"}").getBytes(StandardCharsets.UTF_8))
            + "."
            + TestSecrets.randomBase64Url(64);

    assertThat(redactor.redact("jwt " + jwt + " sent")).isEqualTo("jwt [REDACTED:jwt] sent");
  }

  @Test
  void redact_whenPemPrivateKeyBlock_replacesTheWholeBlock() {
    String block =
        "-----BEGIN "
            + "EC PRIVATE KEY-----\n"
            + TestSecrets.randomBase64Url(48)
            + "\n"
            + TestSecrets.randomBase64Url(48)
            + "\n-----END "
            + "EC PRIVATE KEY-----";

    assertThat(redactor.redact("key:\n" + block + "\ndone"))
        .isEqualTo("key:\n[REDACTED:private-key]\ndone");
  }

  @Test
  void redact_whenPemBlockTruncated_redactsToTheEnd() {
    String text = "-----BEGIN " + "PRIVATE KEY-----\n" + TestSecrets.randomBase64Url(48);

    assertThat(redactor.redact("x " + text)).isEqualTo("x [REDACTED:private-key]");
  }

  @Test
  void redact_whenPemPublicKeyOrCertificate_leavesIt() {
    String text =
        "-----BEGIN CERTIFICATE-----\n"
            + TestSecrets.randomBase64Url(48)
            + "\n-----END CERTIFICATE-----";

    assertThat(redactor.redact(text)).isSameAs(text);
  }

  @Test
  void redact_whenKeywordAssignments_replacesTheValuesOnly() {
    String v1 = TestSecrets.randomBase64Url(16);
    String v2 = TestSecrets.randomBase64Url(16);
    String v3 = "a" + TestSecrets.randomHex(10); // a letter: an all-digit value reads as a number
    String v4 = TestSecrets.randomBase64Url(20);
    String v5 = TestSecrets.randomBase64Url(12);

    String out =
        redactor.redact(
            "api_key="
                + v1
                + "&x=1 {\"client_secret\": \""
                + v2
                + "\"} apiKey: "
                + v3
                + " ACCESS_TOKEN='"
                + v4
                + "' password => "
                + v5);

    assertThat(out)
        .isEqualTo(
            "api_key=[REDACTED:credential]&x=1 {\"client_secret\": \"[REDACTED:credential]\"} apiKey: "
                + "[REDACTED:credential] ACCESS_TOKEN='[REDACTED:credential]' password => [REDACTED:credential]");
  }

  @Test
  void redact_whenAuthorizationHeader_keepsSchemeAndRedactsCredential() {
    String basic =
        Base64.getEncoder()
            .encodeToString(("user:" + TestSecrets.randomHex(8)).getBytes(StandardCharsets.UTF_8));
    String bearer = TestSecrets.randomBase64Url(32);

    assertThat(redactor.redact("Authorization: Basic " + basic))
        .isEqualTo("Authorization: Basic [REDACTED:credential]");
    assertThat(redactor.redact("Authorization: Bearer " + bearer))
        .isEqualTo("Authorization: Bearer [REDACTED:credential]");
    assertThat(redactor.redact("sent Bearer " + bearer))
        .isEqualTo("sent Bearer [REDACTED:bearer-token]");
  }

  @Test
  void redact_whenKeywordsInOrdinaryText_leavesThem() {
    String text =
        "token bucket refilled; secret rotation scheduled; password: ok; token=null; the API key"
            + " was rotated; secretary: Bob";

    assertThat(redactor.redact(text)).isSameAs(text);
  }

  @Test
  void redact_whenKeywordStartsAnotherWord_leavesIt() {
    // AWS names permissions service:Action; a denial message must keep naming the missing one.
    String text =
        "User: arn:aws:iam::123456789012:user/app is not authorized to perform:"
            + " secretsmanager:GetSecretValue on resource: prices; tokenizer:StandardTokenizer";

    assertThat(redactor.redact(text)).isSameAs(text);
  }

  @Test
  void redact_whenKeywordEndsAtCamelCaseOrSeparator_stillRedactsTheValue() {
    String value = "Zq" + Long.toHexString(System.nanoTime()) + "xY";

    assertThat(redactor.redact("secretKey: " + value))
        .isEqualTo("secretKey: [REDACTED:credential]");
    assertThat(redactor.redact("SECRET_KEY=" + value))
        .isEqualTo("SECRET_KEY=[REDACTED:credential]");
    assertThat(redactor.redact("app.token.value=" + value))
        .isEqualTo("app.token.value=[REDACTED:credential]");
  }

  @Test
  void redact_whenKeywordValueIsAFingerprint_leavesIt() {
    Secret key = Secret.of(TestSecrets.randomBase64Url(24));
    Secret secret = Secret.of(TestSecrets.randomBase64Url(24));
    String text =
        "VersionedCredential[keyId=prices, version=v3, apiKey="
            + key.fingerprint()
            + ", apiSecret="
            + secret.fingerprint()
            + "] token="
            + key;

    assertThat(redactor.redact(text)).isSameAs(text);
  }

  @Test
  void redact_whenKnownFormatsSwitchedOff_leavesThem() {
    String id = TestSecrets.randomAwsAccessKeyIdShape();
    String text = id + " api_key=" + TestSecrets.randomBase64Url(16);
    Redactor plain = Redactor.isolated(RedactorOptions.builder().knownFormats(false).build());

    assertThat(plain.isKnownFormatsEnabled()).isFalse();
    assertThat(plain.redact(text)).isSameAs(text);
  }

  @Test
  void redact_whenRegisteredSecretIsAlsoAKeywordValue_showsTheFingerprint() {
    String value = TestSecrets.randomBase64Url(24);
    Secret secret = Secret.of(value);
    redactor.register(secret);

    assertThat(redactor.redact("{\"apiSecret\":\"" + value + "\"}"))
        .isEqualTo("{\"apiSecret\":\"[REDACTED:" + secret.fingerprint() + "]\"}");
  }

  @Test
  void redact_whenExchangeHeadersAndPassphrase_redactsTheValues() {
    String kraken = TestSecrets.randomBase64(64);
    String coinbase = "c" + TestSecrets.randomHex(16);
    String passphrase = TestSecrets.randomAlphanumeric(20);

    assertThat(redactor.redact("API-Key: " + kraken)).isEqualTo("API-Key: [REDACTED:credential]");
    assertThat(redactor.redact("CB-ACCESS-KEY: " + coinbase))
        .isEqualTo("CB-ACCESS-KEY: [REDACTED:credential]");
    assertThat(redactor.redact("passphrase=" + passphrase))
        .isEqualTo("passphrase=[REDACTED:credential]");
  }

  @Test
  void redact_whenKeywordValueIsAUuid_redactsIt() {
    String key = java.util.UUID.randomUUID().toString();

    assertThat(redactor.redact("X-CMC_PRO_API_KEY: " + key))
        .isEqualTo("X-CMC_PRO_API_KEY: [REDACTED:credential]");
  }

  @Test
  void redact_whenUnquotedValueEndsASentence_keepsThePeriod() {
    String key = TestSecrets.randomBase64Url(24);

    assertThat(redactor.redact("the request used api_key=" + key + "."))
        .isEqualTo("the request used api_key=[REDACTED:credential].");
  }

  @Test
  void redact_whenBearerIsFollowedByAWord_leavesIt() {
    String text = "Bearer authentication is required; send Bearer tokens only over https";

    assertThat(redactor.redact(text)).isSameAs(text);
  }

  @Test
  void redact_whenKeywordValueIsAPlainWordOrNumber_leavesItButRedactsARandomValue() {
    String random = TestSecrets.randomBase64Url(24);
    String text =
        "Key coingecko-api-key: loaded version 3; token: " + random + "; password: 12345678";

    assertThat(redactor.redact(text))
        .isEqualTo(
            "Key coingecko-api-key: loaded version 3; token: [REDACTED:credential]; password: 12345678");
  }
}
