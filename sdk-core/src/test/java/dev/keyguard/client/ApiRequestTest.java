package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.testing.TestSecrets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiRequestTest {

  @Test
  void builder_holdsMethodPathQueryBodyAndHeaders() {
    ApiRequest request =
        ApiRequest.builder("delete", "/orders/7")
            .queryParameter("symbol", "BTC")
            .queryParameter("limit", 5)
            .header("X-Idempotency-Key", "k-1")
            .body(Map.of("qty", 1))
            .build();

    assertThat(request.method()).isEqualTo("DELETE");
    assertThat(request.path()).isEqualTo("/orders/7");
    assertThat(request.queryParameters())
        .containsExactly(Map.entry("symbol", "BTC"), Map.entry("limit", "5"));
    assertThat(request.headers()).containsEntry("x-idempotency-key", "k-1");
    assertThat(request.body()).contains(Map.of("qty", 1));
  }

  @Test
  void builder_whenASettingIsMadeTwice_theLastCallWins() {
    Map<String, Object> first = new LinkedHashMap<>();
    first.put("a", 1);
    ApiRequest request =
        ApiRequest.builder("GET", "/p")
            .queryParameters(first)
            .queryParameters(Map.of("b", 2))
            .queryParameter("c", 3)
            .queryParameter("c", 4)
            .header("X-One", "1")
            .header("x-one", "2")
            .build();

    assertThat(request.queryParameters()).containsExactly(Map.entry("b", "2"), Map.entry("c", "4"));
    assertThat(request.headers()).hasSize(1).containsEntry("X-One", "2");
  }

  @Test
  void build_returnsAnImmutableValue() {
    ApiRequest request = ApiRequest.get("/p", Map.of("a", 1));

    assertThatThrownBy(() -> request.queryParameters().put("b", "2"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> request.headers().put("b", "2"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toBuilder_derivesAVariantWithoutChangingTheOriginal() {
    ApiRequest original = ApiRequest.builder("POST", "/orders").body("x").header("A", "1").build();

    ApiRequest variant = original.toBuilder().queryParameter("dry", true).build();

    assertThat(variant.method()).isEqualTo("POST");
    assertThat(variant.body()).contains("x");
    assertThat(variant.headers()).containsEntry("A", "1");
    assertThat(variant.queryParameters()).containsEntry("dry", "true");
    assertThat(original.queryParameters()).isEmpty();
  }

  @Test
  void builder_whenPathIsAbsoluteOrCarriesAQueryOrDotSegments_throwsAtOnce() {
    assertThatThrownBy(() -> ApiRequest.get("https://evil.example/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relative");
    assertThatThrownBy(() -> ApiRequest.get("//evil.example/x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiRequest.get("/p?x=1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiRequest.get("/a/%2E%2E/b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builder_whenMethodIsNotAMethodName_throwsAtOnce() {
    assertThatThrownBy(() -> ApiRequest.builder("GE T", "/p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("method");
  }

  @Test
  void header_whenValueHoldsALineBreak_throwsWithoutEchoingTheValue() {
    String secret = TestSecrets.randomBase64Url(24);

    assertThatThrownBy(() -> ApiRequest.builder("GET", "/p").header("X-Token", secret + "\r\nX: y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Token")
        .hasMessageNotContaining(secret);
    assertThatThrownBy(() -> ApiRequest.builder("GET", "/p").header("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toString_showsNamesButNoValue() {
    String secret = TestSecrets.randomBase64Url(24);
    ApiRequest request =
        ApiRequest.builder("POST", "/orders")
            .queryParameter("symbol", secret)
            .header("X-Note", secret)
            .body(Map.of("note", secret))
            .build();

    assertThat(request.toString())
        .contains("POST /orders", "symbol", "X-Note")
        .doesNotContain(secret);
  }
}
