package dev.keyguard.key;

import dev.keyguard.KeyId;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How one key of a {@link KeyManager} stands, at one moment ({@link KeyManager#status()}): the
 * version served, its age, when the next refresh is due, how stale it is, and how many backend
 * calls the key made and how many failed, so that a fleet's vault call rate and key health can be
 * graphed (the {@code keyguard-micrometer} binder exposes these as gauges). Never a secret.
 *
 * @param keyId the key
 * @param servedVersion the version {@link ManagedKey#current()} serves, or null before the first
 *     successful fetch
 * @param servedFingerprint the fingerprint of its secret parts, or null
 * @param versionAge how old the served version is: since its {@code createdAt} if the backend
 *     reports one, else since it was fetched; zero when none is served
 * @param untilNextRefresh the time until the next scheduled refresh (or retry), or null when none
 *     is scheduled
 * @param staleFor the time since the last successful fetch while fetches fail; zero while the last
 *     fetch succeeded
 * @param consecutiveFailures the failed fetches in a row; 0 after a success
 * @param fetches every backend call to fetch the key's current version so far
 * @param fetchFailures the fetches among them that failed
 */
public record KeyStatus(
    KeyId keyId,
    @Nullable String servedVersion,
    @Nullable String servedFingerprint,
    Duration versionAge,
    @Nullable Duration untilNextRefresh,
    Duration staleFor,
    int consecutiveFailures,
    long fetches,
    long fetchFailures) {}
