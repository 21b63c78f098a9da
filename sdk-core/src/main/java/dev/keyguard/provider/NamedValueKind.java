package dev.keyguard.provider;

import java.util.function.Function;

/**
 * What tells the named-value providers apart: where the values come from by default, what the names
 * are called in messages, and which characters a name may not hold. Everything else ({@link
 * NamedValueBuilder}, {@link NamedValueKeyProvider}) is shared.
 */
enum NamedValueKind {
  ENVIRONMENT_VARIABLE(
      "env",
      "environment variable",
      "variables",
      System::getenv,
      true,
      "an environment variable prefix must be non-empty, without '=' or NUL",
      "nameMapping cannot be combined with prefix or upperCaseNames: put them in the function"),
  SYSTEM_PROPERTY(
      "system-properties",
      "system property",
      "properties",
      System::getProperty,
      false,
      "a system property prefix must be non-empty, without NUL",
      "nameMapping cannot be combined with prefix: put the prefix in the function");

  private final String providerName;
  private final String noun;
  private final String plural;

  // System::getenv and System::getProperty: method references without state
  @SuppressWarnings("ImmutableEnumChecker")
  private final Function<String, String> defaultLookup;

  private final boolean forbidsEquals;
  private final String invalidPrefix;
  private final String mappingConflict;

  NamedValueKind(
      String providerName,
      String noun,
      String plural,
      Function<String, String> defaultLookup,
      boolean forbidsEquals,
      String invalidPrefix,
      String mappingConflict) {
    this.providerName = providerName;
    this.noun = noun;
    this.plural = plural;
    this.defaultLookup = defaultLookup;
    this.forbidsEquals = forbidsEquals;
    this.invalidPrefix = invalidPrefix;
    this.mappingConflict = mappingConflict;
  }

  /** The provider's {@link dev.keyguard.key.KeyProvider#name()}. */
  String providerName() {
    return providerName;
  }

  /** How messages call one name: {@code environment variable}, {@code system property}. */
  String noun() {
    return noun;
  }

  /** How descriptions call the values: {@code variables}, {@code properties}. */
  String plural() {
    return plural;
  }

  /** The process's own values: the environment or the system properties. */
  Function<String, String> defaultLookup() {
    return defaultLookup;
  }

  /** Whether a name, or a prefix, is non-empty and has none of the characters names refuse. */
  boolean isValid(String name) {
    return name != null
        && !name.isEmpty()
        && name.indexOf('\0') < 0
        && !(forbidsEquals && name.indexOf('=') >= 0);
  }

  /** The message for a prefix that {@link #isValid(String)} refuses. */
  String invalidPrefixMessage() {
    return invalidPrefix;
  }

  /** The message for a name mapping combined with the options it replaces. */
  String mappingConflictMessage() {
    return mappingConflict;
  }
}
