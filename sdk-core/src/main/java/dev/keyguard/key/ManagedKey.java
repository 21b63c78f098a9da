package dev.keyguard.key;

import dev.keyguard.CredentialRequirement;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.client.KeyRejectedException;
import java.time.Duration;
import java.util.Optional;

/**
 * A key kept fresh by a {@link KeyManager}: the one object the request path asks for a credential.
 *
 * <p>{@link #current()} is a lock-free read of a volatile field once the first fetch succeeded; it
 * never waits on the backend while the credential is within its hard expiry. Refresh happens in the
 * background. Implementations are thread-safe.
 *
 * <pre>{@code
 * ManagedKey key = keyManager.key("binance");
 * VersionedCredential credential = key.current();
 * // ... the API answers 401:
 * Optional<VersionedCredential> retryWith = key.rejected(credential);
 * }</pre>
 */
public interface ManagedKey {

  /**
   * The key id.
   *
   * @return the key id
   */
  KeyId keyId();

  /**
   * Returns the credential to use now. After warm-up this never blocks; it blocks only on the first
   * use (cold start) and when the credential has passed its hard expiry, and then all waiting
   * callers share one backend fetch.
   *
   * <p>While background refreshes fail, it keeps returning the last good credential, without
   * blocking and without calling the backend, until {@code maxStale} after the last successful
   * fetch (never at or after the credential's own {@code expiresAt}); from then on it throws at
   * once while the background retries go on, and the first successful one ends the outage. Safe to
   * call from any number of threads.
   *
   * @return the current credential, never null, never expired
   * @throws KeyNotFoundException if the key does not exist and none was ever fetched
   * @throws KeyProviderUnavailableException if no usable credential can be had (backend down past
   *     the stale bound, or hard expiry with no newer version); the cause says why
   * @throws KeyGuardException for other failures of the first fetch
   * @throws IllegalStateException if the key manager was closed
   */
  VersionedCredential current();

  /**
   * Fails fast at start-up: waits until {@link #current()} can serve a credential without blocking,
   * fetching it now if needed. A retryable failure is retried with the key manager's backoff until
   * the timeout; a non-retryable one ends the wait at once. The timeout is measured by the key
   * manager's time source (real time unless the manager was built with another one).
   *
   * <p>The default implementation calls {@link #current()} and ignores the timeout; the key
   * manager's keys fetch on its scheduler and honour the timeout.
   *
   * @param timeout how long to wait; positive
   * @throws KeyNotFoundException if the key does not exist
   * @throws KeyAccessDeniedException if the backend refuses the key
   * @throws MalformedSecretException if the stored value is not a usable credential
   * @throws KeyProviderUnavailableException if the key is not ready within the timeout; the cause
   *     is the last failure, if any
   * @throws IllegalStateException if the key manager was closed
   */
  default void awaitReady(Duration timeout) {
    current();
  }

  /**
   * Declares that a user of this key needs the parts of {@code requirement} (an auth scheme's
   * {@link dev.keyguard.auth.AuthScheme#requirement()}). From now on every credential this key
   * loads must meet it: a fetch whose credential lacks a part is treated like a fetch of a
   * malformed secret (it fails with {@link MalformedSecretException}; the last good credential, if
   * any, stays served; {@link KeyEvent.RefreshFailed} fires and a warning is logged), and an
   * alternate version that lacks a part is not offered. Requirements accumulate; registering one
   * already registered changes nothing. A client built on this key registers its scheme's
   * requirement; {@link KeyManager#key(KeyId, CredentialRequirement)} registers one before the
   * first fetch, so that {@link #awaitReady(Duration)} fails on an incomplete credential.
   *
   * <p>The default implementation does nothing: a custom key leaves the check to the auth scheme,
   * at the first request.
   *
   * @param requirement what the user needs
   * @throws MalformedSecretException if a credential this key already holds lacks a part; the
   *     requirement is then not registered
   * @throws IllegalStateException if the key manager was closed
   */
  default void require(CredentialRequirement requirement) {}

