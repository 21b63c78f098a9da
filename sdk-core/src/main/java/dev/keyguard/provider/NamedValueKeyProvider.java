package dev.keyguard.provider;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.ExceptionTexts;
import dev.keyguard.internal.RefusingSerializer;
import dev.keyguard.key.KeyProvider;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * The one implementation of the providers that look a key up by name in a string map: {@link
 * EnvKeyProvider} (environment variables) and {@link SystemPropertyKeyProvider} (system
 * properties). It holds the name mapping, the lookup, the parsing through the field mapping and the
 * errors; what differs between the two is a {@link NamedValueKind}, and both builders are a {@link
 * NamedValueBuilder} with a few setters of their own. Immutable and thread-safe if the lookup
 * function is.
 */
@JsonSerialize(using = RefusingSerializer.class)
abstract class NamedValueKeyProvider implements KeyProvider {

  private final NamedValueKind kind;
  private final Function<KeyId, String> naming;
  private final Function<String, String> lookup;
  private final CredentialFieldMapping mapping;
  private final TimeSource timeSource;
  private final Logger log;
  private final String description;

  /** Takes the builder's settings as they are now; throws IllegalStateException on a conflict. */
  NamedValueKeyProvider(NamedValueBuilder<?> builder, Logger log) {
    builder.checkCombinations();
    this.kind = builder.kind();
    this.naming = builder.naming();
    this.lookup = builder.lookup();
    this.mapping = builder.fieldMapping();
    this.timeSource = builder.timeSource();
    this.description = builder.describe();
    this.log = log;
  }

  /**
   * Reads the key's value (its environment variable or system property) and parses it.
   *
   * @param keyId the key to fetch
   * @return the credential, fetched now
   * @throws KeyNotFoundException if the variable or property is not set, or the key id maps to no
   *     valid name
   * @throws MalformedSecretException if the value is blank or malformed JSON
   * @throws KeyAccessDeniedException if reading the value is not permitted
   * @throws KeyProviderUnavailableException if an injected lookup fails
   * @throws KeyGuardException if the name mapping fails for the key id
   */
  @Override
  public final VersionedCredential fetch(KeyId keyId) {
    String name = nameOf(keyId);
    String named = kind.noun() + " '" + name + "'";
    String value;
    try {
      value = lookup.apply(name);
    } catch (SecurityException e) {
      throw new KeyAccessDeniedException(
          "key '" + keyId + "': reading " + named + " is not permitted", e, keyId, null);
    } catch (RuntimeException e) {
      throw new KeyProviderUnavailableException(
          "key '"
              + keyId
              + "': reading "
              + named
              + " failed ("
              + e.getClass().getSimpleName()
              + ")",
          e,
          keyId,
          null);
    }
    if (value == null) {
      throw new KeyNotFoundException(
          "key '"
              + keyId
              + "': "
              + named
              + " is not set; set it to the API key, or"
              + " to a JSON object with the field '"
              + mapping.apiKeyField()
              + "'",
          keyId);
    }
    VersionedCredential credential;
    try {
      credential = mapping.parse(keyId, value).fetchedAt(timeSource.now()).build();
    } catch (MalformedSecretException e) {
      // adds the variable's name to the mapping's message: absorbs the exception, not wraps it
      throw ExceptionTexts.absorb(
          new MalformedSecretException(named + ": " + e.getMessage(), e.getCause(), keyId, null),
          e);
    }
    log.debug(
        "key '{}' read from {} '{}', version {}", keyId, kind.noun(), name, credential.version());
    return credential;
  }

  /** Names what is read, as {@code env} or {@code system-properties}; never a value. */
  @Override
  public final String name() {
    return kind.providerName();
  }

  /** Describes the name mapping and where values are read; never a value. */
  @Override
  public final String toString() {
    return getClass().getSimpleName() + "[" + description + "]";
  }

  /** The name a key id is looked up under; throws KeyNotFoundException if the mapping fails. */
  String nameOf(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    String name;
    try {
      name = naming.apply(keyId);
    } catch (RuntimeException e) {
      // a broken mapping is a configuration error, not a missing key: a chain must not skip it
      throw new KeyGuardException(
          "key '"
              + keyId
              + "': the "
              + kind.noun()
              + " name mapping failed for this key id ("
              + e.getClass().getSimpleName()
              + "); fix the name mapping",
          e,
          keyId,
          null,
          false);
    }
    if (!kind.isValid(name)) {
      throw new KeyNotFoundException(
          "key '"
              + keyId
              + "' maps to "
              + (name == null ? "no name" : "'" + name + "'")
              + ", which is not a valid "
              + kind.noun()
              + " name; use another key id or name mapping",
          keyId);
    }
    return name;
  }
}
