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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyProvider} that reads keys from environment variables, the usual way of handing a key
 * to a container (a Kubernetes {@code secretKeyRef}, a CI secret, a {@code docker run -e}).
 *
 * <p>By default the key id is the variable name. A {@link Builder#prefix(String) prefix} and an
 * {@link Builder#upperCaseNames() upper-case transform} map ids such as {@code payments.stripe}
 * to names such as {@code APP_PAYMENTS_STRIPE}; {@link Builder#nameMapping(Function)} takes any
 * other mapping. The value is parsed by a {@link CredentialFieldMapping}: a plain API key, or a JSON
 * object such as {@code {"apiKey":"…","apiSecret":"…"}}. Environment variables have no versions:
 * the version is derived from the fingerprints of the value (so an unchanged value is the same
 * version), unless the JSON has a {@code version} field.
 *
 * <p>The environment is read at every {@link #fetch(KeyId)}; for the real process environment
 * that means the value the process started with.
 *
 * <pre>{@code
 * // PAYMENTS_STRIPE="sk_…" or PAYMENTS_STRIPE='{"apiKey":"…","apiSecret":"…"}'
 * KeyProvider env = EnvKeyProvider.builder().upperCaseNames().build();
 * VersionedCredential credential = env.fetch(KeyId.of("payments.stripe"));
 * }</pre>
 *
 * <p>Errors: a variable that is not set is a {@link KeyNotFoundException} naming the variable; a
 * blank value or malformed JSON is a {@link MalformedSecretException} naming the variable and the
 * expected field, never the content; a {@link SecurityException} while reading is a {@link
 * KeyAccessDeniedException}. Logs (SLF4J, DEBUG) name the key id, the variable and the version,
 * never the value.
 *
 * <p>Immutable and thread-safe (if an injected {@link Builder#lookup(Function) lookup} is).
 * Neither Java- nor Jackson-serializable: it can reach secret values.
 */
@JsonSerialize(using = RefusingSerializer.class)
public final class EnvKeyProvider implements KeyProvider {

  private static final Logger LOG = LoggerFactory.getLogger(EnvKeyProvider.class);

  private final NamedValueSource source;
  private final String description;

  private EnvKeyProvider(Builder b) {
    this.source =
        new NamedValueSource(
            "environment variable",
            b.naming(),
            b.lookup != null ? b.lookup : System::getenv,
            b.fieldMapping != null ? b.fieldMapping : CredentialFieldMapping.defaults(),
            b.clock != null ? b.clock : Clock.systemUTC(),
            LOG);
    this.description = b.describe();
  }

  /**
   * A provider of the process environment where the key id is the variable name, with the
   * default field mapping.
   *
   * @return the provider
   */
  public static EnvKeyProvider create() {
    return builder().build();
  }

  /**
   * Starts a provider of the process environment where the key id is the variable name.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The name of the environment variable a key id is read from.
   *
   * @param keyId the key id
   * @return the variable name
   * @throws KeyNotFoundException if the key id maps to no valid variable name
   */
  public String variableName(KeyId keyId) {
    return source.nameOf(keyId);
  }

  /**
   * Reads the variable of the key and parses it.
   *
   * @param keyId the key to fetch
   * @return the credential, fetched now
   * @throws KeyNotFoundException if the variable is not set
   * @throws MalformedSecretException if the value is blank or malformed JSON
   * @throws KeyAccessDeniedException if reading the variable is not permitted
   * @throws KeyProviderUnavailableException if an injected lookup fails
   */
  @Override
  public VersionedCredential fetch(KeyId keyId) {
    return source.fetch(keyId);
  }

  /** Returns {@code env}. */
  @Override
  public String name() {
    return "env";
  }

  /** Describes the name mapping; never a value. */
  @Override
  public String toString() {
    return "EnvKeyProvider[" + description + "]";
  }

  /**
   * Builds an {@link EnvKeyProvider}. Each setting may be set once. Not thread-safe.
   *
   * <pre>{@code
   * EnvKeyProvider provider = EnvKeyProvider.builder()
   *     .prefix("MYAPP_")
   *     .upperCaseNames()        // key id "binance.trading" → MYAPP_BINANCE_TRADING
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String prefix;
    private boolean upperCase;
    private Function<KeyId, String> nameMapping;
    private Function<String, String> lookup;
    private String lookupDescription;
    private CredentialFieldMapping fieldMapping;
    private Clock clock;

    private Builder() {}

    /**
     * Puts a prefix before every variable name ({@code MYAPP_}). Applied after the upper-case
     * transform, as given.
     *
     * @param prefix the prefix; not empty, without {@code =}
     * @return this builder
     * @throws IllegalArgumentException if the prefix is empty or has {@code =} or NUL
     * @throws IllegalStateException if the prefix was already set
     */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (this.prefix != null) {
        throw new IllegalStateException("prefix was already set to '" + this.prefix + "'");
      }
      if (prefix.isEmpty() || prefix.indexOf('=') >= 0 || prefix.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "an environment variable prefix must be non-empty, without '=' or NUL");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * Upper-cases key ids and replaces every character that is not an ASCII letter, digit or
     * underscore with an underscore: {@code payments.stripe-key} becomes {@code
     * PAYMENTS_STRIPE_KEY}. Distinct ids may map to the same name ({@code a.b} and {@code a-b}).
     *
     * @return this builder
     */
    public Builder upperCaseNames() {
      this.upperCase = true;
      return this;
    }

    /**
     * Maps key ids to variable names with a function, instead of {@link #prefix(String)} and
     * {@link #upperCaseNames()}.
     *
     * @param mapping the function; must not return null or a name with {@code =}
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
     * Reads variables from a map instead of the process environment, for tests and for
     * environments loaded from elsewhere. The map is read at every fetch (not copied), so a
     * test can change it; use a concurrent map if it changes while fetches run.
     *
     * @param variables the variables
     * @return this builder
     * @throws IllegalStateException if a source was already set
     */
    public Builder variables(Map<String, String> variables) {
      Objects.requireNonNull(variables, "variables");
      return source(variables::get, "a map");
    }

    /**
     * Reads variables through a function instead of the process environment. The function
     * returns null for a variable that is not set.
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
     *     #prefix(String)} or {@link #upperCaseNames()}
     */
    public EnvKeyProvider build() {
      if (nameMapping != null && (prefix != null || upperCase)) {
        throw new IllegalStateException(
            "nameMapping cannot be combined with prefix or upperCaseNames: put them in the function");
      }
      return new EnvKeyProvider(this);
    }

    private Builder source(Function<String, String> source, String description) {
      if (this.lookup != null) {
        throw new IllegalStateException("the variable source was already set to " + lookupDescription);
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
      boolean upper = upperCase;
      return keyId -> p + (upper ? upperCaseName(keyId.value()) : keyId.value());
    }

    private String describe() {
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
        sb.append(", variables from ").append(lookupDescription);
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
}
