package dev.keyguard.provider;

import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyId;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The one builder of the named-value providers: {@link EnvKeyProvider.Builder} and {@link
 * SystemPropertyKeyProvider.Builder} extend it with their own source-specific setters and {@code
 * build()}. Every setter replaces what an earlier call set; each value is checked as it is set,
 * combinations by {@link #checkCombinations()}, which the provider's constructor calls. Not
 * thread-safe.
 *
 * @param <B> the public builder type
 */
abstract class NamedValueBuilder<B extends NamedValueBuilder<B>> {

  private final NamedValueKind kind;
  private final Class<B> type;
  private @Nullable String prefix;
  private boolean upperCase;
  private @Nullable Function<KeyId, String> nameMapping;
  private Function<String, String> lookup;
  private @Nullable String lookupDescription;
  private CredentialFieldMapping fieldMapping = CredentialFieldMapping.defaults();
  private TimeSource timeSource = TimeSource.system();

  NamedValueBuilder(NamedValueKind kind, Class<B> type) {
    this.kind = kind;
    this.type = type;
    this.lookup = kind.defaultLookup();
  }

  /**
   * Puts a prefix before every name: {@code MYAPP_} for environment variables, {@code keyguard.}
   * for system properties. With {@link EnvKeyProvider.Builder#upperCaseNames()} the prefix is put
   * before the upper-cased id, as given.
   *
   * @param prefix the prefix; not empty, without NUL (and, for environment variables, without
   *     {@code =})
   * @return this builder
   * @throws IllegalArgumentException if the prefix is empty or has NUL, or an environment variable
   *     prefix has {@code =}
   */
  public B prefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!kind.isValid(prefix)) {
      throw new IllegalArgumentException(kind.invalidPrefixMessage());
    }
    this.prefix = prefix;
    return self();
  }

  /**
   * Maps key ids to names with a function, instead of {@link #prefix(String)} (and {@link
   * EnvKeyProvider.Builder#upperCaseNames()}).
   *
   * @param mapping the function; must not return null, an empty name, or (for environment
   *     variables) a name with {@code =}
   * @return this builder
   */
  public B nameMapping(Function<KeyId, String> mapping) {
    this.nameMapping = Objects.requireNonNull(mapping, "mapping");
    return self();
  }

  /**
   * Reads values through a function instead of the process environment or the system properties.
   * The function returns null for a name that is not set.
   *
   * @param lookup the lookup function; thread-safe
   * @return this builder
   */
  public B lookup(Function<String, String> lookup) {
    return source(Objects.requireNonNull(lookup, "lookup"), "a lookup function");
  }

  /**
   * Sets how the value maps to credential parts (default {@link
   * CredentialFieldMapping#defaults()}).
   *
   * @param mapping the field mapping
   * @return this builder
   */
  public B fieldMapping(CredentialFieldMapping mapping) {
    this.fieldMapping = Objects.requireNonNull(mapping, "mapping");
    return self();
  }

  /**
   * Sets the time source that stamps {@link VersionedCredential#fetchedAt()} (default {@link
   * TimeSource#system()}).
   *
   * @param timeSource the time source
   * @return this builder
   */
  public B timeSource(TimeSource timeSource) {
    this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
    return self();
  }

  /** Upper-cases ids; public as {@link EnvKeyProvider.Builder#upperCaseNames()}. */
  B upperCase() {
    this.upperCase = true;
    return self();
  }

  /** Sets where values are read, described for toString. */
  B source(Function<String, String> lookup, String description) {
    this.lookup = lookup;
    this.lookupDescription = description;
    return self();
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

  /** The mapping as it is now: later changes to this builder do not affect it. */
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

  // returns this: the cast is checked against the builder's own class instead of unchecked
  @SuppressWarnings("SelfAlwaysReturnsThis")
  private B self() {
    return type.cast(this);
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
