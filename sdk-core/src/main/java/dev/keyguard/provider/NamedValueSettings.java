package dev.keyguard.provider;

import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyId;
import dev.keyguard.TimeSource;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one builder behind {@link EnvKeyProvider.Builder} and {@link
 * SystemPropertyKeyProvider.Builder}, which only expose it under their own names. Every setter
 * replaces what an earlier call set; each value is checked as it is set, combinations in {@link
 * #checkCombinations()}, which the provider's constructor calls. Not thread-safe.
 */
final class NamedValueSettings {

  private final NamedValueKind kind;
  private String prefix;
  private boolean upperCase;
  private Function<KeyId, String> nameMapping;
  private Function<String, String> lookup;
  private String lookupDescription;
  private CredentialFieldMapping fieldMapping = CredentialFieldMapping.defaults();
  private TimeSource timeSource = TimeSource.system();

  NamedValueSettings(NamedValueKind kind) {
    this.kind = kind;
    this.lookup = kind.defaultLookup();
  }

  void prefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!kind.isValid(prefix)) {
      throw new IllegalArgumentException(kind.invalidPrefixMessage());
    }
    this.prefix = prefix;
  }

  void upperCaseNames() {
    this.upperCase = true;
  }

  void nameMapping(Function<KeyId, String> mapping) {
    this.nameMapping = Objects.requireNonNull(mapping, "mapping");
  }

  void lookup(Function<String, String> lookup, String description) {
    this.lookup = Objects.requireNonNull(lookup, "lookup");
    this.lookupDescription = description;
  }

  void fieldMapping(CredentialFieldMapping mapping) {
    this.fieldMapping = Objects.requireNonNull(mapping, "mapping");
  }

  void timeSource(TimeSource timeSource) {
    this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
  }

  /** Throws IllegalStateException naming the settings that cannot be combined. */
  void checkCombinations() {
    if (nameMapping != null && (prefix != null || upperCase)) {
      throw new IllegalStateException(kind.mappingConflictMessage());
    }
  }

  NamedValueKind kind() {
    return kind;
  }

  Function<String, String> lookup() {
    return lookup;
  }

  CredentialFieldMapping fieldMapping() {
    return fieldMapping;
  }

  TimeSource timeSource() {
    return timeSource;
  }

  /** The mapping as it is now: later changes to these settings do not affect it. */
  Function<KeyId, String> naming() {
    if (nameMapping != null) {
      return nameMapping;
    }
    String p = prefix == null ? "" : prefix;
    boolean upper = upperCase;
    return keyId -> p + (upper ? upperCaseName(keyId.value()) : keyId.value());
  }

  /** Describes the name mapping and where values are read; never a value. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    if (nameMapping != null) {
      sb.append("custom name mapping");
    } else {
      sb.append(prefix == null ? "no prefix" : "prefix '" + prefix + "'");
      if (upperCase) {
        sb.append(", upper-case names");
      }
    }
    if (lookupDescription != null) {
      sb.append(", ").append(kind.plural()).append(" from ").append(lookupDescription);
    }
    return sb.toString();
  }

  private static String upperCaseName(String keyId) {
    StringBuilder sb = new StringBuilder(keyId.length());
    for (int i = 0; i < keyId.length(); i++) {
      char c = keyId.charAt(i);
      boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      sb.append(keep ? c : '_');
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }
}
