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
 * A {@link KeyProvider} that reads keys from environment variables, the usual way of handing a key
 * to a container (a Kubernetes {@code secretKeyRef}, a CI secret, a {@code docker run -e}).
 *
 * <p>By default the key id is the variable name. A {@link Builder#prefix(String) prefix} and an
 * {@link Builder#upperCaseNames() upper-case transform} map ids such as {@code payments.stripe} to
 * names such as {@code APP_PAYMENTS_STRIPE}; {@link Builder#nameMapping(Function)} takes any other
 * mapping. The value is parsed by a {@link CredentialFieldMapping}: a plain API key, or a JSON
 * object such as {@code {"apiKey":"…","apiSecret":"…"}}. Environment variables have no versions:
 * the version is derived from the fingerprints of the value (so an unchanged value is the same
 * version), unless the JSON has a {@code version} field.
 *
 * <p>The environment is read at every {@link #fetch(KeyId)}; for the real process environment that
 * means the value the process started with.
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
 * <p>Immutable and thread-safe (if an injected {@link Builder#lookup(Function) lookup} is). Neither
 * Java- nor Jackson-serializable: it can reach secret values.
 */
@JsonSerialize(using = RefusingSerializer.class)
public final class EnvKeyProvider extends NamedValueKeyProvider {

  private static final Logger LOG = LoggerFactory.getLogger(EnvKeyProvider.class);

  private EnvKeyProvider(Builder builder) {
    super(builder, LOG);
  }

  /**
   * A provider of the process environment where the key id is the variable name, with the default
   * field mapping.
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
    return nameOf(keyId);
  }

  /**
   * Builds an {@link EnvKeyProvider}. The last call of a setter wins: calling it again replaces the
   * earlier value ({@link #variables(Map)} and {@link #lookup(Function)} both set where variables
   * are read). Each value is checked as it is set; {@link #build()} rejects settings that cannot be
   * combined. Not thread-safe.
   *
   * <pre>{@code
   * EnvKeyProvider provider = EnvKeyProvider.builder()
   *     .prefix("MYAPP_")
   *     .upperCaseNames()        // key id "binance.trading" → MYAPP_BINANCE_TRADING
   *     .build();
   * }</pre>
   */
  public static final class Builder extends NamedValueBuilder<Builder> {

    private Builder() {
      super(NamedValueKind.ENVIRONMENT_VARIABLE, Builder.class);
    }

    /**
     * Upper-cases key ids and replaces every character that is not an ASCII letter, digit or
     * underscore with an underscore: {@code payments.stripe-key} becomes {@code
     * PAYMENTS_STRIPE_KEY}. Distinct ids may map to the same name ({@code a.b} and {@code a-b}).
     *
     * @return this builder
     */
    public Builder upperCaseNames() {
      return upperCase();
    }

    /**
     * Reads variables from a map instead of the process environment, for tests and for environments
     * loaded from elsewhere. The map is read at every fetch (not copied), so a test can change it;
     * use a concurrent map if it changes while fetches run.
     *
     * @param variables the variables
     * @return this builder
     */
    public Builder variables(Map<String, String> variables) {
      Objects.requireNonNull(variables, "variables");
      return source(variables::get, "a map");
    }

    /**
     * Builds the provider. The builder may be changed and used again afterwards.
     *
     * @return the provider
     * @throws IllegalStateException if {@link #nameMapping(Function)} is combined with {@link
     *     #prefix(String)} or {@link #upperCaseNames()}
     */
    public EnvKeyProvider build() {
      return new EnvKeyProvider(this);
    }
  }
}
