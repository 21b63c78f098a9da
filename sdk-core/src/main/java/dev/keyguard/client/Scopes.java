package dev.keyguard.client;

import java.util.Locale;
import java.util.Objects;

/** Scope names: upper-case letters, digits and underscores, compared after upper-casing. */
final class Scopes {

  private Scopes() {}

  static String checkName(String name) {
    Objects.requireNonNull(name, "scope");
    String upper = name.strip().toUpperCase(Locale.ROOT);
    if (upper.isEmpty()
        || !upper.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
      throw new IllegalArgumentException(
          "a scope name has letters, digits and underscores only, was '" + name + "'");
    }
    return upper;
  }
}
