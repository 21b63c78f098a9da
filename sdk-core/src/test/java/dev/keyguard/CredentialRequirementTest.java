package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import org.junit.jupiter.api.Test;

class CredentialRequirementTest {

  private static final KeyId ID = KeyId.of("exchange");
  private static final CredentialRequirement SIGNING =
      CredentialRequirement.apiKeyAndSecret("the Acme HMAC scheme", "API secret");

  @Test
  void apiKeyOnly_isMetByEveryCredential() {
    VersionedCredential keyOnly =
        VersionedCredential.builder(ID, TestSecrets.randomSecret()).build();

    assertThat(CredentialRequirement.apiKeyOnly().isMetBy(keyOnly)).isTrue();
    assertThat(CredentialRequirement.apiKeyOnly().parts())
        .containsExactly(CredentialRequirement.Part.API_KEY);
  }

  @Test
  void check_whenTheSecretIsThere_passes() {
    VersionedCredential both =
        VersionedCredential.builder(ID, TestSecrets.randomSecret())
            .apiSecret(TestSecrets.randomSecret())
            .build();

    SIGNING.check(both);

    assertThat(SIGNING.isMetBy(both)).isTrue();
  }

  @Test
  void check_whenACredentialBuiltInCodeLacksTheSecret_namesTheBuilderMethodAndTheDefaultField() {
    Secret apiKey = TestSecrets.randomSecret();
    VersionedCredential keyOnly = VersionedCredential.builder(ID, apiKey).version("7").build();

    assertThatThrownBy(() -> SIGNING.check(keyOnly))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageStartingWith("key 'exchange' (version 7) has no API secret, which the Acme HMAC")
        .hasMessageContaining("VersionedCredential.Builder.apiSecret")
        .hasMessageContaining("'apiSecret'")
        .satisfies(e -> SecretLeakAssertions.assertNoLeak(e, apiKey));
  }

  @Test
  void check_whenACustomMappingParsedIt_namesTheFieldThatMappingExpects() {
    CredentialFieldMapping mapping =
        CredentialFieldMapping.builder().apiSecretField("secret").build();
    String apiKey = TestSecrets.randomValue();
    VersionedCredential parsed =
        mapping.parse(ID, "{\"apiKey\":\"" + apiKey + "\",\"secretKey\":\"x\"}").build();

    assertThatThrownBy(() -> SIGNING.check(parsed))
        .hasMessageContaining("expected field 'secret'")
        .hasMessageContaining("found fields: apiKey, secretKey")
        .satisfies(e -> SecretLeakAssertions.assertNoLeak(e, Secret.of(apiKey)));
  }

  @Test
  void equalRequirements_areEqual() {
    assertThat(CredentialRequirement.apiKeyAndSecret("the Acme HMAC scheme", "API secret"))
        .isEqualTo(SIGNING)
        .hasSameHashCodeAs(SIGNING)
        .isNotEqualTo(CredentialRequirement.apiKeyOnly());
  }

  @Test
  void apiKeyAndSecret_whenATextIsBlank_isRefused() {
    assertThatThrownBy(() -> CredentialRequirement.apiKeyAndSecret(" ", "API secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("neededBy");
  }

  @Test
  void fieldNames_thatLookLikeValues_areDescribedNotShown() {
    assertThat(StoredFields.shown("apiSecret")).isEqualTo("apiSecret");
    assertThat(StoredFields.shown("x-mbx-apikey")).isEqualTo("x-mbx-apikey");
    assertThat(StoredFields.shown("api_secret_v2")).isEqualTo("api_secret_v2");
    String hex = TestSecrets.randomHex(16);
    assertThat(StoredFields.shown(hex)).doesNotContain(hex).contains("32 characters");
    assertThat(StoredFields.shown(TestSecrets.randomAlphanumeric(64))).contains("not shown");
    assertThat(StoredFields.shown("sk/live+key=")).contains("not shown");
  }
}
