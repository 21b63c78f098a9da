package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every route of every preset with a route table: a read key and a trade key, and which of them
 * signs it (or that none may). The read key holds the preset's reading scope, the trade key its
 * trading scope only.
 */
class KeySelectorPresetRoutesTest {

  /** preset, the read key's scope, the trade key's scope. */
  static Stream<Arguments> presets() {
    return Stream.of(
        Arguments.of(ApiPresets.BINANCE, "USER_DATA", "TRADE"),
        Arguments.of(ApiPresets.KRAKEN, "PRIVATE", "TRADE"),
        Arguments.of(ApiPresets.COINBASE_ADVANCED_TRADE, "VIEW", "TRADE"));
  }

  static Stream<Arguments> everyRoute() {
    List<Arguments> out = new ArrayList<>();
    presets()
        .forEach(
            a -> {
              ApiPreset preset = (ApiPreset) a.get()[0];
              for (Map.Entry<Route, String> e : preset.routes().asMap().entrySet()) {
                out.add(Arguments.of(preset, a.get()[1], a.get()[2], e.getKey(), e.getValue()));
              }
            });
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {3}")
  @MethodSource("everyRoute")
  void everyPresetRoute_isSignedByTheLeastPrivilegedKeyThatCoversIt_orRefused(
      ApiPreset preset, String readScope, String tradeScope, Route route, String scope)
      throws Exception {
    KeySelector selector = selector(preset, readScope, tradeScope);
    Request request = concrete(route);

    if (scope.equals(preset.publicScope().orElseThrow()) || scope.equals(readScope)) {
      assertThat(pick(selector, request)).isEqualTo(KeyId.of("read"));
    } else if (scope.equals(tradeScope)) {
      assertThat(pick(selector, request)).isEqualTo(KeyId.of("trade"));
    } else {
      assertThatThrownBy(() -> pick(selector, request))
          .isInstanceOf(KeyGuardIOException.class)
          .cause()
          .isInstanceOf(InsufficientScopeException.class)
          .hasMessageContaining("No key of this client may call " + route)
          .hasMessageContaining("it requires scope " + scope)
          .satisfies(
              e -> {
                InsufficientScopeException ise = (InsufficientScopeException) e;
                assertThat(ise.route()).isEqualTo(route.toString());
                assertThat(ise.requiredScope()).isEqualTo(scope);
              });
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void everyPresetScope_isOneOfItsScopes_andSensitiveScopesAreNeverPublic(ApiPreset preset) {
    assertThat(preset.scopes()).containsAll(preset.routes().asMap().values());
    assertThat(preset.scopes()).containsAll(preset.sensitiveScopes());
    assertThat(preset.sensitiveScopes()).doesNotContain(preset.publicScope().orElseThrow());
  }

  static KeySelector selector(ApiPreset preset, String readScope, String tradeScope) {
    VersionedCredential read =
        TestCredentials.credential(KeyId.of("read"), "1").toBuilder()
            .scopes(List.of(readScope))
            .build();
    VersionedCredential trade =
        TestCredentials.credential(KeyId.of("trade"), "1").toBuilder()
            .scopes(List.of(tradeScope))
            .build();
    KeySelector selector =
        new KeySelector(
            List.of(new FakeManagedKey(trade), new FakeManagedKey(read)),
            Map.of(),
            preset.routes(),
            preset.scopes(),
            preset.publicScope().orElse(null),
            UnmappedRoutes.LEAST_PRIVILEGED_KEY,
            preset.sensitivePathPrefixes(),
            preset.baseUrl().encodedPath(),
            null,
            "https://test");
    return selector; // scopes from credentials are learnt when a key is first asked
  }

  /** A request for the route, each path variable filled with a sample value. */
  static Request concrete(Route route) {
    String path = route.template().replaceAll("\\{[^}]+}", "sample-1");
    Request.Builder b = new Request.Builder().url("https://api.example.com" + path);
    RequestBody body = RequestBody.create(new byte[0]);
    return switch (route.method()) {
      case "GET" -> b.get().build();
      case "DELETE" -> b.delete().build();
      default -> b.method(route.method(), body).build();
    };
  }

  /** What the authenticator does: select, ask the key, check, and switch if scopes were news. */
  static KeyId pick(KeySelector selector, Request request) throws KeyGuardIOException {
    int slot = selector.select(request);
    for (int round = 0; round <= selector.keyCount(); round++) {
      int checked = selector.check(slot, selector.key(slot).current(), request);
      if (checked == slot) {
        return selector.key(slot).keyId();
      }
      slot = checked;
    }
    throw new AssertionError("no stable choice");
  }
}
