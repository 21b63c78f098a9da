package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BodyRejectionMatcherTest {

  private final BodyRejectionMatcher kraken =
      new BodyRejectionMatcher("error", Set.of("EAPI:Invalid key", "EAPI:Invalid signature"));

  private String match(BodyRejectionMatcher m, String body) {
    return m.match(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void match_whenCodeIsAnElementOfTheTopLevelArray_returnsTheConfiguredCode() {
    assertThat(match(kraken, "{\"error\":[\"EGeneral:Other\",\"EAPI:Invalid signature\"]}"))
        .isEqualTo("EAPI:Invalid signature");
  }

  @Test
  void match_whenFieldIsAStringOrNumber_matchesIt() {
    assertThat(match(kraken, "{\"result\":{\"a\":[1,{\"b\":2}]},\"error\":\"EAPI:Invalid key\"}"))
        .isEqualTo("EAPI:Invalid key");
    BodyRejectionMatcher binance = new BodyRejectionMatcher("code", Set.of("-2015"));
    assertThat(match(binance, "{\"code\":-2015,\"msg\":\"x\"}")).isEqualTo("-2015");
    assertThat(match(binance, "{\"code\":-2014}")).isNull();
  }

  @Test
  void match_whenCodeIsOnlyNestedOrInAnotherField_isNull() {
    assertThat(match(kraken, "{\"result\":{\"error\":[\"EAPI:Invalid key\"]},\"error\":[]}"))
        .isNull();
    assertThat(match(kraken, "{\"error\":[[\"EAPI:Invalid key\"]]}")).isNull();
    assertThat(match(kraken, "{\"message\":\"EAPI:Invalid key\"}")).isNull();
    assertThat(match(kraken, "{\"error\":[\"eapi:invalid key\"]}")).isNull();
  }

  @Test
  void match_whenNotAJsonObjectOrTruncated_isNullWithoutThrowing() {
    assertThat(match(kraken, "")).isNull();
    assertThat(match(kraken, "EAPI:Invalid key")).isNull();
    assertThat(match(kraken, "[\"EAPI:Invalid key\"]")).isNull();
    assertThat(match(kraken, "{\"result\":{\"a\":\"tru")).isNull();
    assertThat(match(kraken, "{\"error\":[\"EGeneral:x\",\"EAPI:Inv")).isNull();
    // found before the cut: a match
    assertThat(match(kraken, "{\"error\":[\"EAPI:Invalid key\",\"EGen"))
        .isEqualTo("EAPI:Invalid key");
  }

  @Test
  void inspects_only2xxAndNonRetryable4xx() {
    assertThat(BodyRejectionMatcher.inspects(200)).isTrue();
    assertThat(BodyRejectionMatcher.inspects(400)).isTrue();
    assertThat(BodyRejectionMatcher.inspects(302)).isFalse();
    assertThat(BodyRejectionMatcher.inspects(408)).isFalse();
    assertThat(BodyRejectionMatcher.inspects(429)).isFalse();
    assertThat(BodyRejectionMatcher.inspects(500)).isFalse();
  }

  @Test
  void constructor_whenFieldBlankOrNoCodes_refuses() {
    assertThatThrownBy(() -> new BodyRejectionMatcher(" ", Set.of("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BodyRejectionMatcher("error", Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
