package dev.keyguard.key;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.client.KeyRejectedException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a key managed by a {@link KeyManager}: a first load, a rotation, a
 * failed or recovered refresh, a warning about the key's lifetime, a rejection by the API.
 *
 * <p>Events carry key ids, version ids and fingerprints ({@code sha256:3f2a9c1b}), never a {@link
 * Secret}: their {@code toString()} is safe to log. They are immutable records; switch over them
 * with pattern matching or {@code instanceof}:
 *
 * <pre>{@code
 * KeyManager.builder()
 *     .provider(provider)
 *     .listener(event -> {
 *       if (event instanceof KeyEvent.RefreshFailed failed && !failed.servingStale()) {
 *         alerts.page("key " + failed.keyId() + " can no longer be served: " + failed.cause());
 *       }
 *     })
 *     .build();
 * }</pre>
 *
 * @see KeyEventListener
 */
public sealed interface KeyEvent {

  /**
   * The key the event is about.
   *
   * @return the key id
   */
  KeyId keyId();

  /**
   * When the event happened, by the key manager's time source.
   *
   * @return the time
   */
  Instant at();

  /**
   * The first successful fetch of a key: from now on {@link ManagedKey#current()} serves it without
   * blocking.
   *
   * @param keyId the key
   * @param at when it was loaded
   * @param version the version loaded
   * @param fingerprint the fingerprint of the secret parts
   */
  record KeyLoaded(KeyId keyId, Instant at, String version, String fingerprint)
      implements KeyEvent {}

  /**
   * A refresh found a new version, and {@link ManagedKey#current()} now serves it. A refresh that
   * finds the version already served fires nothing.
   *
   * @param keyId the key
   * @param at when the new version started being served
   * @param oldVersion the version served before
   * @param oldFingerprint the fingerprint of the old version's secret parts
   * @param newVersion the version served now
   * @param newFingerprint the fingerprint of the new version's secret parts
   */
  record KeyRotated(
      KeyId keyId,
      Instant at,
      String oldVersion,
      String oldFingerprint,
      String newVersion,
      String newFingerprint)
      implements KeyEvent {}

  /**
   * A fetch from the backend failed (a scheduled refresh, a retry, a forced refresh after a
   * rejection, or a blocking fetch).
   *
   * @param keyId the key
   * @param at when the fetch failed
   * @param cause what the provider reported; a non-KeyGuard exception from the provider arrives
   *     wrapped in a {@link KeyProviderUnavailableException}
   * @param retryable whether the failure may go away by itself ({@link
   *     KeyGuardException#isRetryable()} of the cause); retries happen either way
   * @param attempt the number of consecutive failed fetches, from 1
   * @param servingStale true if {@link ManagedKey#current()} still serves the last good version;
   *     false if it now fails
   * @param servedVersion the version still served, or null if none
   * @param nextRetryIn when the next attempt is scheduled, from {@code at}
   */
  record RefreshFailed(
      KeyId keyId,
      Instant at,
      KeyGuardException cause,
      boolean retryable,
      int attempt,
      boolean servingStale,
      @Nullable String servedVersion,
      Duration nextRetryIn)
      implements KeyEvent {}

  /**
   * A fetch succeeded after one or more failures.
   *
   * @param keyId the key
   * @param at when the fetch succeeded
   * @param version the version the backend returned
   * @param failedAttempts how many fetches had failed in a row
   * @param downtime the time from the first of those failures to now
   */
  record RefreshRecovered(
      KeyId keyId, Instant at, String version, int failedAttempts, Duration downtime)
      implements KeyEvent {}

  /**
   * The version being served expires within the key manager's {@code expiringSoon} threshold and
   * the backend has no newer one yet. Fired once per version.
   *
   * @param keyId the key
   * @param at when the condition was noticed
   * @param version the version that expires
   * @param fingerprint its fingerprint
   * @param expiresAt when it expires; it is never served from then on
   */
  record KeyExpiringSoon(
      KeyId keyId, Instant at, String version, String fingerprint, Instant expiresAt)
      implements KeyEvent {}

