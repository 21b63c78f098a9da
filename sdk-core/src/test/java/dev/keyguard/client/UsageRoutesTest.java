package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class UsageRoutesTest {

  private static final HttpUrl BASE = HttpUrl.get("https://api.example.test/api/v3/");

  private static String route(UsageRoutes t, String method, String url) {
    return t.label(t.index(method, HttpUrl.get(url)));
  }

  @Test
  void declaredRoutes_ofTheClientAndTheOptions_matchRelativeToTheBasePath() {
    RouteTable<String> table =
        RouteTable.<String>builder().put(Route.parse("POST /orders"), "TRADE").build();
    UsageRoutes t =
        new UsageRoutes(
            BASE,
            table,
            List.of(Route.parse("GET /coins/{id}"), Route.parse("GET /coins/{id}/tickers")),
            4);

    assertThat(route(t, "GET", "https://api.example.test/api/v3/coins/bitcoin?x=1"))
        .isEqualTo("GET /coins/{id}");
    assertThat(route(t, "GET", "https://api.example.test/api/v3/coins/eth/tickers#f"))
        .isEqualTo("GET /coins/{id}/tickers");
    assertThat(route(t, "POST", "https://api.example.test/api/v3/orders"))
        .isEqualTo("POST /orders");
    assertThat(route(t, "GET", "https://api.example.test/api/v3/orders"))
        .as("another method is another route")
        .isEqualTo("GET /orders");
    assertThat(route(t, "GET", "https://api.example.test/api/v3/coins")).isEqualTo("GET /coins");
  }

  @Test
  void undeclaredPaths_areBoundedThenCountedAsOtherPerMethod() {
    UsageRoutes t = new UsageRoutes(BASE, RouteTable.empty(), List.of(), 2);

    assertThat(route(t, "GET", "https://api.example.test/api/v3/a/12345")).isEqualTo("GET /a/{id}");
    assertThat(route(t, "GET", "https://api.example.test/api/v3/a/999")).isEqualTo("GET /a/{id}");
    assertThat(route(t, "GET", "https://api.example.test/api/v3/")).isEqualTo("GET /");
    assertThat(route(t, "GET", "https://api.example.test/api/v3/b")).isEqualTo("GET (other)");
    assertThat(route(t, "DELETE", "https://api.example.test/api/v3/c")).isEqualTo("DELETE (other)");
    assertThat(route(t, "QUERY", "https://api.example.test/api/v3/c")).isEqualTo("* (other)");
    assertThat(t.capacity()).isEqualTo(2 + 8);
  }

  @Test
  void idLikeSegments_areNumbersTokensWithDigitsLongOrEncodedSegments() {
    assertThat(UsageRoutes.looksLikeId("123")).isTrue();
    assertThat(UsageRoutes.looksLikeId("a1b2c3d4")).isTrue();
    assertThat(UsageRoutes.looksLikeId("0x1f")).isFalse();
    assertThat(UsageRoutes.looksLikeId("v3")).isFalse();
    assertThat(UsageRoutes.looksLikeId("bitcoin")).isFalse();
    assertThat(UsageRoutes.looksLikeId("abcdefghijklmnopqrstuvwxyz")).isTrue();
    assertThat(UsageRoutes.looksLikeId("a%20b")).isTrue();
    assertThat(UsageRoutes.derive("GET", "/v3/ticker/550e8400-e29b-41d4-a716-446655440000"))
        .isEqualTo("GET /v3/ticker/{id}");
  }
}
