package dev.keyguard.provider;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.internal.RefusingSerializer;
import dev.keyguard.key.KeyProvider;
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
 * <p>Immutable and thread-safe (if an injected {@link Builder#lookup(Function) lookup} is). Neither
 * Java- nor Jackson-serializable: it can reach secret values.
 */
@JsonSerialize(using = RefusingSerializer.class)
public final class SystemPropertyKeyProvider extends NamedValueKeyProvider {

  private static final Logger LOG = LoggerFactory.getLogger(SystemPropertyKeyProvider.class);

  private SystemPropertyKeyProvider(Builder builder) {
    super(builder, LOG);
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
    return nameOf(keyId);
  }

  /**
   * Builds a {@link SystemPropertyKeyProvider}. The last call of a setter wins: calling it again
   * replaces the earlier value ({@link #properties(Map)} and {@link #lookup(Function)} both set
   * where properties are read). Each value is checked as it is set; {@link #build()} rejects
   * settings that cannot be combined. Not thread-safe.
   *
   * <pre>{@code
   * SystemPropertyKeyProvider provider = SystemPropertyKeyProvider.builder()
   *     .prefix("keyguard.")     // key id "binance" → property keyguard.binance
   *     .build();
   * }</pre>
   */
  public static final class Builder extends NamedValueBuilder<Builder> {

    private Builder() {
      super(NamedValueKind.SYSTEM_PROPERTY, Builder.class);
    }

    /**
     * Reads properties from a map instead of the system properties, for tests. The map is read at
     * every fetch (not copied); use a concurrent map if it changes while fetches run.
     *
     * @param properties the properties
     * @return this builder
     */
    public Builder properties(Map<String, String> properties) {
      Objects.requireNonNull(properties, "properties");
      return source(properties::get, "a map");
    }

    /**
     * Builds the provider. The builder may be changed and used again afterwards.
     *
     * @return the provider
     * @throws IllegalStateException if {@link #nameMapping(Function)} is combined with {@link
     *     #prefix(String)}
     */
    public SystemPropertyKeyProvider build() {
      return new SystemPropertyKeyProvider(this);
    }
  }
}
