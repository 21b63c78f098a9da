package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouteTableTest {

  private static final RouteTable<String> COINBASE =
      RouteTable.<String>builder()
          .put("GET /api/v3/brokerage/orders/historical/{order_id}", "one")
          .put("GET /api/v3/brokerage/orders/historical/batch", "batch")
          .put("GET /api/v3/brokerage/orders/historical/fills", "fills")
          .put("POST /api/v3/brokerage/orders", "create")
          .put("GET /api/v3/brokerage/products/{product_id}/candles", "candles")
          .build();

  @Test
  void lookup_findsTheMostSpecificRoute() {
    assertThat(COINBASE.lookup("GET", "/api/v3/brokerage/orders/historical/batch"))
        .isEqualTo("batch");
    assertThat(COINBASE.lookup("GET", "/api/v3/brokerage/orders/historical/fills"))
        .isEqualTo("fills");
    assertThat(COINBASE.lookup("GET", "/api/v3/brokerage/orders/historical/0c7a")).isEqualTo("one");
    assertThat(COINBASE.match("GET", "/api/v3/brokerage/orders/historical/0c7a"))
        .isEqualTo(Route.parse("GET /api/v3/brokerage/orders/historical/{order_id}"));
    assertThat(COINBASE.lookup("GET", "/api/v3/brokerage/products/BTC-USD/candles"))
        .isEqualTo("candles");
  }

  @Test
  void lookup_comparesTheMethod_andGivesNullForAnUnmappedRequest() {
    assertThat(COINBASE.lookup("POST", "/api/v3/brokerage/orders")).isEqualTo("create");
    assertThat(COINBASE.lookup("GET", "/api/v3/brokerage/orders")).isNull();
    assertThat(COINBASE.lookup("DELETE", "/api/v3/brokerage/orders")).isNull();
    assertThat(COINBASE.match("GET", "/api/v3/brokerage/accounts")).isNull();
  }

  @Test
  void indexOf_readsFromAnOffset() {
    int i = COINBASE.indexOf("POST", "/base/api/v3/brokerage/orders", 5);

    assertThat(COINBASE.valueAt(i)).isEqualTo("create");
    assertThat(COINBASE.routeAt(i)).isEqualTo(Route.parse("POST /api/v3/brokerage/orders"));
  }

  @Test
  void sameShapeWithOtherVariableNames_failsNamingBoth() {
    RouteTable.Builder<String> b =
        RouteTable.<String>builder()
            .put("GET /orders/{id}", "a")
            .put("GET /orders/{order_id}", "b");

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'GET /orders/{id}'")
        .hasMessageContaining("'GET /orders/{order_id}'")
        .hasMessageContaining("they match the same paths");
  }

  @Test
  void crossingTemplates_failNamingBoth() {
    RouteTable.Builder<String> b =
        RouteTable.<String>builder().put("GET /a/{x}", "a").put("GET /{y}/b", "b");

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'GET /a/{x}' and 'GET /{y}/b' overlap")
        .hasMessageContaining("neither is more specific");
  }

  @Test
  void sameTemplateForTwoMethods_doesNotOverlap() {
    RouteTable<String> t =
        RouteTable.<String>builder()
            .put("GET /api/v3/order", "read")
            .put("POST /api/v3/order", "trade")
            .build();

    assertThat(t.lookup("GET", "/api/v3/order")).isEqualTo("read");
    assertThat(t.lookup("POST", "/api/v3/order")).isEqualTo("trade");
  }

  @Test
  void putOfAnEqualRoute_replacesItsValue_andToBuilderKeepsTheRest() {
    RouteTable<String> overridden =
        COINBASE.toBuilder().put("POST /api/v3/brokerage/orders", "changed").build();

    assertThat(overridden.lookup("POST", "/api/v3/brokerage/orders")).isEqualTo("changed");
    assertThat(overridden.size()).isEqualTo(COINBASE.size());
    assertThat(COINBASE.lookup("POST", "/api/v3/brokerage/orders")).isEqualTo("create");
    assertThat(
            COINBASE.toBuilder()
                .remove(Route.parse("POST /api/v3/brokerage/orders"))
                .build()
                .size())
        .isEqualTo(COINBASE.size() - 1);
  }

  @Test
  void map_keepsTheRoutes_andAsMapKeepsTheOrderPut() {
    RouteTable<Integer> lengths = COINBASE.map(String::length);

    assertThat(lengths.lookup("GET", "/api/v3/brokerage/orders/historical/batch")).isEqualTo(5);
    assertThat(COINBASE.asMap().keySet().iterator().next())
        .isEqualTo(Route.parse("GET /api/v3/brokerage/orders/historical/{order_id}"));
    assertThat(RouteTable.<String>empty().lookup("GET", "/")).isNull();
    assertThat(RouteTable.<String>empty().isEmpty()).isTrue();
  }
}
