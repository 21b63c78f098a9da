package dev.keyguard.provider;

import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * The shared logic of the providers that look a key up by name in a string map (environment
 * variables, system properties): name mapping, lookup, parsing through the field mapping, and the
 * errors. Immutable and thread-safe if the lookup function is.
 */
final class NamedValueSource {

  private final String kind;
  private final Function<KeyId, String> naming;
  private final Function<String, String> lookup;
  private final CredentialFieldMapping mapping;
  private final Clock clock;
  private final Logger log;

  NamedValueSource(
      String kind,
      Function<KeyId, String> naming,
      Function<String, String> lookup,
      CredentialFieldMapping mapping,
      Clock clock,
      Logger log) {
    this.kind = kind;
    this.naming = naming;
    this.lookup = lookup;
    this.mapping = mapping;
    this.clock = clock;
    this.log = log;
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
          "key '" + keyId + "': the " + kind + " name mapping failed for this key id ("
              + e.getClass().getSimpleName() + "); fix the name mapping",
          e, keyId, null, false);
    }
    if (name == null || name.isEmpty() || name.indexOf('\0') >= 0
        || (kind.startsWith("environment") && name.indexOf('=') >= 0)) {
      throw new KeyNotFoundException(
          "key '" + keyId + "' maps to " + (name == null ? "no name" : "'" + name + "'")
              + ", which is not a valid " + kind + " name; use another key id or name mapping",
          keyId);
    }
    return name;
  }

  VersionedCredential fetch(KeyId keyId) {
    String name = nameOf(keyId);
    String value;
    try {
      value = lookup.apply(name);
    } catch (SecurityException e) {
      throw new KeyAccessDeniedException(
          "key '" + keyId + "': reading " + kind + " '" + name + "' is not permitted", e, keyId, null);
    } catch (RuntimeException e) {
      throw new KeyProviderUnavailableException(
          "key '" + keyId + "': reading " + kind + " '" + name + "' failed ("
              + e.getClass().getSimpleName() + ")",
          e, keyId, null);
    }
    if (value == null) {
      throw new KeyNotFoundException(
          "key '" + keyId + "': " + kind + " '" + name + "' is not set; set it to the API key, or"
              + " to a JSON object with the field '" + mapping.apiKeyField() + "'",
          keyId);
    }
    VersionedCredential credential;
    try {
      credential = mapping.parse(keyId, value).fetchedAt(clock.instant()).build();
    } catch (MalformedSecretException e) {
      throw new MalformedSecretException(kind + " '" + name + "': " + e.getMessage(), e, keyId, null);
    }
    log.debug("key '{}' read from {} '{}', version {}", keyId, kind, name, credential.version());
    return credential;
  }
}
