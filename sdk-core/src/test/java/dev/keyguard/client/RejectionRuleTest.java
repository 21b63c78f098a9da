package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RejectionRuleTest {

  @Test
  void defaults_are401And403ByStatusOnly() {
    RejectionRule rule = RejectionRule.defaults();

    assertThat(rule.statuses()).containsExactly(401, 403);
    assertThat(rule.errorCodes()).isEmpty();
    assertThat(rule.errorField()).isEmpty();
    assertThat(rule.inspectsBodies()).isFalse();
    assertThat(RejectionRule.none().statuses()).isEmpty();
  }

  @Test
  void withMethods_returnNewRulesAndLeaveTheOriginalUnchanged() {
    RejectionRule base = RejectionRule.defaults();

    RejectionRule kraken = base.withErrorField("error").withErrorCodes("EAPI:Invalid key");

    assertThat(kraken.inspectsBodies()).isTrue();
    assertThat(kraken.errorField()).contains("error");
    assertThat(kraken.errorCodes()).containsExactly("EAPI:Invalid key");
    assertThat(base).isEqualTo(RejectionRule.defaults());
    assertThat(kraken.withoutErrorField().inspectsBodies()).isFalse();
    assertThat(kraken.withoutErrorField().errorCodes()).containsExactly("EAPI:Invalid key");
  }

  @Test
  void codesWithoutAField_areInformationalOnly() {
    RejectionRule binance = RejectionRule.defaults().withStatuses(401).withErrorCodes("-2015");

    assertThat(binance.inspectsBodies()).isFalse();
    assertThat(binance.isRejectionStatus(401)).isTrue();
    assertThat(binance.isRejectionStatus(403)).isFalse();
  }

  @Test
  void with_whenAValueIsInvalid_throwsNamingIt() {
    RejectionRule rule = RejectionRule.defaults();

    assertThatThrownBy(() -> rule.withStatuses(500))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rejection status")
        .hasMessageContaining("500");
    assertThatThrownBy(() -> rule.withErrorCodes(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rejection error code");
    assertThatThrownBy(() -> rule.withErrorField(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rejection error field");
  }

  @Test
  void equalRules_areEqualAndShowTheirParts() {
    RejectionRule a = RejectionRule.defaults().withStatuses(403, 401).withErrorCodes("x");
    RejectionRule b = RejectionRule.defaults().withErrorCodes("x");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toString()).contains("[401, 403]", "x");
  }

  @Test
  void preset_andTheClientBuiltFromIt_shareOneRule() {
    KeyGuardClient.Builder builder = KeyGuardClient.builder().preset(ApiPresets.KRAKEN);

    assertThat(builder.rejectionRule).isSameAs(ApiPresets.KRAKEN.rejectionRule());
    assertThat(ApiPresets.KRAKEN.rejectionRule().inspectsBodies()).isTrue();
  }

  @Test
  void clientBuilder_rejectionStatusesAndErrorCodes_changeOnlyTheirPartOfTheRule() {
    KeyGuardClient.Builder builder =
        KeyGuardClient.builder().rejectionErrorCodes("error", "E:bad").rejectionStatuses(401);

    assertThat(builder.rejectionRule)
        .isEqualTo(
            RejectionRule.defaults()
                .withStatuses(401)
                .withErrorField("error")
                .withErrorCodes("E:bad"));
    assertThat(builder.rejectionErrorCodes("error").rejectionRule.inspectsBodies()).isFalse();
  }
}
