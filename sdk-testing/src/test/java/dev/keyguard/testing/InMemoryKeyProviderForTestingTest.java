package dev.keyguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.VersionedCredential;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryKeyProviderForTestingTest {

  private static final KeyId ID = KeyId.of("demo");

  private final InMemoryKeyProviderForTesting provider = new InMemoryKeyProviderForTesting();

  private static VersionedCredential credential(KeyId id, String version) {
    return VersionedCredential.builder(id, TestSecrets.randomSecret()).version(version).build();
  }

  @Test
  void fetch_returnsWhatWasPut_andAPutRotatesIt() {
    VersionedCredential v1 = credential(ID, "1");
    VersionedCredential v2 = credential(ID, "2");

    assertThat(provider.put(v1).fetch(ID)).isSameAs(v1);
    provider.put(v2);

    assertThat(provider.fetch(ID)).isSameAs(v2);
    assertThat(provider.fetchCount()).isEqualTo(2);
  }

  @Test
  void jacksonSerialization_isRefused_andNamesNoSecret() {
    VersionedCredential v1 = credential(ID, "1");
    provider.put(v1);

    assertThatThrownBy(() -> new ObjectMapper().writeValueAsString(provider))
        .isInstanceOf(JsonMappingException.class)
        .hasMessageContaining("InMemoryKeyProviderForTesting holds or reaches secret material")
        .satisfies(
            e ->
                SecretLeakAssertions.assertNoLeakInText(
                    "exception message", String.valueOf(e.getMessage()), v1.apiKey()));
  }

  @Test
  void fetch_whenAbsentOrRemoved_isNotFoundNamingTheKey() {
    provider.put(credential(ID, "1")).putAlternates(ID, List.of(credential(ID, "0")));
    provider.remove(ID);

    assertThatThrownBy(() -> provider.fetch(ID))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("'demo'");
    assertThat(provider.fetchAlternates(ID)).isEmpty();
  }

  @Test
  void failWith_makesEveryFetchThrowIt_untilRecover() {
    provider.put(credential(ID, "1"));
    KeyProviderUnavailableException down = new KeyProviderUnavailableException("down", ID);

    provider.failWith(down);

    assertThatThrownBy(() -> provider.fetch(ID)).isSameAs(down);
    assertThatThrownBy(() -> provider.fetchAlternates(ID)).isSameAs(down);
    provider.recover();
    assertThat(provider.fetch(ID).version()).isEqualTo("1");
    assertThat(provider.fetchCount()).isEqualTo(2);
    assertThat(provider.alternateFetchCount()).isEqualTo(1);
  }

  @Test
  void fetchAlternates_returnsACopyNewestFirst() {
    List<VersionedCredential> alternates =
        new ArrayList<>(List.of(credential(ID, "3"), credential(ID, "2")));
    provider.putAlternates(ID, alternates);
    alternates.clear();

    List<VersionedCredential> out = provider.fetchAlternates(ID);
    out.clear();

    assertThat(provider.fetchAlternates(ID))
        .extracting(VersionedCredential::version)
        .containsExactly("3", "2");
    assertThat(provider.alternateFetchCount()).isEqualTo(2);
  }

  @Test
  void put_whenNull_throwsNullPointerExceptionNamingTheArgument() {
    assertThatThrownBy(() -> provider.put(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("credential");
    assertThatThrownBy(() -> provider.failWith(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void nameAndToString_showKeyIdsAndVersionsOnly() {
    VersionedCredential b = credential(KeyId.of("b"), "7");
    provider.put(b).put(credential(KeyId.of("a"), "1"));

    assertThat(provider.name()).isEqualTo("in-memory-for-testing");
    assertThat(provider).hasToString("InMemoryKeyProviderForTesting[a@1, b@7]");
  }
}
