package dev.keyguard;

import java.util.Optional;

/**
 * A key kept fresh by a {@code KeyManager}: the one object the request path asks for a credential.
 *
 * <p>{@link #current()} is a lock-free read of a volatile field once the first fetch succeeded; it
 * never waits on the backend while the credential is within its hard expiry. Refresh happens in the
 * background. Implementations are thread-safe.
 */
public interface ManagedKey {

  /**
   * The key id.
   *
   * @return the key id
   */
  KeyId keyId();

  /**
   * Returns the credential to use now. After warm-up this never blocks; it blocks only on the
   * first use (cold start) and when the credential has passed its hard expiry, and then all
   * waiting callers share one backend fetch.
   *
   * @return the current credential, never null, never expired
   * @throws KeyNotFoundException if the key does not exist and none was ever fetched
   * @throws KeyProviderUnavailableException if no usable credential can be had (backend down past
   *     the stale bound, or hard expiry with no newer version); the cause says why
   * @throws KeyGuardException for other failures of the first fetch
   */
  VersionedCredential current();

  /**
   * Reports that the API refused a credential (401/403) and asks for a different one to retry
   * with once. Blocking: it may wait for a forced refresh (single flight, shared with concurrent
   * callers). Repeated rejections of the same version within the cool-down do not reach the
   * backend again.
   *
   * <ul>
   *   <li>If {@code rejected} is no longer current, returns the current credential.
   *   <li>Otherwise forces one refresh; if that finds a newer version, returns it.
   *   <li>Otherwise asks the provider for alternates (a pending or previous version), newest
   *       first, and returns the first not yet rejected.
   * </ul>
   *
   * @param rejected the credential the API refused
   * @return a different credential to retry with once, or empty if there is none (the caller
   *     should then fail with {@link KeyRejectedException})
   */
  Optional<VersionedCredential> rejected(VersionedCredential rejected);

  /**
   * Reports that the API accepted a credential returned by {@link #rejected(VersionedCredential)}.
   * If it is an alternate version (not the backend's current one), it becomes the credential that
   * {@link #current()} returns until the backend's current version changes. A no-op for the current
   * credential.
   *
   * @param accepted the credential the API accepted
   */
  void accepted(VersionedCredential accepted);
}
