package dev.keyguard.key;

import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import java.util.List;

/**
 * A source of keys: environment variables, files, a vault. The one SPI every backend implements.
 *
 * <p>{@link #fetch(KeyId)} is blocking and is called off the request path, by the {@link
 * KeyManager}'s refresh scheduler (and, on a cold start, by the first caller). Implementations must
 * be thread-safe; the key manager never calls {@code fetch} concurrently for the same key, but may
 * for different keys.
 *
 * <p>Failures are reported with these exceptions, which the key manager treats differently:
 *
 * <ul>
 *   <li>{@link KeyNotFoundException}: no such key; not retryable.
 *   <li>{@link KeyProviderUnavailableException}: the backend is down, slow or throttling;
 *       retryable, the last good key keeps being served.
 *   <li>{@link KeyAccessDeniedException}: the backend refuses; not retryable.
 *   <li>{@link MalformedSecretException}: the stored value is not a usable credential.
 * </ul>
 *
 * <p>Any other runtime exception is treated as "unavailable". A provider must never put a secret
 * value in an exception message.
 *
 * <pre>{@code
 * KeyProvider provider = keyId -> VersionedCredential.builder(keyId, Secret.of(lookUp(keyId))).build();
 * }</pre>
 */
@FunctionalInterface
public interface KeyProvider {

  /**
   * Fetches the current credential for a key.
   *
   * @param keyId the key to fetch
   * @return the current version of the credential, never null
   * @throws KeyNotFoundException if the backend has no such key
   * @throws KeyProviderUnavailableException if the backend cannot answer now
   * @throws KeyAccessDeniedException if the backend refuses
   * @throws MalformedSecretException if the stored value is not a usable credential
   */
  VersionedCredential fetch(KeyId keyId);

  /**
   * Optional capability for rotation windows: other versions the backend considers valid besides
   * the current one, newest first (AWS {@code AWSPENDING}, the previous Vault or Azure version
   * during a grace period). The key manager asks for them only after the API rejected the current
   * version. The default has none.
   *
   * @param keyId the key
   * @return alternate versions, newest first; empty if the backend has none or does not support it
   * @throws KeyGuardException as for {@link #fetch(KeyId)}
   */
  default List<VersionedCredential> fetchAlternates(KeyId keyId) {
    return List.of();
  }

  /**
   * A short name for logs and events, such as {@code env} or {@code aws-secrets-manager}.
   *
   * @return the provider's name
   */
  default String name() {
    return getClass().getSimpleName();
  }
}
