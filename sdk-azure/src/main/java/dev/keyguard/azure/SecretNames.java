package dev.keyguard.azure;

import dev.keyguard.KeyId;
import java.util.function.Function;

/**
 * Turns key ids into Key Vault secret names, which allow only {@code [0-9a-zA-Z-]}, 1 to 127
 * characters.
 *
 * <p>The default mapping keeps letters, digits and hyphens, and writes each {@code .}, {@code _},
 * {@code /} and {@code :} as a hyphen ({@code coingecko.pro} → {@code coingecko-pro}, {@code
 * prod/binance_spot} → {@code prod-binance-spot}). Any other character (a space, {@code +}, a
 * non-ASCII letter) cannot map and is refused, never dropped: two key ids must not silently read
 * the same secret because a character vanished. Note that {@code a.b} and {@code a-b} map to the
 * same name, and Key Vault names are case-insensitive.
 */
final class SecretNames {

  /** The longest secret name Key Vault accepts. */
  static final int MAX_LENGTH = 127;

  /** The rule, for error messages. */
  static final String RULE =
      "Key Vault secret names allow only letters, digits and '-' (1 to "
          + MAX_LENGTH
          + " characters); the default mapping writes '.', '_', '/' and ':' as '-'";

  private SecretNames() {}

  /**
   * The default mapping.
   *
   * @throws IllegalArgumentException if the key id has a character that cannot map, or maps to a
   *     name longer than 127 characters
   */
  static String defaultName(KeyId keyId) {
    String value = keyId.value();
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (isAllowed(c)) {
        sb.append(c);
      } else if (c == '.' || c == '_' || c == '/' || c == ':') {
        sb.append('-');
      } else {
        throw new IllegalArgumentException(
            "key id '"
                + keyId
                + "' cannot name an Azure Key Vault secret: the character at index "
                + i
                + " ("
                + describe(c)
                + ") has no mapping. "
                + RULE
                + ". Rename the key, or give the provider a secretNameMapping(...)");
      }
    }
    return check(keyId, sb.toString());
  }

  /** Applies a mapping and checks its result. */
  static String map(Function<KeyId, String> mapping, KeyId keyId) {
    String name = mapping.apply(keyId);
    if (name == null) {
      throw new IllegalArgumentException(
          "the secretNameMapping returned no name for key id '" + keyId + "'");
    }
    return check(keyId, name);
  }

  private static String check(KeyId keyId, String name) {
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "key id '"
              + keyId
              + "' maps to a secret name of "
              + name.length()
              + " characters: "
              + RULE);
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isAllowed(name.charAt(i))) {
        throw new IllegalArgumentException(
            "key id '"
                + keyId
                + "' maps to '"
                + name
                + "', which is not a Key Vault secret name: "
                + RULE);
      }
    }
    return name;
  }

  private static boolean isAllowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  }

  private static String describe(char c) {
    return c >= 0x21 && c < 0x7f
        ? "'" + c + "'"
        : String.format(java.util.Locale.ROOT, "U+%04X", (int) c);
  }

  /** The mapping the provider uses when none is given. */
  static Function<KeyId, String> defaults() {
    return SecretNames::defaultName;
  }
}
