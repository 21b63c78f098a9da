package dev.keyguard.provider;

import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyProvider;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.keyguard.internal.RefusingSerializer;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyProvider} that reads keys from Java system properties ({@code -Dpayments.stripe=…}),
 * mostly for development and tests: a value on the command line is visible to every user of the
 * machine through the process list, so prefer {@link EnvKeyProvider} or {@link FileKeyProvider} in
 * production.
 *
 * <p>By default the key id is the property name; a {@link Builder#prefix(String) prefix} ({@code
 * keyguard.}) or a {@link Builder#nameMapping(Function) function} maps it otherwise. The value is
 * parsed by a {@link CredentialFieldMapping} (a plain API key or a JSON object); the version is
 * derived from the fingerprints unless the JSON has a {@code version} field. Properties are read at
 * every {@link #fetch(KeyId)}, so a property changed at run time is seen at the next refresh.
 *
 * <pre>{@code
 * // java -Dkeyguard.binance='{"apiKey":"…","apiSecret":"…"}' …
 * KeyProvider properties = SystemPropertyKeyProvider.builder().prefix("keyguard.").build();
 * VersionedCredential credential = properties.fetch(KeyId.of("binance"));
 * }</pre>
 *
 * <p>Errors: a property that is not set is a {@link KeyNotFoundException} naming the property; a
 * blank value or malformed JSON is a {@link MalformedSecretException} naming the property and the
 * expected field, never the content; a {@link SecurityException} is a {@link
 * KeyAccessDeniedException}. Logs (SLF4J, DEBUG) name the key id, the property and the version.
 *
 * <p>Immutable and thread-safe (if an injected {@link Builder#lookup(Function) lookup} is).
 * Neither Java- nor Jackson-serializable: it can reach secret values.
 */
@JsonSerialize(using = RefusingSerializer.class)
public final class SystemPropertyKeyProvider implements KeyProvider {

  private static final Logger LOG = LoggerFactory.getLogger(SystemPropertyKeyProvider.class);

  private final NamedValueSource source;
  private final String description;

  private SystemPropertyKeyProvider(Builder b) {
    this.source =
        new NamedValueSource(
            "system property",
            b.naming(),
            b.lookup != null ? b.lookup : System::getProperty,
            b.fieldMapping != null ? b.fieldMapping : CredentialFieldMapping.defaults(),
            b.clock != null ? b.clock : Clock.systemUTC(),
            LOG);
    this.description = b.describe();
  }

  /**
   * A provider of the JVM's system properties where the key id is the property name, with the
   * default field mapping.
   *
   * @return the provider
   */
  public static SystemPropertyKeyProvider create() {
    return builder().build();
  }

  /**
   * Starts a provider of the JVM's system properties where the key id is the property name.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The name of the system property a key id is read from.
   *
   * @param keyId the key id
   * @return the property name
   * @throws KeyNotFoundException if the key id maps to no valid property name
   */
  public String propertyName(KeyId keyId) {
    return source.nameOf(keyId);
  }

  /**
   * Reads the property of the key and parses it.
   *
   * @param keyId the key to fetch
   * @return the credential, fetched now
   * @throws KeyNotFoundException if the property is not set
   * @throws MalformedSecretException if the value is blank or malformed JSON
   * @throws KeyAccessDeniedException if reading the property is not permitted
   * @throws KeyProviderUnavailableException if an injected lookup fails
   */
  @Override
  public VersionedCredential fetch(KeyId keyId) {
    return source.fetch(keyId);
  }

  /** Returns {@code system-properties}. */
  @Override
  public String name() {
    return "system-properties";
  }

  /** Describes the name mapping; never a value. */
  @Override
  public String toString() {
    return "SystemPropertyKeyProvider[" + description + "]";
  }

  /**
   * Builds a {@link SystemPropertyKeyProvider}. Each setting may be set once. Not thread-safe.
   *
   * <pre>{@code
   * SystemPropertyKeyProvider provider = SystemPropertyKeyProvider.builder()
   *     .prefix("keyguard.")     // key id "binance" → property keyguard.binance
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String prefix;
    private Function<KeyId, String> nameMapping;
    private Function<String, String> lookup;
    private String lookupDescription;
    private CredentialFieldMapping fieldMapping;
    private Clock clock;

    private Builder() {}

    /**
     * Puts a prefix before every property name ({@code keyguard.}).
     *
     * @param prefix the prefix; not empty
     * @return this builder
     * @throws IllegalArgumentException if the prefix is empty or has NUL
     * @throws IllegalStateException if the prefix was already set
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (this.prefix != null) {
        throw new IllegalStateException("prefix was already set to '" + this.prefix + "'");
      }
      if (prefix.isEmpty() || prefix.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("a system property prefix must be non-empty, without NUL");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Maps key ids to property names with a function, instead of {@link #prefix(String)}.
     *
     * @param mapping the function; must not return null or an empty name
     * @return this builder
     * @throws IllegalStateException if a mapping was already set
     */
    public Builder nameMapping(Function<KeyId, String> mapping) {
      Objects.requireNonNull(mapping, "mapping");
      if (this.nameMapping != null) {
        throw new IllegalStateException("nameMapping was already set");
      }
      this.nameMapping = mapping;
      return this;
    }

    /**
     * Reads properties from a map instead of the system properties, for tests. The map is read at
     * every fetch (not copied); use a concurrent map if it changes while fetches run.
     *
     * @param properties the properties
     * @return this builder
     * @throws IllegalStateException if a source was already set
     */
    public Builder properties(Map<String, String> properties) {
      Objects.requireNonNull(properties, "properties");
      return source(properties::get, "a map");
    }

    /**
     * Reads properties through a function instead of the system properties. The function returns
     * null for a property that is not set.
     *
     * @param lookup the lookup function; thread-safe
     * @return this builder
     * @throws IllegalStateException if a source was already set
     */
    public Builder lookup(Function<String, String> lookup) {
      Objects.requireNonNull(lookup, "lookup");
      return source(lookup, "a lookup function");
    }

    /**
     * Sets how the value maps to credential parts (default {@link
     * CredentialFieldMapping#defaults()}).
     *
     * @param mapping the field mapping
     * @return this builder
     * @throws IllegalStateException if the field mapping was already set
     */
    public Builder fieldMapping(CredentialFieldMapping mapping) {
      Objects.requireNonNull(mapping, "mapping");
      if (this.fieldMapping != null) {
        throw new IllegalStateException("fieldMapping was already set");
      }
      this.fieldMapping = mapping;
      return this;
    }

    /**
     * Sets the clock that stamps {@link VersionedCredential#fetchedAt()} (default the system
     * clock).
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if the clock was already set
     */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      if (this.clock != null) {
        throw new IllegalStateException("clock was already set");
      }
      this.clock = clock;
      return this;
    }

    /**
     * Builds the provider.
     *
     * @return the provider
     * @throws IllegalStateException if {@link #nameMapping(Function)} is combined with {@link
     *     #prefix(String)}
     */
    public SystemPropertyKeyProvider build() {
      if (nameMapping != null && prefix != null) {
        throw new IllegalStateException(
            "nameMapping cannot be combined with prefix: put the prefix in the function");
      }
      return new SystemPropertyKeyProvider(this);
    }

    private Builder source(Function<String, String> source, String description) {
      if (this.lookup != null) {
        throw new IllegalStateException("the property source was already set to " + lookupDescription);
      }
      this.lookup = source;
      this.lookupDescription = description;
      return this;
    }

    private Function<KeyId, String> naming() {
      if (nameMapping != null) {
        return nameMapping;
      }
      String p = prefix == null ? "" : prefix;
      return keyId -> p + keyId.value();
    }

    private String describe() {
      StringBuilder sb = new StringBuilder();
      if (nameMapping != null) {
        sb.append("custom name mapping");
      } else {
        sb.append(prefix == null ? "no prefix" : "prefix '" + prefix + "'");
      }
      if (lookupDescription != null) {
        sb.append(", properties from ").append(lookupDescription);
      }
      return sb.toString();
    }
  }
}
