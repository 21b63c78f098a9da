package dev.keyguard.aws;

import static dev.keyguard.aws.SecretsAdmin.randomKey;
import static dev.keyguard.aws.SecretsAdmin.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.VersionedCredential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/** The provider against moto: each read, rotation stage and failure the provider must handle. */
class AwsSecretsManagerKeyProviderIT {

  @RegisterExtension static final MotoServer MOTO = new MotoServer();

  private final CallCounter calls = new CallCounter();
  private SecretsAdmin admin;
  private AwsSecretsManagerKeyProvider provider;

  @BeforeEach
  void setUp() {
    admin = new SecretsAdmin(MOTO.client());
  }

  @AfterEach
  void tearDown() {
    if (provider != null) {
      provider.close();
    }
  }

  private AwsSecretsManagerKeyProvider provider(AwsSecretsManagerKeyProvider.Builder builder) {
    provider =
        builder
            .clientCustomizer(b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(calls)))
            .build();
    return provider;
  }

  private static String value(VersionedCredential c) {
    return c.apiKey().value(InsecureSecretAccess.get());
  }

  @Test
  void fetch_plainStringSecret_returnsItWithTheAwsVersionId() {
    String name = uniqueName("plain");
    String apiKey = randomKey();
    String versionId = admin.create(name, apiKey);

    VersionedCredential credential = provider(MOTO.providerBuilder()).fetch(KeyId.of(name));

    assertThat(value(credential)).isEqualTo(apiKey);
    assertThat(credential.version()).isEqualTo(versionId);
    assertThat(credential.createdAt()).isPresent();
    assertThat(credential.toString()).doesNotContain(apiKey).contains(versionId);
    assertThat(calls.calls("GetSecretValue")).isEqualTo(1);
    assertThat(calls.totalCalls()).isEqualTo(1);
  }

  @Test
  void fetch_jsonSecret_mapsApiKeyAndApiSecret() {
    String name = uniqueName("json");
    String apiKey = randomKey();
    String apiSecret = randomKey();
    admin.create(
        name,
        "{\"apiKey\":\""
            + apiKey
            + "\",\"apiSecret\":\""
            + apiSecret
            + "\",\"scopes\":\"read,trade\"}");

    VersionedCredential credential = provider(MOTO.providerBuilder()).fetch(KeyId.of(name));

    assertThat(value(credential)).isEqualTo(apiKey);
    assertThat(credential.apiSecret())
        .hasValueSatisfying(
            s -> assertThat(s.value(InsecureSecretAccess.get())).isEqualTo(apiSecret));
    assertThat(credential.scopes()).containsExactlyInAnyOrder("read", "trade");
  }

  @Test
  void fetch_binarySecret_decodesUtf8() {
    String name = uniqueName("binary");
    String apiKey = randomKey();
    admin.createBinary(name, apiKey.getBytes(StandardCharsets.UTF_8));

    VersionedCredential credential = provider(MOTO.providerBuilder()).fetch(KeyId.of(name));

    assertThat(value(credential)).isEqualTo(apiKey);
  }

  @Test
  void fetch_withTags_readsScopesAndEnvironmentTags() {
    String name = uniqueName("tags");
    admin.create(
        name,
        randomKey(),
        Tag.builder().key("keyguard:scopes").value("read trade").build(),
        Tag.builder().key("keyguard:environment").value("prod").build());

    VersionedCredential credential =
        provider(MOTO.providerBuilder().readTags(true)).fetch(KeyId.of(name));

    assertThat(credential.scopes()).containsExactlyInAnyOrder("read", "trade");
    assertThat(credential.environment()).contains("prod");
  }

  @Test
  void
      fetch_afterASimulatedRotation_returnsTheNewVersionAlthoughMotoServesTheOldOneWithoutAStage() {
    String name = uniqueName("rotate");
    String first = randomKey();
    String second = randomKey();
    String v1 = admin.create(name, first);
    AwsSecretsManagerKeyProvider p = provider(MOTO.providerBuilder());
    assertThat(p.fetch(KeyId.of(name)).version()).isEqualTo(v1);

    String v2 = admin.rotate(name, second);
    VersionedCredential after = p.fetch(KeyId.of(name));

    assertThat(after.version()).isEqualTo(v2);
    assertThat(value(after)).isEqualTo(second);
    // the moto quirk the provider avoids by always naming the stage:
    assertThat(MOTO.client().getSecretValue(r -> r.secretId(name)).versionId())
        .as("moto without VersionStage")
        .isEqualTo(v1);
  }

  @Test
  void fetch_withVersionCheck_downloadsTheValueOncePerVersion() {
    String name = uniqueName("check");
    admin.create(name, randomKey());
    AwsSecretsManagerKeyProvider p = provider(MOTO.providerBuilder().versionCheck(true));
    KeyId key = KeyId.of(name);

    VersionedCredential one = p.fetch(key);
    p.fetch(key);
    p.fetch(key);
    String v2 = admin.rotate(name, randomKey());
    VersionedCredential two = p.fetch(key);
    p.fetch(key);

    assertThat(one.version()).isNotEqualTo(v2);
    assertThat(two.version()).isEqualTo(v2);
    assertThat(calls.calls("DescribeSecret")).isEqualTo(5);
    assertThat(calls.calls("GetSecretValue")).as("one per version").isEqualTo(2);
  }

  @Test
  void fetchAlternates_duringARotationWindow_returnsThePendingVersionThenNoneAfterIt() {
    String name = uniqueName("window");
    String current = randomKey();
    String pending = randomKey();
    admin.create(name, current);
    AwsSecretsManagerKeyProvider p = provider(MOTO.providerBuilder());
    KeyId key = KeyId.of(name);
    assertThat(p.fetchAlternates(key)).as("no rotation under way").isEmpty();

    String pendingVersion = admin.putPending(name, pending);
    List<VersionedCredential> during = p.fetchAlternates(key);
    VersionedCredential stillCurrent = p.fetch(key);
    admin.promote(name, pendingVersion);
    List<VersionedCredential> after = p.fetchAlternates(key);

    assertThat(during)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.version()).isEqualTo(pendingVersion);
              assertThat(value(c)).isEqualTo(pending);
            });
    assertThat(value(stillCurrent))
        .as("fetch keeps reading AWSCURRENT during the window")
        .isEqualTo(current);
    assertThat(after).isEmpty();
  }

  @Test
  void fetchAlternates_withVersionCheck_readsOnlyStagesThatExist() {
    String name = uniqueName("window-check");
    admin.create(name, randomKey());
    String pendingVersion = admin.putPending(name, randomKey());
    AwsSecretsManagerKeyProvider p =
        provider(
            MOTO.providerBuilder().versionCheck(true).alternateStages("AWSPENDING", "AWSPREVIOUS"));

    List<VersionedCredential> alternates = p.fetchAlternates(KeyId.of(name));

    assertThat(alternates).extracting(VersionedCredential::version).containsExactly(pendingVersion);
    assertThat(calls.calls("DescribeSecret")).isEqualTo(1);
    assertThat(calls.calls("GetSecretValue")).as("no call for the absent AWSPREVIOUS").isEqualTo(1);
  }

  @Test
  void fetch_whenSecretMissing_throwsNotFound() {
    KeyId key = KeyId.of(uniqueName("missing"));

    KeyNotFoundException e =
        catchThrowableOfType(
            KeyNotFoundException.class, () -> provider(MOTO.providerBuilder()).fetch(key));

    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains(key.value());
    assertThatThrownBy(() -> provider(MOTO.providerBuilder().versionCheck(true)).fetch(key))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void fetch_whenSecretDeleted_throwsNotFound() {
    String name = uniqueName("deleted");
    admin.create(name, randomKey());
    MOTO.client().deleteSecret(r -> r.secretId(name).recoveryWindowInDays(7L));

    assertThatThrownBy(() -> provider(MOTO.providerBuilder()).fetch(KeyId.of(name)))
        .isInstanceOf(KeyNotFoundException.class);
    assertThatThrownBy(
            () -> provider(MOTO.providerBuilder().versionCheck(true)).fetch(KeyId.of(name)))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("scheduled for deletion");
  }

  @Test
  void fetch_whenMotoIsDown_throwsRetryableUnavailableThenWorksWhenItIsBack() throws Exception {
    String name = uniqueName("down");
    admin.create(name, randomKey());
    AwsSecretsManagerKeyProvider p =
        provider(MOTO.providerBuilder().apiCallTimeout(Duration.ofSeconds(3)));
    KeyId key = KeyId.of(name);
    p.fetch(key);

    MOTO.stop();
    KeyProviderUnavailableException down;
    try {
      down = catchThrowableOfType(KeyProviderUnavailableException.class, () -> p.fetch(key));
    } finally {
      MOTO.start();
    }
    String apiKey = randomKey();
    String versionId = new SecretsAdmin(MOTO.client()).create(name, apiKey); // moto lost its state

    assertThat(down.isRetryable()).isTrue();
    assertThat(down.getMessage()).contains(name);
    VersionedCredential back = p.fetch(key);
    assertThat(back.version()).isEqualTo(versionId);
    assertThat(value(back)).isEqualTo(apiKey);
  }
}
