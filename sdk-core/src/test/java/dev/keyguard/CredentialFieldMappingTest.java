package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialFieldMappingTest {

  private static final KeyId ID = KeyId.of("exchange");
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final CredentialFieldMapping DEFAULTS = CredentialFieldMapping.defaults();

  private static VersionedCredential parse(String stored) {
    return DEFAULTS.parse(ID, stored).build();
  }

  /** Asserts the failure names the key and does not echo the input or keep Jackson's exception. */
  private static MalformedSecretException assertMalformedWithoutEcho(
      String stored, String... values) {
    MalformedSecretException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            MalformedSecretException.class, () -> parse(stored));
    assertThat(e.getMessage()).contains("'exchange'").doesNotContain(stored);
    assertThat(e.getCause()).isNull();
    assertThat(e.keyId()).contains(ID);
    for (String value : values) {
      SecretLeakAssertions.assertNoLeak(e, Secret.of(value));
    }
    return e;
  }

  @Test
  void parse_whenPlainText_isTheStrippedApiKey() {
    String key = TestSecrets.randomValue();

    VersionedCredential c = parse("  \n" + key + "\r\n");

    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.apiSecret()).isEmpty();
    assertThat(c.version()).isEqualTo(c.apiKey().fingerprint());
  }

  @Test
  void parse_whenValueHasAnUnpairedSurrogate_isMalformed() {
    String head = TestSecrets.randomBase64Url(12);
    String tail = TestSecrets.randomBase64Url(12);

    assertThatThrownBy(() -> parse(head + '\uD800' + tail))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageNotContaining(head);
    assertThatThrownBy(() -> parse("{\"apiKey\":\"" + head + "\\ud800" + tail + "\"}"))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("'apiKey'")
        .hasMessageNotContaining(head);
  }

  @Test
  void parse_whenValueStartsWithByteOrderMark_ignoresIt() {
    String key = TestSecrets.randomValue();
    String secret = TestSecrets.randomValue();

    assertThat(parse("\uFEFF" + key).apiKey().value(ACCESS)).isEqualTo(key);
    VersionedCredential json =
        parse("\uFEFF{\"apiKey\":\"" + key + "\",\"apiSecret\":\"" + secret + "\"}");
    assertThat(json.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(json.apiSecret().orElseThrow().value(ACCESS)).isEqualTo(secret);
  }

  @Test
  void parse_whenJsonWithAllFields_setsEveryPart() {
    String key = TestSecrets.randomValue();
    String secret = TestSecrets.randomValueWithSpecialCharacters();
    String json =
        "{\"apiKey\":\" "
            + key
            + " \",\"apiSecret\":\""
            + secret.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\",\"scopes\":[\"read\",\" trade \"],\"environment\":\"prod\",\"version\":\"v12\","
            + "\"notBefore\":\"2026-01-01T00:00:00Z\",\"expiresAt\":\"2026-04-01T00:00:00Z\","
            + "\"createdAt\":\"2025-12-31T23:00:00Z\",\"comment\":{\"ignored\":true}}";

    VersionedCredential c = parse(json);

    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.apiSecret().orElseThrow().value(ACCESS)).isEqualTo(secret);
    assertThat(c.scopes()).containsExactlyInAnyOrder("read", "trade");
    assertThat(c.environment()).contains("prod");
    assertThat(c.version()).isEqualTo("v12");
    assertThat(c.notBefore()).contains(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(c.expiresAt()).contains(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(c.createdAt()).contains(Instant.parse("2025-12-31T23:00:00Z"));
  }

  @Test
  void parse_whenJsonHasOnlyApiKey_derivesVersionAndLeavesTheRestEmpty() {
    String key = TestSecrets.randomValue();

    VersionedCredential c = parse("{\"apiKey\":\"" + key + "\",\"apiSecret\":null}");

    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.apiSecret()).isEmpty();
    assertThat(c.scopes()).isEmpty();
    assertThat(c.environment()).isEmpty();
    assertThat(c.version()).isEqualTo(c.apiKey().fingerprint());
  }

  @Test
  void parse_whenVersionIsAnInteger_usesItsDigits() {
    assertThat(parse("{\"apiKey\":\"" + TestSecrets.randomValue() + "\",\"version\":42}").version())
        .isEqualTo("42");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\"", "\" \"", "true", "3.5", "[\"1\"]", "{}"})
  void parse_whenVersionIsNotAStringOrInteger_namesTheField(String version) {
    String key = TestSecrets.randomValue();

    assertThat(
            assertMalformedWithoutEcho(
                "{\"apiKey\":\"" + key + "\",\"version\":" + version + "}", key))
        .hasMessageContaining("'version'");
  }

  @Test
  void parse_whenCustomFieldNames_readsThem() {
    CredentialFieldMapping mapping =
        CredentialFieldMapping.builder()
            .apiKeyField("key")
            .apiSecretField("secret")
            .scopesField("perms")
            .environmentField("env")
            .notBeforeField("nbf")
            .expiresAtField("exp")
            .createdAtField("created")
            .versionField("rev")
            .build();
    String key = TestSecrets.randomValue();
    String secret = TestSecrets.randomValue();

    VersionedCredential c =
        mapping
            .parse(
                ID,
                "{\"key\":\""
                    + key
                    + "\",\"secret\":\""
                    + secret
                    + "\",\"perms\":\"a,b\",\"env\":\"dev\","
                    + "\"nbf\":\"2026-01-01T00:00:00Z\",\"exp\":\"2026-02-01T00:00:00Z\","
                    + "\"created\":\"2025-01-01T00:00:00Z\",\"rev\":\"r5\",\"apiKey\":\"ignored-default-name\"}")
            .build();

    assertThat(mapping.apiKeyField()).isEqualTo("key");
    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.apiSecret().orElseThrow().value(ACCESS)).isEqualTo(secret);
    assertThat(c.scopes()).containsExactlyInAnyOrder("a", "b");
    assertThat(c.environment()).contains("dev");
    assertThat(c.notBefore()).contains(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(c.expiresAt()).contains(Instant.parse("2026-02-01T00:00:00Z"));
    assertThat(c.createdAt()).contains(Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(c.version()).isEqualTo("r5");
  }

  @Test
  void parse_whenCustomApiKeyFieldMissing_namesTheCustomField() {
    CredentialFieldMapping mapping = CredentialFieldMapping.builder().apiKeyField("token").build();
    String key = TestSecrets.randomValue();

    assertThatThrownBy(() -> mapping.parse(ID, "{\"apiKey\":\"" + key + "\"}"))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("'token'")
        .hasMessageNotContaining(key);
  }

  @Test
  void parse_whenScopesIsACommaSeparatedString_splitsAndDropsBlanks() {
    VersionedCredential c =
        parse(
            "{\"apiKey\":\""
                + TestSecrets.randomValue()
                + "\",\"scopes\":\" read, trade,, ,withdraw \"}");

    assertThat(c.scopes()).containsExactlyInAnyOrder("read", "trade", "withdraw");
  }

  @Test
  void parse_whenScopesArrayHasBlankElements_dropsThemLikeTheStringForm() {
    VersionedCredential c =
        parse(
            "{\"apiKey\":\"" + TestSecrets.randomValue() + "\",\"scopes\":[\"read\",\"\",\"  \"]}");

    assertThat(c.scopes()).containsExactly("read");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[\"read\",1]", "[null]", "5", "{\"a\":\"b\"}", "true"})
  void parse_whenScopesIsNeitherStringsNorAString_namesTheField(String scopes) {
    String key = TestSecrets.randomValue();

    assertThat(
            assertMalformedWithoutEcho(
                "{\"apiKey\":\"" + key + "\",\"scopes\":" + scopes + "}", key))
        .hasMessageContaining("'scopes'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"{}", "{\"apiKey\":null}", "{\"apikey\":\"VALUE\"}", "{\"secret\":\"VALUE\"}"})
  void parse_whenApiKeyMissing_namesTheExpectedField(String template) {
    String value = TestSecrets.randomValue();

    assertThat(assertMalformedWithoutEcho(template.replace("VALUE", value), value))
        .hasMessageContaining("has no field 'apiKey'");
  }

  @Test
  void parse_whenApiKeyIsStoredUnderAnotherName_listsTheFieldsFound() {
    String value = TestSecrets.randomValue();

    assertThat(assertMalformedWithoutEcho("{\"key\":\"" + value + "\",\"secret\":null}", value))
        .hasMessageContaining("has no field 'apiKey'; found fields: key, secret (null)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\"", "\"  \\t \"", "42", "true", "[\"VALUE\"]", "{\"v\":\"VALUE\"}"})
  void parse_whenApiKeyBlankOrNotAString_namesTheField(String apiKey) {
    String value = TestSecrets.randomValue();

    assertThat(
            assertMalformedWithoutEcho(
                "{\"apiKey\":" + apiKey.replace("VALUE", value) + "}", value))
        .hasMessageContaining("field 'apiKey'")
        .hasMessageContaining("non-blank string");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\"", "\" \"", "7", "[\"VALUE\"]"})
  void parse_whenApiSecretPresentButBlankOrNotAString_isRejected(String apiSecret) {
    String key = TestSecrets.randomValue();
    String value = TestSecrets.randomValue();

    assertThat(
            assertMalformedWithoutEcho(
                "{\"apiKey\":\""
                    + key
                    + "\",\"apiSecret\":"
                    + apiSecret.replace("VALUE", value)
                    + "}",
                key,
                value))
        .hasMessageContaining("field 'apiSecret'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"apiKey\":\"VALUE\"", // truncated
        "{\"apiKey\":\"VALUE\",}", // trailing comma
        "{'apiKey':'VALUE'}", // single quotes
        "{apiKey:\"VALUE\"}", // unquoted name
        "{\"apiKey\":\"VALUE\"} {\"apiKey\":\"x\"}", // trailing tokens
        "{\"apiKey\":\"VALUE\"} VALUE", // trailing garbage
        "{/*c*/\"apiKey\":\"VALUE\"}", // comment
        "{\"apiKey\":\"VALUE\",\"apiKey\":\"VALUE2\"}", // duplicate key
        "{\"apiKey\":\"VAL\nUE\"}", // raw control character in a string
        "{\"apiKey\":\"VALUE\\q\"}", // bad escape
        "{\"apiKey\" \"VALUE\"}", // missing colon
        "{",
      })
  void parse_whenMalformedJson_failsNamingTheFieldWithoutEchoingAnyInput(String template) {
    String value = TestSecrets.randomValue();
    String value2 = TestSecrets.randomValue();
    String stored = template.replace("VALUE2", value2).replace("VALUE", value);

    MalformedSecretException e = assertMalformedWithoutEcho(stored, value, value2);

    assertThat(e).hasMessageContaining("not valid JSON").hasMessageContaining("'apiKey'");
    // nothing of the input beyond the field name: no fragment of either random value
    assertThat(e.getMessage())
        .doesNotContain(value.substring(0, 8))
        .doesNotContain(value2.substring(0, 8));
  }

  @Test
  void parse_whenDeeplyNestedJson_failsCleanly() {
    String stored = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";

    assertMalformedWithoutEcho(stored);
  }

  @Test
  void parse_whenJsonIsNotAnObject_isAPlainKey() {
    // only a leading brace means JSON: anything else is the key itself, as documented
    String key = "[" + TestSecrets.randomHex(16) + "]";

    assertThat(parse(key).apiKey().value(ACCESS)).isEqualTo(key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"yesterday", "2031-13-01T00:00:00Z", "2031-07-09", "2031-07-09T10:11:12"})
  void parse_whenTimestampInvalid_namesTheFieldAndTheExpectedFormat(String time) {
    String key = TestSecrets.randomValue();

    assertThat(
            assertMalformedWithoutEcho(
                "{\"apiKey\":\"" + key + "\",\"expiresAt\":\"" + time + "\"}", key))
        .hasMessageContaining("'expiresAt'")
        .hasMessageContaining("ISO-8601")
        .hasMessageNotContaining(time);
  }

  @Test
  void parse_whenTimestampIsANumber_namesTheField() {
    String key = TestSecrets.randomValue();

    assertThat(
            assertMalformedWithoutEcho(
                "{\"apiKey\":\"" + key + "\",\"createdAt\":1767225600}", key))
        .hasMessageContaining("'createdAt'");
  }

  @Test
  void parse_whenNotBeforeIsNotBeforeExpiry_isMalformedNotHalfParsed() {
    String key = TestSecrets.randomValue();

    assertThat(
            assertMalformedWithoutEcho(
                "{\"apiKey\":\""
                    + key
                    + "\",\"notBefore\":\"2026-02-01T00:00:00Z\","
                    + "\"expiresAt\":\"2026-01-01T00:00:00Z\"}",
                key))
        .hasMessageContaining("'notBefore'")
        .hasMessageContaining("'expiresAt'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\n\t ", "\uFEFF", "\uFEFF  "})
  void parse_whenBlank_isRejected(String blank) {
    assertThatThrownBy(() -> parse(blank))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("empty or blank")
        .hasMessageContaining("'exchange'");
  }

  @Test
  void parse_whenLongerThan64KiB_isRejectedWithoutEchoingIt() {
    String huge = TestSecrets.randomHex(16) + "k".repeat(CredentialFieldMapping.MAX_STORED_LENGTH);

    assertThatThrownBy(() -> parse(huge))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("at most 65536")
        .hasMessageNotContaining(huge.substring(0, 32));
    assertThatThrownBy(() -> DEFAULTS.parse(ID, huge.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("bytes long");
  }

  @Test
  void parse_whenExactly64KiB_isAccepted() {
    String longest = "k".repeat(CredentialFieldMapping.MAX_STORED_LENGTH);

    assertThat(parse(longest).apiKey().value(ACCESS)).hasSize(65536);
  }

  @Test
  void parseBytes_whenUtf8_parsesLikeText() {
    String key = TestSecrets.randomValueWithSpecialCharacters();

    VersionedCredential c = DEFAULTS.parse(ID, key.getBytes(StandardCharsets.UTF_8)).build();

    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
  }

  @Test
  void parseBytes_whenNotUtf8_isRejectedWithoutTheBytes() {
    byte[] stored = TestSecrets.randomBytes(32);
    stored[5] = (byte) 0xFF; // never valid in UTF-8

    assertThatThrownBy(() -> DEFAULTS.parse(ID, stored))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("not UTF-8")
        .hasNoCause();
  }

  @Test
  void parse_whenNullArguments_throwsNullPointerException() {
    assertThatThrownBy(() -> DEFAULTS.parse(null, "x")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> DEFAULTS.parse(ID, (String) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> DEFAULTS.parse(ID, (byte[]) null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void builder_rejectsBlankNamesAndTheSameNameForKeyAndSecret() {
    assertThatThrownBy(() -> CredentialFieldMapping.builder().apiKeyField(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CredentialFieldMapping.builder().versionField(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CredentialFieldMapping.builder().scopesField(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(
            () -> CredentialFieldMapping.builder().apiKeyField("k").apiSecretField("k").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'k'");
  }

  @Test
  void parse_whenRandomTextFollowsABrace_neverEchoesIt() {
    SecureRandom random = new SecureRandom();
    String alphabet = "{}[]\":,\\ \n\tabcXYZ019-+.eE\u00e9\u20ac/'";
    for (int i = 0; i < 500; i++) {
      StringBuilder noise = new StringBuilder();
      for (int n = random.nextInt(60); n > 0; n--) {
        noise.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String nonce = TestSecrets.randomHex(12);
      String stored = "{" + noise + nonce + noise;

      MalformedSecretException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              MalformedSecretException.class, () -> parse(stored));
      assertThat(e.getMessage()).doesNotContain(nonce);
      assertThat(e.getCause()).isNull();
    }
  }
}
