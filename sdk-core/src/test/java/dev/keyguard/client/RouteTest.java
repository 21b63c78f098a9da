package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTest {

  private static final Route ORDER =
      Route.of("GET", "/api/v3/brokerage/orders/historical/{order_id}");

  @Test
  void template_isKeptAsGiven_andTheMethodUpperCase() {
    Route route = Route.of("get", "/api/v3/brokerage/orders/historical/{order_id}");

    assertThat(route.method()).isEqualTo("GET");
    assertThat(route.template()).isEqualTo("/api/v3/brokerage/orders/historical/{order_id}");
    assertThat(route).hasToString("GET /api/v3/brokerage/orders/historical/{order_id}");
    assertThat(route).isEqualTo(ORDER).hasSameHashCodeAs(ORDER);
  }

  @Test
  void parse_readsMethodAndTemplate() {
    assertThat(Route.parse("  POST   /api/v3/order ")).isEqualTo(Route.of("POST", "/api/v3/order"));
  }

  @ParameterizedTest
  @CsvSource({
    "GET, /api/v3/brokerage/orders/historical/8f2c-11, true",
    "GET, /api/v3/brokerage/orders/historical/a%2Fb, true",
    "POST, /api/v3/brokerage/orders/historical/8f2c, false",
    "GET, /api/v3/brokerage/orders/historical/, false",
    "GET, /api/v3/brokerage/orders/historical, false",
    "GET, /api/v3/brokerage/orders/historical/8f2c/fills, false",
    "GET, /api/v3/brokerage/orders/historicalx/8f2c, false",
    "GET, /api/v3/brokerage/orders/historical/8f2c/, false",
    "GET, /api/v3/brokerage/order/historical/8f2c, false",
  })
  void matches_comparesLiteralsExactlyAndAVariableWithOneNonEmptySegment(
      String method, String path, boolean expected) {
    assertThat(ORDER.matches(method, path)).isEqualTo(expected);
  }

  @Test
  void matches_fromAnOffset_skipsTheBaseUrlsPath() {
    Route price = Route.of("GET", "/price");

    assertThat(price.matches("GET", "/v2/price", 3)).isTrue();
    assertThat(price.matches("GET", "/v2/price", 0)).isFalse();
  }

  @Test
  void rootTemplate_matchesOnlyTheRoot() {
    Route root = Route.of("GET", "/");

    assertThat(root.matches("GET", "/")).isTrue();
    assertThat(root.matches("GET", "/x")).isFalse();
    assertThat(root.matches("GET", "")).isFalse();
  }

  @Test
  void literalWithPrefixOfTheSegment_doesNotMatch() {
    assertThat(Route.of("GET", "/api/v3/order").matches("GET", "/api/v3/orders")).isFalse();
    assertThat(Route.of("GET", "/api/v3/order").matches("GET", "/api/v3/order")).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "api/v3/order | it must start with '/'",
        "/api/v3/order/ | it must not end with '/'",
        "/api//order | segment 2 is empty",
        "/api/{id | segment 2 '{id' must be a whole variable",
        "/api/x{id} | a variable fills a whole segment",
        "/api/{} | must be a whole variable",
        "/api/{a b} | a variable name has letters",
        "/a/{id}/b/{id} | variable '{id}' appears twice",
        "/api/../x | is a dot segment",
        "/api/v3?x=1 | no query or fragment ('?')",
        "/api/v3#x | no query or fragment ('#')",
        "/api/v 3 | only printable ASCII",
      })
  void invalidTemplate_failsNamingTheTemplateAndTheReason(String template, String reason) {
    assertThatThrownBy(() -> Route.of("GET", template))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid route template '" + template + "'")
        .hasMessageContaining(reason);
  }

  @Test
  void invalidMethod_orNoSpace_fails() {
    assertThatThrownBy(() -> Route.of("GE T", "/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HTTP method has letters only")
        .hasMessageContaining("'GE T'");
    assertThatThrownBy(() -> Route.of("", "/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> Route.parse("/api/v3/order"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'METHOD /path/template'");
  }
}