  /**
   * The version being served was created longer ago than the key manager's {@code maxKeyAge}
   * (default 90 days): rotate it. Fired once per version. The key keeps being served.
   *
   * @param keyId the key
   * @param at when the condition was noticed
   * @param version the old version
   * @param fingerprint its fingerprint
   * @param createdAt when the backend says it was created
   * @param maxKeyAge the configured maximum age
   */
  record KeyTooOld(
      KeyId keyId,
      Instant at,
      String version,
      String fingerprint,
      Instant createdAt,
      Duration maxKeyAge)
      implements KeyEvent {}

  /**
   * The API refused the version being served ({@link ManagedKey#rejected(VersionedCredential)}),
   * and what the key manager offered instead. Fired once per rejection that reached the forced
   * refresh or the cool-down, not for rejections of a version that was already replaced.
   *
   * @param keyId the key
   * @param at when the rejection was handled
   * @param version the rejected version
   * @param fingerprint its fingerprint
   * @param resolution what was offered instead
   * @param replacementVersion the version offered, or null for {@link Resolution#NONE}
   */
  record KeyRejected(
      KeyId keyId,
      Instant at,
      String version,
      String fingerprint,
      Resolution resolution,
      @Nullable String replacementVersion)
      implements KeyEvent {

    /** What a rejection led to. */
    public enum Resolution {
      /** The forced refresh found a newer current version. */
      NEWER_VERSION,
      /** The backend's current version is the rejected one; an alternate version was offered. */
      ALTERNATE,
      /** Nothing else to offer: the caller should fail with {@link KeyRejectedException}. */
      NONE
    }
  }

  /**
   * The API accepted an alternate version ({@link ManagedKey#accepted(VersionedCredential)}) after
   * rejecting the backend's current one; {@link ManagedKey#current()} serves the alternate until a
   * refresh finds that the backend's current version changed.
   *
   * @param keyId the key
   * @param at when the alternate was promoted
   * @param replacedVersion the version served before (the rejected one)
   * @param version the alternate version served now
   * @param fingerprint its fingerprint
   */
  record AlternatePromoted(
      KeyId keyId, Instant at, String replacedVersion, String version, String fingerprint)
      implements KeyEvent {}

  /**
   * A credential was not served because of its environment: it is tagged for another environment
   * than the one the application declared ({@link KeyManager.Builder#environment(String)}), or it
   * is untagged where the policy refuses untagged credentials (by default in {@code prod}). The
   * fetch fails with {@link dev.keyguard.EnvironmentMismatchException}; a version served before
   * stays served.
   *
   * @param keyId the key
   * @param at when the credential was refused
   * @param version the refused version
   * @param fingerprint its fingerprint
   * @param credentialEnvironment the credential's tag, or null if untagged
   * @param applicationEnvironment the environment the application runs in
   */
  record EnvironmentMismatch(
      KeyId keyId,
      Instant at,
      String version,
      String fingerprint,
      @Nullable String credentialEnvironment,
      String applicationEnvironment)
      implements KeyEvent {}

  /**
   * No request used the key for at least the key manager's {@code reportUnusedAfter} (default 30
   * days): decommission it if nothing needs it any more. Fired once per unused period; checked at
   * each refresh.
   *
   * @param keyId the key
   * @param at when the condition was noticed
   * @param lastUsed when the key was last used, or when the key manager started managing it if it
   *     was never used
   * @param unusedFor how long it has been unused
   */
  record KeyUnused(KeyId keyId, Instant at, Instant lastUsed, Duration unusedFor)
      implements KeyEvent {}

