package dev.keyguard.examples;

import dev.keyguard.client.ApiPreset;
import dev.keyguard.client.ApiPresets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The command line of the real-API mode: {@code --preset NAME --key-env VARIABLE --path PATH
 * [--query NAME=VALUE]...}, or {@code --help}. Each option may also be written {@code
 * --option=value}. The key itself is never an argument (arguments show up in process lists and
 * shell history); only the name of the variable is.
 *
 * @param help true for {@code --help}; the other fields are then null or empty
 * @param preset the API preset
 * @param keyVariable the environment variable holding the key (a plain key or a JSON object)
 * @param path the path relative to the preset's base URL
 * @param query query parameters, in the order given
 */
record RealApiOptions(
    boolean help,
    @Nullable ApiPreset preset,
    @Nullable String keyVariable,
    @Nullable String path,
    Map<String, String> query) {

  private static final Pattern OPTION_LIKE = Pattern.compile("--[a-z][a-z-]{0,30}");

  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "Usage:",
          "  scripts/demo.sh",
          "      the offline demo: a local HTTPS API, a key rotation, refused cleartext and",
          "      redirects; set DEMO_API_KEY to choose the initial key",
          "  scripts/demo.sh --preset NAME --key-env VARIABLE --path PATH [--query NAME=VALUE]...",
          "      one GET to a real API with the key read from the environment variable, e.g.",
          "      COINGECKO_API_KEY=... scripts/demo.sh --preset coingecko-demo \\",
          "          --key-env COINGECKO_API_KEY --path /ping",
          "      presets: token-metrics, coingecko-demo, coingecko-pro, coinmarketcap, binance,",
          "      kraken, coinbase-advanced-trade (signing presets need the variable to hold",
          "      {\"apiKey\":\"...\",\"apiSecret\":\"...\"})");

  RealApiOptions {
    query = query == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(query));
  }

  /**
   * Parses the arguments of the real-API mode.
   *
   * @param args the arguments, at least one
   * @return the options
   * @throws IllegalArgumentException naming what is wrong or missing
   */
  static RealApiOptions parse(String... args) {
    String presetName = null;
    String keyVariable = null;
    String path = null;
    Map<String, String> query = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int position = i;
      if (arg.equals("--help") || arg.equals("-h")) {
        return new RealApiOptions(true, null, null, null, Map.of());
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else {
        name = arg;
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(
              known(name) ? name + " needs a value" : unknown(name, position));
        }
        value = args[++i];
      }
      switch (name) {
        case "--preset" -> presetName = once(name, presetName, value);
        case "--key-env" -> keyVariable = once(name, keyVariable, value);
        case "--path" -> path = once(name, path, value);
        case "--query" -> {
          int q = value.indexOf('=');
          if (q <= 0) {
            throw new IllegalArgumentException("--query takes NAME=VALUE");
          }
          query.put(value.substring(0, q), value.substring(q + 1));
        }
        default -> throw new IllegalArgumentException(unknown(name, position));
      }
    }
    if (presetName == null) {
      throw new IllegalArgumentException("--preset is required");
    }
    if (keyVariable == null) {
      throw new IllegalArgumentException(
          "--key-env is required: the name of the environment variable that holds the key");
    }
    if (!VARIABLE_NAME.matcher(keyVariable).matches()) {
      throw new IllegalArgumentException(
          "--key-env takes the NAME of an environment variable (letters, digits, '_'), not the key"
              + " itself");
    }
    if (path == null) {
      throw new IllegalArgumentException("--path is required, e.g. --path /ping");
    }
    if (!path.startsWith("/") || path.contains("://") || path.indexOf('?') >= 0) {
      throw new IllegalArgumentException(
          "--path must be a path relative to the preset's base URL, such as /ping; pass query"
              + " parameters with --query NAME=VALUE");
    }
    ApiPreset preset = ApiPresets.byName(presetName);
    return new RealApiOptions(false, preset, keyVariable, path, query);
  }

  /**
   * Names an unknown option; anything that does not look like an option is not echoed (it may be a
   * key pasted in the wrong place).
   */
  private static String unknown(String arg, int index) {
    return OPTION_LIKE.matcher(arg).matches()
        ? "unknown option '" + arg + "'"
        : "unexpected argument "
            + (index + 1)
            + " (not echoed: it could be a key; keys are read"
            + " from the environment variable named by --key-env)";
  }

  private static boolean known(String name) {
    return name.equals("--preset")
        || name.equals("--key-env")
        || name.equals("--path")
        || name.equals("--query");
  }

  private static String once(String name, @Nullable String previous, String value) {
    if (previous != null) {
      throw new IllegalArgumentException(name + " was given twice");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return value.strip();
  }
}
