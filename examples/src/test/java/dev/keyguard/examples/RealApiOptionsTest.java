package dev.keyguard.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.client.ApiPresets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line of the real-API mode. */
class RealApiOptionsTest {

  @Test
  void parse_withPresetKeyEnvAndPath_readsThem() {
    RealApiOptions options =
        RealApiOptions.parse(
            "--preset", "coingecko-demo", "--key-env", "COINGECKO_API_KEY", "--path", "/ping");
    assertThat(options.help()).isFalse();
    assertThat(options.preset()).isSameAs(ApiPresets.COINGECKO_DEMO);
    assertThat(options.keyVariable()).isEqualTo("COINGECKO_API_KEY");
    assertThat(options.path()).isEqualTo("/ping");
    assertThat(options.query()).isEmpty();
  }

  @Test
  void parse_withEqualsFormAndQueries_keepsQueryOrder() {
    RealApiOptions options =
        RealApiOptions.parse(
            "--preset=Binance",
            "--key-env=BINANCE_KEY",
            "--path=/api/v3/account",
            "--query",
            "recvWindow=5000",
            "--query=omitZeroBalances=true");
    assertThat(options.preset()).isSameAs(ApiPresets.BINANCE);
    assertThat(options.keyVariable()).isEqualTo("BINANCE_KEY");
    assertThat(List.copyOf(options.query().keySet()))
        .containsExactly("recvWindow", "omitZeroBalances");
    assertThat(options.query()).containsEntry("omitZeroBalances", "true");
  }

  @Test
  void parse_withHelp_returnsHelp() {
    assertThat(RealApiOptions.parse("--help").help()).isTrue();
    assertThat(RealApiOptions.parse("--preset", "kraken", "-h").help()).isTrue();
  }

  @Test
  void parse_withoutPreset_namesIt() {
    assertThatThrownBy(() -> RealApiOptions.parse("--key-env", "K", "--path", "/ping"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--preset is required");
  }

  @Test
  void parse_withoutPath_namesIt() {
    assertThatThrownBy(() -> RealApiOptions.parse("--preset", "kraken", "--key-env", "K"))
        .hasMessageStartingWith("--path is required");
  }

  @Test
  void parse_withUnknownPreset_listsTheKnownOnes() {
    assertThatThrownBy(
            () -> RealApiOptions.parse("--preset", "nope", "--key-env", "K", "--path", "/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("COINGECKO_DEMO");
  }

  @Test
  void parse_withPathThatIsAUrlOrHasAQuery_refusesIt() {
    assertThatThrownBy(
            () ->
                RealApiOptions.parse(
                    "--preset", "kraken", "--key-env", "K", "--path", "https://evil.example/x"))
        .hasMessageStartingWith("--path must be a path");
    assertThatThrownBy(
            () -> RealApiOptions.parse("--preset", "kraken", "--key-env", "K", "--path", "/x?a=b"))
        .hasMessageStartingWith("--path must be a path");
  }

  @Test
  void parse_withOptionGivenTwiceOrWithoutValue_refusesIt() {
    assertThatThrownBy(() -> RealApiOptions.parse("--preset", "kraken", "--preset", "binance"))
        .hasMessage("--preset was given twice");
    assertThatThrownBy(() -> RealApiOptions.parse("--preset", "kraken", "--key-env"))
        .hasMessage("--key-env needs a value");
    assertThatThrownBy(() -> RealApiOptions.parse("--preset", "kraken", "--query", "novalue"))
        .hasMessage("--query takes NAME=VALUE");
  }

  @Test
  void parse_withKeyInsteadOfVariableName_refusesWithoutEchoingIt() {
    String key = "sk-" + DemoTest.generatedKey();
    assertThatThrownBy(
            () -> RealApiOptions.parse("--preset", "kraken", "--key-env", key, "--path", "/x"))
        .hasMessageContaining("NAME of an environment variable")
        .message()
        .doesNotContain(key);
  }

  @Test
  void parse_withStrayArgument_doesNotEchoIt() {
    String key = DemoTest.generatedKey();
    assertThatThrownBy(() -> RealApiOptions.parse("--preset", "kraken", key, "--path", "/x"))
        .hasMessageContaining("unexpected argument 3")
        .message()
        .doesNotContain(key);
    assertThatThrownBy(() -> RealApiOptions.parse("--presett", "kraken"))
        .hasMessage("unknown option '--presett'");
  }
}