  /**
   * Reports that the API refused a credential (401/403) and asks for a different one to retry with
   * once. Blocking: it may wait for a forced refresh (single flight, shared with concurrent
   * callers). Repeated rejections of the same version within the cool-down do not reach the backend
   * again.
   *
   * <ul>
   *   <li>If {@code rejected} is no longer current, returns the current credential.
   *   <li>Otherwise forces one refresh; if that finds a newer version, returns it.
   *   <li>Otherwise asks the provider for alternates (a pending or previous version), newest first,
   *       and returns the first not yet rejected.
   * </ul>
   *
   * <p><b>When the API is ahead of the key source.</b> If the rejected version is the one served
   * and the source has nothing else (the API revoked the old key before the new one reached the
   * store), the key manager's keys open a <em>rejection episode</em>: they re-check the source 0.5
   * s later, then at doubling intervals (1 s, 2 s, 4 s …, jittered, capped at the manager's {@code
   * rejectionCooldown}), and serve the new version as soon as a check finds it, so a new version is
   * picked up within one interval of appearing (about half a second early in the episode). While
   * the episode lasts, {@link #rejectionHold(VersionedCredential)} holds requests with the rejected
   * version back (the client fails them at once with {@link KeyRejectedException} without sending
   * them) except one probe per interval, and further rejections of it are answered without calling
   * the backend. One {@link KeyEvent.KeyRejected} is fired per episode, not per request. The
   * episode ends when another version is served or the API accepts the version again ({@link
   * #accepted(VersionedCredential)}).
   *
   * @param rejected the credential the API refused
   * @return a different credential to retry with once, or empty if there is none (the caller should
   *     then fail with {@link KeyRejectedException}); a backend failure during the forced refresh
   *     also gives empty, and is reported as a failed refresh
   * @throws IllegalArgumentException if the credential belongs to another key
   * @throws IllegalStateException if the key manager was closed
   */
  Optional<VersionedCredential> rejected(VersionedCredential rejected);

  /**
   * Whether a request may be sent with {@code credential} now, the rejection circuit of the key:
   * {@link Duration#ZERO} to send it, or how long until the next request with it may go out. It is
   * positive only while the API rejected this version, the key source has no other one, and this
   * interval's probe request has gone out already (see {@link #rejected(VersionedCredential)}). The
   * client asks it before every request and fails the request with {@link KeyRejectedException}
   * without sending it when it is positive. Lock-free: one volatile read while no version is
   * rejected.
   *
   * <p>The default implementation returns {@link Duration#ZERO}: a custom key never holds back.
   *
   * @param credential the credential a request is about to carry, from {@link #current()}
   * @return zero to send now (possibly as the probe of this interval), else the wait before the
   *     next probe
   */
  default Duration rejectionHold(VersionedCredential credential) {
    return Duration.ZERO;
  }

  /**
   * Reports that the API accepted a credential returned by {@link #rejected(VersionedCredential)}.
   * If it is an alternate version (not the backend's current one), it becomes the credential that
   * {@link #current()} returns until the backend's current version changes. A no-op for the current
   * credential.
   *
   * @param accepted the credential the API accepted
   * @throws IllegalArgumentException if the credential belongs to another key
   * @throws IllegalStateException if the key manager was closed
   */
  void accepted(VersionedCredential accepted);

  /**
   * The environment the application declared to the key manager ({@link
   * KeyManager.Builder#environment(String)} or {@code KEYGUARD_ENVIRONMENT}), which a client uses
   * for an untagged credential when it checks that a production key goes to production endpoints
   * only.
   *
   * @return the declared environment, lower-case ({@code production} reads {@code prod}); empty if
   *     none was declared, and by default
   */
  default Optional<String> environment() {
    return Optional.empty();
  }

  /**
   * Hands an event about this key that its user observed (a client's key hygiene audit: {@link
   * KeyEvent.KeyTooPowerful}, {@link KeyEvent.KeyNotIpRestricted}; its usage monitor: {@link
   * KeyEvent.UsageAlert}, {@link KeyEvent.UsageRecovered}) to the key manager's listeners, on the
   * calling thread, so that key and usage events arrive at one place. The default implementation
   * drops it.
   *
   * @param event the event; about this key
   * @throws IllegalArgumentException if the event is about another key
   */
  default void report(KeyEvent event) {}
}