  /**
   * The key hygiene audit found that the key holds permissions that no configured route needs
   * (withdrawals or transfers enabled on a trading key, say): remove them at the API provider.
   * Fired by a {@code KeyGuardClient} after each audit of a version that has such permissions.
   *
   * @param keyId the key
   * @param at when the audit ran
   * @param version the audited version
   * @param unneededScopes the permissions granted that no route needs, in the preset's scope names
   */
  record KeyTooPowerful(KeyId keyId, Instant at, String version, Set<String> unneededScopes)
      implements KeyEvent {}

  /**
   * The key hygiene audit found that the key is not restricted to a list of IP addresses although
   * the provider supports it: restrict it at the API provider. Fired by a {@code KeyGuardClient}
   * after each audit of such a version.
   *
   * @param keyId the key
   * @param at when the audit ran
   * @param version the audited version
   */
  record KeyNotIpRestricted(KeyId keyId, Instant at, String version) implements KeyEvent {}

  /**
   * A usage anomaly or its end, seen by a {@code KeyGuardClient}'s usage monitor on the request
   * path and handed to the key's listeners through {@link ManagedKey#report(KeyEvent)}. Each
   * episode gives one {@link UsageAlert} and, when it ends, one {@link UsageRecovered}.
   */
  sealed interface UsageEvent extends KeyEvent {

    /**
     * What was detected.
     *
     * @return the anomaly
     */
    UsageAnomaly anomaly();

    /**
     * The version the figures are about (the one in use, or the one used after its rotation).
     *
     * @return the version id
     */
    String version();

    /**
     * The fingerprint of that version's secret parts; never a value.
     *
     * @return the fingerprint
     */
    String fingerprint();

    /**
     * The route template the figures are about ({@code GET /api/v3/order}), or {@code *} for the
     * whole key.
     *
     * @return the route
     */
    String route();
  }

  /** The anomalies a usage monitor detects; each has its own setting in the client's options. */
  enum UsageAnomaly {
    /** The request rate is a multiple of its learned baseline, and has been for a while. */
    RATE_SPIKE,
    /** Many 401/403 responses in a short window: the key may be revoked, or stolen and rotated. */
    REJECTION_BURST,
    /**
     * A version was used after a newer one took over, beyond the grace window: a copy of the old
     * key is still in use somewhere in this process.
     */
    RETIRED_VERSION_IN_USE,
    /** The provider's own rate-limit headers say little of the budget is left. */
    LOW_RATE_LIMIT_HEADROOM,
    /** The daily budget of requests or credits is mostly used (the warning level, 80 %). */
    DAILY_BUDGET_WARNING,
    /** The daily budget is used up; with refusal on, further requests fail without being sent. */
    DAILY_BUDGET_EXHAUSTED
  }

  /**
   * The start of a usage anomaly episode: logged once at WARN, then this event.
   *
   * @param keyId the key
   * @param at when it was detected
   * @param anomaly what was detected
   * @param version the version concerned
   * @param fingerprint its fingerprint
   * @param route the route template, or {@code *} for the whole key
   * @param observed the figure that crossed the threshold (requests per minute, rejections in the
   *     window, minutes since the rotation, the headroom fraction, the budget used)
   * @param threshold the threshold it crossed
   * @param detail the figures in words, as logged
   */
  record UsageAlert(
      KeyId keyId,
      Instant at,
      UsageAnomaly anomaly,
      String version,
      String fingerprint,
      String route,
      double observed,
      double threshold,
      String detail)
      implements UsageEvent {}

  /**
   * The end of a usage anomaly episode announced by a {@link UsageAlert}.
   *
   * @param keyId the key
   * @param at when the end was noticed
   * @param anomaly what had been detected
   * @param version the version concerned
   * @param fingerprint its fingerprint
   * @param route the route template, or {@code *} for the whole key
   * @param lasted how long the episode lasted
   * @param detail the figures in words, as logged
   */
  record UsageRecovered(
      KeyId keyId,
      Instant at,
      UsageAnomaly anomaly,
      String version,
      String fingerprint,
      String route,
      Duration lasted,
      String detail)
      implements UsageEvent {}
}
