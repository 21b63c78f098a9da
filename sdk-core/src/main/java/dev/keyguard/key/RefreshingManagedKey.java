package dev.keyguard.key;

import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;

import static dev.keyguard.key.KeyManager.LOG;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@link ManagedKey} of a {@link KeyManager}: one per key id.
 *
 * <p>State is guarded by {@link #lock}; the hot path ({@link #current()}) reads only the volatile
 * {@link #fast} view, which every state change republishes. Backend calls run outside the lock;
 * {@link #inFlight} makes sure there is at most one at a time (single flight), and every caller
 * that needs its result waits on it.
 */
final class RefreshingManagedKey implements ManagedKey {

  /** A refresh comes at most this fraction of the remaining lifetime after a fetch. */
  private static final double LIFETIME_FRACTION = 0.75;

  private final KeyManager manager;
  private final KeyId keyId;
  private final Object lock = new Object();

  /** What {@link #current()} may return without taking the lock, and until when. */
  private volatile Fast fast;

  // ---- guarded by lock
  /** What current() returns: the backend's current version, an accepted alternate, or (while a new version waits for its notBefore) the previous version. */
  private VersionedCredential served;
  /** The backend's current version as last fetched. */
  private VersionedCredential current;
  /** True while an accepted alternate is served instead of the backend's current version. */
  private boolean promoted;
  private Instant lastSuccess;
  private KeyGuardException failure;
  private Instant failingSince;
  private int failedAttempts;
  private Instant nextRetryAt;
  private Flight inFlight;
  private ScheduledFuture<?> nextRefresh;
  private long completions;
  private final Map<String, Instant> rejectedVersions = new LinkedHashMap<>();
  private Round lastRound;
  private String warnedTooOld;
  private String warnedExpiring;
  private boolean closed;

  RefreshingManagedKey(KeyManager manager, KeyId keyId) {
    this.manager = manager;
    this.keyId = keyId;
  }

  @Override
  public KeyId keyId() {
    return keyId;
  }

  // ================================================================= current()

  @Override
  public VersionedCredential current() {
    Fast f = fast;
    if (f != null) {
      long now = manager.clock.millis();
      if (now < f.untilMillis) {
        return f.credential;
      }
    }
    return currentSlow();
  }

  private VersionedCredential currentSlow() {
    for (int round = 0; ; round++) {
      List<KeyEvent> events = new ArrayList<>();
      VersionedCredential result = null;
      KeyGuardException error = null;
      Flight flight = null;
      boolean runHere = false;
      synchronized (lock) {
        checkOpenLocked();
        Instant now = manager.clock.instant();
        result = resolveLocked(now, events);
        if (result == null) {
          boolean coldOrExpired = served == null || isExpired(served, now);
          if (!coldOrExpired || round > 0 || (failure != null && now.isBefore(nextRetryAt))) {
            // The stale bound passed (background retries go on), or we already waited for a
            // fetch, or the retry backoff runs: fail without calling the backend.
            error = unservableLocked(now);
          } else {
            if (inFlight == null) {
              inFlight = new Flight(null);
              runHere = true;
            }
            flight = inFlight;
          }
        }
      }
      manager.fire(events);
      if (result != null) {
        return result;
      }
      if (error != null) {
        throw error;
      }
      if (runHere) {
        runFlight(flight);
      }
      await(flight);
    }
  }

  /**
   * Applies the transitions that need no backend call (a new version reaching its notBefore, an
   * expired alternate) and returns the credential to serve now, or null if none may be served.
   */
  private VersionedCredential resolveLocked(Instant now, List<KeyEvent> events) {
    if (served == null) {
      return null;
    }
    if (current != served && !isExpired(current, now)) {
      boolean switchToCurrent =
          promoted
              ? isExpired(served, now)
              : current.isUsableAt(now) || !servableLocked(served, now);
      if (switchToCurrent) {
        VersionedCredential old = served;
        Set<VersionedCredential> before = liveLocked();
        served = current;
        promoted = false;
        if (!current.isUsableAt(now)) {
          LOG.warn(
              "Key {}: serving version {} ({}) before its notBefore {}: no other version is usable",
              keyId, current.version(), fingerprint(current), current.notBefore().orElse(null));
        }
        rotatedLocked(old, served, now, events);
        checkWarningsLocked(now, events);
        retireDroppedLocked(before);
        publishLocked();
      }
    }
    return servableLocked(served, now) ? served : null;
  }

  /** Whether a credential in the served slot may be served now (ignoring notBefore, see resolve). */
  private boolean servableLocked(VersionedCredential c, Instant now) {
    if (isExpired(c, now)) {
      return false;
    }
    if (failure == null) {
      return true;
    }
    if (isRevocation(failure) && !manager.serveStaleWhenNotFoundOrDenied) {
      return false;
    }
    return now.isBefore(staleDeadlineLocked());
  }

  private Instant staleDeadlineLocked() {
    return plusSaturated(lastSuccess, manager.maxStale);
  }

  /** Republishes the lock-free view after a state change. */
  private void publishLocked() {
    if (closed || served == null) {
      fast = null;
      return;
    }
    Instant until = served.expiresAt().orElse(Instant.MAX);
    if (current != served && !promoted) {
      until = min(until, current.notBefore().orElse(Instant.MIN));
    }
    if (failure != null) {
      until =
          isRevocation(failure) && !manager.serveStaleWhenNotFoundOrDenied
              ? Instant.MIN
              : min(until, staleDeadlineLocked());
    }
    fast = new Fast(served, toMillisFloor(until));
  }

  /** The exception for a caller that finds nothing servable. */
  private KeyGuardException unservableLocked(Instant now) {
    if (served != null && !isExpired(served, now)) {
      if (failure != null && isRevocation(failure) && !manager.serveStaleWhenNotFoundOrDenied) {
        return copyOf(
            failure,
            "Key '" + keyId + "' is no longer served: the last refresh (from " + manager.provider.name()
                + ") failed with " + failure.getClass().getSimpleName()
                + ". Restore the key or its permission; it is retried in the background.",
            served.version());
      }
      return new KeyProviderUnavailableException(
          "Key '" + keyId + "': refreshes have failed since " + failingSince + " (" + failedAttempts
              + " attempts) and version " + served.version() + " was last confirmed at " + lastSuccess
              + ", longer ago than maxStale (" + manager.maxStale + "). Last failure: "
              + failure.getMessage() + ". Check the backend (" + manager.provider.name()
              + "); retries continue, next at " + nextRetryAt + ".",
          failure, keyId, served.version());
    }
    if (served != null) {
      String when = served.expiresAt().map(Instant::toString).orElse("?");
      return new KeyProviderUnavailableException(
          "Key '" + keyId + "': version " + served.version() + " expired at " + when
              + " and no newer version could be fetched from " + manager.provider.name()
              + (failure == null ? "" : " (" + failure.getClass().getSimpleName() + ")")
              + ". Rotate the key in the backend; retries continue"
              + (nextRetryAt == null ? "." : ", next at " + nextRetryAt + "."),
          failure, keyId, served.version());
    }
    if (failure == null) {
      return new KeyProviderUnavailableException(
          "Key '" + keyId + "' could not be fetched from " + manager.provider.name(), keyId);
    }
    return copyOf(
        failure,
        "Key '" + keyId + "' could not be fetched from " + manager.provider.name() + " (attempt "
            + failedAttempts + "): " + failure.getMessage() + ". "
            + (failure.isRetryable() ? "Retrying in the background, next at " + nextRetryAt + "."
                : "Check the key id and the provider's configuration; retried at " + nextRetryAt + "."),
        null);
  }

  // ================================================================= awaitReady

  @Override
  public void awaitReady(Duration timeout) {
    long deadline = KeyManager.deadlineNanos(timeout);
    long mark = startWarmUp();
    awaitReadyUntil(deadline, timeout, mark);
  }

  /**
   * Starts a fetch on the scheduler unless the key is servable or a fetch is running. Returns the
   * completion count before, so that the waiter knows which failures are news.
   */
  long startWarmUp() {
    Flight toStart = null;
    long mark;
    List<KeyEvent> events = new ArrayList<>();
    synchronized (lock) {
      checkOpenLocked();
      mark = completions;
      if (resolveLocked(manager.clock.instant(), events) == null && inFlight == null) {
        toStart = inFlight = new Flight(null);
      }
    }
    manager.fire(events);
    if (toStart != null) {
      Flight f = toStart;
      try {
        manager.scheduler.execute(() -> runFlightLogged(f));
      } catch (RejectedExecutionException e) {
        LOG.warn("Key {}: the scheduler refused the warm-up fetch; fetching on this thread", keyId);
        runFlight(f);
      }
    }
    return mark;
  }

  void awaitReadyUntil(long deadlineNanos, Duration timeout, long mark) {
    List<KeyEvent> events = new ArrayList<>();
    try {
      synchronized (lock) {
        while (true) {
          checkOpenLocked();
          if (resolveLocked(manager.clock.instant(), events) != null) {
            return;
          }
          if (completions > mark && failure != null && !failure.isRetryable()) {
            throw unservableLocked(manager.clock.instant());
          }
          long remaining = deadlineNanos - System.nanoTime();
          if (remaining <= 0) {
            throw new KeyProviderUnavailableException(
                "Key '" + keyId + "' was not ready within " + timeout + " (provider "
                    + manager.provider.name() + ", " + failedAttempts + " failed attempts"
                    + (inFlight != null ? ", a fetch is still running" : "")
                    + "). The cause is the last failure, if any.",
                failure, keyId, null);
          }
          TimeUnit.NANOSECONDS.timedWait(lock, remaining);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyProviderUnavailableException(
          "interrupted while waiting for key '" + keyId + "' to be ready", e, keyId, null);
    } finally {
      manager.fire(events);
    }
  }

  // ================================================================= rejected / accepted

  @Override
  public Optional<VersionedCredential> rejected(VersionedCredential rejected) {
    Objects.requireNonNull(rejected, "rejected");
    requireSameKey(rejected);
    List<KeyEvent> events = new ArrayList<>();
    Optional<VersionedCredential> answer = null;
    Flight flight = null;
    boolean runHere = false;
    synchronized (lock) {
      checkOpenLocked();
      Instant now = manager.clock.instant();
      pruneRejectedLocked(now);
      rejectedVersions.put(rejected.version(), now);
      VersionedCredential c = resolveLocked(now, events);
      String roundVersion = served != null ? served.version() : rejected.version();
      if (c != null && !c.sameVersionAs(rejected) && !isRejectedLocked(c.version())) {
        // Someone else already moved on: the caller just retries with what is current.
        LOG.debug("Key {}: version {} was rejected but {} is current", keyId, rejected.version(), c.version());
        answer = Optional.of(c);
      } else if (lastRound != null
          && lastRound.version.equals(roundVersion)
          && now.isBefore(plusSaturated(lastRound.at, manager.rejectionCooldown))) {
        LOG.debug("Key {}: version {} rejected again within the cool-down; backend not called", keyId, rejected.version());
        answer = pickLocked(rejected, now, events);
      } else if (inFlight == null) {
        flight = inFlight = new Flight(roundVersion);
        runHere = true;
      } else {
        flight = inFlight; // share the running round, or wait for the running refresh
      }
    }
    manager.fire(events);
    if (answer != null) {
      return answer;
    }
    if (runHere) {
      runFlight(flight);
    }
    await(flight);
    if (flight.roundVersion == null) {
      // We only joined a plain refresh; it may have found a newer version. If not, run our round.
      return rejectedAfterRefresh(rejected);
    }
    return answerAfterRound(rejected);
  }

  private Optional<VersionedCredential> rejectedAfterRefresh(VersionedCredential rejected) {
    synchronized (lock) {
      checkOpenLocked();
      VersionedCredential c = resolveLocked(manager.clock.instant(), new ArrayList<>());
      if (c != null && !c.sameVersionAs(rejected) && !isRejectedLocked(c.version())) {
        return Optional.of(c);
      }
    }
    return rejected(rejected);
  }

  private Optional<VersionedCredential> answerAfterRound(VersionedCredential rejected) {
    List<KeyEvent> events = new ArrayList<>();
    Optional<VersionedCredential> answer;
    synchronized (lock) {
      checkOpenLocked();
      Instant now = manager.clock.instant();
      resolveLocked(now, events);
      answer = pickLocked(rejected, now, events);
    }
    manager.fire(events);
    return answer;
  }

  /** After a round: the backend's current version if it is a different, usable one; else the first fitting alternate. */
  private Optional<VersionedCredential> pickLocked(VersionedCredential rejected, Instant now, List<KeyEvent> events) {
    KeyEvent.KeyRejected.Resolution resolution = KeyEvent.KeyRejected.Resolution.NONE;
    VersionedCredential answer = null;
    if (current != null
        && !current.sameVersionAs(rejected)
        && !isRejectedLocked(current.version())
        && !isExpired(current, now)
        && (failure == null || servableLocked(current, now))) {
      answer = current;
      resolution = KeyEvent.KeyRejected.Resolution.NEWER_VERSION;
    } else if (lastRound != null) {
      for (VersionedCredential alt : lastRound.alternates) {
        if (!alt.sameVersionAs(rejected) && !isRejectedLocked(alt.version()) && alt.isUsableAt(now)) {
          answer = alt;
          resolution = KeyEvent.KeyRejected.Resolution.ALTERNATE;
          break;
        }
      }
    }
    LOG.info(
        "Key {}: version {} ({}) rejected by the API; {}",
        keyId, rejected.version(), fingerprint(rejected),
        answer == null ? "nothing else to offer" : "offering " + resolution + " version " + answer.version()
            + " (" + fingerprint(answer) + ")");
    events.add(new KeyEvent.KeyRejected(
        keyId, now, rejected.version(), fingerprint(rejected), resolution,
        answer == null ? null : answer.version()));
    return Optional.ofNullable(answer);
  }

  @Override
  public void accepted(VersionedCredential accepted) {
    Objects.requireNonNull(accepted, "accepted");
    requireSameKey(accepted);
    List<KeyEvent> events = new ArrayList<>();
    synchronized (lock) {
      checkOpenLocked();
      Instant now = manager.clock.instant();
      rejectedVersions.remove(accepted.version());
      if (served != null && accepted.sameVersionAs(served)) {
        return;
      }
      Set<VersionedCredential> before = liveLocked();
      VersionedCredential old = served;
      if (current != null && accepted.sameVersionAs(current)) {
        if (!isExpired(current, now)) {
          served = current;
          promoted = false;
          rotatedLocked(old, served, now, events);
        }
      } else {
        VersionedCredential alternate = lastRound == null ? null : lastRound.find(accepted);
        if (alternate == null || !alternate.isUsableAt(now)) {
          LOG.debug("Key {}: accepted version {} is not an alternate on offer; ignored", keyId, accepted.version());
          return;
        }
        served = alternate;
        promoted = true;
        LOG.info(
            "Key {}: the API accepted alternate version {} ({}); serving it instead of {} until the backend's current version changes",
            keyId, alternate.version(), fingerprint(alternate), old == null ? "none" : old.version());
        events.add(new KeyEvent.AlternatePromoted(
            keyId, now, old == null ? "none" : old.version(), alternate.version(), fingerprint(alternate)));
      }
      checkWarningsLocked(now, events);
      retireDroppedLocked(before);
      publishLocked();
    }
    manager.fire(events);
  }

  // ================================================================= fetching

  private void refreshTask() {
    Flight f;
    synchronized (lock) {
      if (closed) {
        return;
      }
      nextRefresh = null;
      if (inFlight != null) {
        return; // its completion schedules the next refresh
      }
      f = inFlight = new Flight(null);
    }
    runFlightLogged(f);
  }

  private void runFlightLogged(Flight f) {
    try {
      runFlight(f);
    } catch (Throwable t) {
      LOG.error("Key {}: refresh task failed unexpectedly: {}", keyId, t.getClass().getName());
      throw t;
    }
  }

  /**
   * Runs one flight: fetches, applies the result, and for a rejection round that found no newer
   * version asks for alternates. Exactly one thread runs a given flight; it always completes it.
   */
  private void runFlight(Flight f) {
    List<KeyEvent> events = new ArrayList<>();
    Error fatal = null;
    try {
      VersionedCredential fetched = null;
      KeyGuardException error = null;
      try {
        fetched = manager.provider.fetch(keyId);
        if (fetched == null) {
          error = new MalformedSecretException(
              "provider " + manager.provider.name() + " returned no credential for key '" + keyId + "'", keyId);
        } else if (!fetched.keyId().equals(keyId)) {
          error = new MalformedSecretException(
              "provider " + manager.provider.name() + " returned a credential for key '" + fetched.keyId()
                  + "' when asked for '" + keyId + "'", keyId);
        }
      } catch (KeyGuardException e) {
        error = e;
      } catch (RuntimeException e) {
        error = wrapUnexpected(e, "fetch");
      } catch (Error e) {
        fatal = e;
        error = wrapUnexpected(e, "fetch");
      }
      boolean wantAlternates;
      synchronized (lock) {
        Instant now = manager.clock.instant();
        if (closed) {
          wantAlternates = false;
        } else {
          if (error == null && fetched.expiresAt().isPresent() && !now.isBefore(fetched.expiresAt().get())) {
            error = new KeyProviderUnavailableException(
                "Key '" + keyId + "': the backend's current version " + fetched.version() + " expired at "
                    + fetched.expiresAt().get() + "; rotate the key in the backend",
                null, keyId, fetched.version());
          }
          if (error == null) {
            applySuccessLocked(fetched, now, events);
          } else {
            applyFailureLocked(error, now, events);
          }
          wantAlternates =
              f.roundVersion != null
                  && error == null
                  && (current.version().equals(f.roundVersion) || isRejectedLocked(current.version()));
        }
      }
      List<VersionedCredential> alternates = List.of();
      if (wantAlternates && fatal == null) {
        alternates = fetchAlternates();
      }
      if (f.roundVersion != null) {
        synchronized (lock) {
          if (!closed) {
            Set<VersionedCredential> before = liveLocked();
            lastRound = new Round(f.roundVersion, manager.clock.instant(), dedupeLocked(alternates));
            retireDroppedLocked(before);
          }
        }
      }
    } finally {
      synchronized (lock) {
        // Clear the flight and schedule the next one together: a refresh task that starts at
        // once must not find this flight still running and skip.
        if (inFlight == f) {
          inFlight = null;
        }
        completions++;
        if (!closed) {
          scheduleNextLocked(manager.clock.instant());
        }
        lock.notifyAll();
      }
      f.done.complete(null); // release the waiters first: a listener must not hold them up
      manager.fire(events);
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  private List<VersionedCredential> fetchAlternates() {
    try {
      List<VersionedCredential> list = manager.provider.fetchAlternates(keyId);
      if (list == null) {
        return List.of();
      }
      List<VersionedCredential> valid = new ArrayList<>();
      for (VersionedCredential c : list) {
        if (c != null && c.keyId().equals(keyId)) {
          valid.add(c);
        }
      }
      return valid;
    } catch (RuntimeException e) {
      LOG.warn(
          "Key {}: fetching alternate versions from {} failed ({}); none offered",
          keyId, manager.provider.name(), e.getClass().getSimpleName());
      return List.of();
    }
  }

  private void applySuccessLocked(VersionedCredential fetched, Instant now, List<KeyEvent> events) {
    Set<VersionedCredential> before = liveLocked();
    KeyGuardException hadFailure = failure;
    int hadAttempts = failedAttempts;
    Instant hadFailingSince = failingSince;
    failure = null;
    failedAttempts = 0;
    failingSince = null;
    nextRetryAt = null;
    lastSuccess = now;
    if (hadFailure != null) {
      LOG.info("Key {}: refresh recovered after {} failed attempts; backend returned version {}", keyId, hadAttempts, fetched.version());
      events.add(new KeyEvent.RefreshRecovered(
          keyId, now, fetched.version(), hadAttempts, Duration.between(hadFailingSince, now)));
    }
    if (current != null && fetched.sameVersionAs(current)) {
      LOG.debug("Key {}: refresh found version {} unchanged", keyId, current.version());
    } else if (served != null && fetched.sameVersionAs(served)) {
      // The version we serve (an accepted alternate) became the backend's current one.
      current = served;
      promoted = false;
    } else {
      register(fetched);
      VersionedCredential old = served;
      current = fetched;
      promoted = false;
      boolean notYetValid = fetched.notBefore().map(now::isBefore).orElse(false);
      if (notYetValid && old != null && servableLocked(old, now)) {
        LOG.info(
            "Key {}: new version {} ({}) is valid from {}; serving version {} until then",
            keyId, fetched.version(), fingerprint(fetched), fetched.notBefore().get(), old.version());
      } else {
        if (notYetValid) {
          LOG.warn(
              "Key {}: serving version {} ({}) before its notBefore {}: no other version is usable",
              keyId, fetched.version(), fingerprint(fetched), fetched.notBefore().get());
        }
        served = fetched;
        rotatedLocked(old, served, now, events);
      }
    }
    checkWarningsLocked(now, events);
    retireDroppedLocked(before);
    publishLocked();
  }

  private void applyFailureLocked(KeyGuardException error, Instant now, List<KeyEvent> events) {
    failedAttempts++;
    if (failingSince == null) {
      failingSince = now;
    }
    failure = error;
    Duration backoff = manager.backoff(failedAttempts);
    nextRetryAt = plusSaturated(now, backoff);
    publishLocked();
    boolean servingStale = served != null && servableLocked(served, now);
    LOG.warn(
        "Key {}: fetch from {} failed (attempt {}, {}: {}); {}; next attempt in {}",
        keyId, manager.provider.name(), failedAttempts, error.getClass().getSimpleName(), error.getMessage(),
        servingStale
            ? "still serving version " + served.version() + " (" + fingerprint(served) + ") until "
                + min(served.expiresAt().orElse(Instant.MAX), staleDeadlineLocked())
            : "no version can be served",
        backoff);
    events.add(new KeyEvent.RefreshFailed(
        keyId, now, error, error.isRetryable(), failedAttempts, servingStale,
        served == null ? null : served.version(), backoff));
    checkWarningsLocked(now, events);
  }

  private void rotatedLocked(VersionedCredential old, VersionedCredential next, Instant now, List<KeyEvent> events) {
    if (old == null) {
      LOG.info("Key {}: loaded version {} ({}) from {}", keyId, next.version(), fingerprint(next), manager.provider.name());
      events.add(new KeyEvent.KeyLoaded(keyId, now, next.version(), fingerprint(next)));
    } else if (!old.sameVersionAs(next)) {
      LOG.info(
          "Key {}: rotated from version {} ({}) to {} ({})",
          keyId, old.version(), fingerprint(old), next.version(), fingerprint(next));
      events.add(new KeyEvent.KeyRotated(
          keyId, now, old.version(), fingerprint(old), next.version(), fingerprint(next)));
    }
  }

  /** Fires the lifetime warnings for the served version, once per version. */
  private void checkWarningsLocked(Instant now, List<KeyEvent> events) {
    VersionedCredential c = served;
    if (c == null) {
      return;
    }
    Optional<Instant> created = c.createdAt();
    if (created.isPresent()
        && !c.version().equals(warnedTooOld)
        && Duration.between(created.get(), now).compareTo(manager.maxKeyAge) > 0) {
      warnedTooOld = c.version();
      LOG.warn(
          "Key {}: version {} ({}) was created at {}, more than {} ago; rotate it",
          keyId, c.version(), fingerprint(c), created.get(), readable(manager.maxKeyAge));
      events.add(new KeyEvent.KeyTooOld(keyId, now, c.version(), fingerprint(c), created.get(), manager.maxKeyAge));
    }
    Optional<Instant> expires = c.expiresAt();
    if (expires.isPresent()
        && !manager.expiringSoon.isZero()
        && !c.version().equals(warnedExpiring)
        && !isExpired(c, now)
        && Duration.between(now, expires.get()).compareTo(manager.expiringSoon) <= 0) {
      warnedExpiring = c.version();
      LOG.warn("Key {}: version {} ({}) expires at {}; rotate it", keyId, c.version(), fingerprint(c), expires.get());
      events.add(new KeyEvent.KeyExpiringSoon(keyId, now, c.version(), fingerprint(c), expires.get()));
    }
  }

  /** Schedules the next refresh (or retry), replacing the one scheduled. */
  private void scheduleNextLocked(Instant now) {
    if (nextRefresh != null) {
      nextRefresh.cancel(false);
      nextRefresh = null;
    }
    Duration delay = failure != null ? Duration.between(now, nextRetryAt) : refreshDelayLocked(now);
    try {
      nextRefresh =
          manager.scheduler.schedule(
              this::refreshTask, Math.max(0, KeyManager.saturatedNanos(delay)), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.error("Key {}: the scheduler refused the next refresh; the key will not be refreshed in the background", keyId);
    }
  }

  private Duration refreshDelayLocked(Instant now) {
    Duration base = manager.refreshAfter;
    Duration untilExpiry = null;
    for (VersionedCredential c : new VersionedCredential[] {served, current}) {
      if (c != null && c.expiresAt().isPresent() && now.isBefore(c.expiresAt().get())) {
        Duration remaining = Duration.between(now, c.expiresAt().get());
        untilExpiry = untilExpiry == null || remaining.compareTo(untilExpiry) < 0 ? remaining : untilExpiry;
      }
    }
    if (untilExpiry != null) {
      Duration fraction = Duration.ofNanos((long) (KeyManager.saturatedNanos(untilExpiry) * LIFETIME_FRACTION));
      if (fraction.compareTo(base) < 0) {
        base = fraction;
      }
    }
    Duration delay = manager.jittered(base);
    if (untilExpiry != null) {
      Duration floor = min(manager.retryBackoffMin, untilExpiry);
      if (delay.compareTo(untilExpiry) > 0) {
        delay = untilExpiry;
      }
      if (delay.compareTo(floor) < 0) {
        delay = floor;
      }
    }
    return delay;
  }

  private void await(Flight f) {
    try {
      f.done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyProviderUnavailableException(
          "interrupted while waiting for key '" + keyId + "' to be fetched", e, keyId, null);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a key fetch never completes exceptionally", e);
    }
  }

  // ================================================================= redactor bookkeeping

  /** The credentials the key holds on to, by identity. */
  private Set<VersionedCredential> liveLocked() {
    Set<VersionedCredential> live = Collections.newSetFromMap(new IdentityHashMap<>());
    if (served != null) {
      live.add(served);
    }
    if (current != null) {
      live.add(current);
    }
    if (lastRound != null) {
      live.addAll(lastRound.alternates);
    }
    return live;
  }

  /** Retires the secrets of credentials that were live before and are not now, unless an equal value is still live. */
  private void retireDroppedLocked(Set<VersionedCredential> before) {
    Set<VersionedCredential> after = liveLocked();
    for (VersionedCredential dropped : before) {
      if (after.contains(dropped)) {
        continue;
      }
      retireUnlessLive(dropped.apiKey(), after);
      dropped.apiSecret().ifPresent(s -> retireUnlessLive(s, after));
    }
  }

  private void retireUnlessLive(Secret secret, Set<VersionedCredential> live) {
    if (secret.isDestroyed()) {
      return;
    }
    for (VersionedCredential c : live) {
      if (sameValue(secret, c.apiKey()) || c.apiSecret().map(s -> sameValue(secret, s)).orElse(false)) {
        return;
      }
    }
    manager.redactor.retire(secret);
  }

  private static boolean sameValue(Secret a, Secret b) {
    return a == b || (!b.isDestroyed() && a.equalsSecret(b));
  }

  private void register(VersionedCredential c) {
    manager.redactor.register(c.apiKey());
    c.apiSecret().ifPresent(manager.redactor::register);
  }

  /** Uses the objects already held for versions already known, registers the new ones. */
  private List<VersionedCredential> dedupeLocked(List<VersionedCredential> alternates) {
    List<VersionedCredential> out = new ArrayList<>(alternates.size());
    for (VersionedCredential alt : alternates) {
      VersionedCredential known = null;
      for (VersionedCredential live : liveLocked()) {
        if (live.sameVersionAs(alt)) {
          known = live;
          break;
        }
      }
      if (known == null) {
        register(alt);
        out.add(alt);
      } else {
        out.add(known);
      }
    }
    return List.copyOf(out);
  }

  // ================================================================= lifecycle and helpers

  void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (nextRefresh != null) {
        nextRefresh.cancel(false);
        nextRefresh = null;
      }
      Set<VersionedCredential> before = liveLocked();
      served = null;
      current = null;
      lastRound = null;
      retireDroppedLocked(before);
      fast = null;
      lock.notifyAll();
    }
  }

  private void checkOpenLocked() {
    if (closed || manager.isClosed()) {
      throw new IllegalStateException(
          "the KeyManager of key '" + keyId + "' is closed; build a new one to serve keys again");
    }
  }

  private boolean isRejectedLocked(String version) {
    Instant at = rejectedVersions.get(version);
    return at != null && manager.clock.instant().isBefore(plusSaturated(at, manager.rejectionCooldown));
  }

  private void pruneRejectedLocked(Instant now) {
    for (Iterator<Instant> it = rejectedVersions.values().iterator(); it.hasNext(); ) {
      if (!now.isBefore(plusSaturated(it.next(), manager.rejectionCooldown))) {
        it.remove();
      }
    }
  }

  private void requireSameKey(VersionedCredential c) {
    if (!c.keyId().equals(keyId)) {
      throw new IllegalArgumentException(
          "credential of key '" + c.keyId() + "' reported to the managed key '" + keyId + "'");
    }
  }

  private KeyGuardException wrapUnexpected(Throwable e, String what) {
    return new KeyProviderUnavailableException(
        "provider " + manager.provider.name() + " failed to " + what + " key '" + keyId + "' with "
            + e.getClass().getName() + "; treated as unavailable, the cause says why",
        e, keyId, null);
  }

  private KeyGuardException copyOf(KeyGuardException cause, String message, String version) {
    if (cause instanceof KeyNotFoundException) {
      return new KeyNotFoundException(message, cause, keyId, version);
    }
    if (cause instanceof KeyAccessDeniedException) {
      return new KeyAccessDeniedException(message, cause, keyId, version);
    }
    if (cause instanceof MalformedSecretException) {
      return new MalformedSecretException(message, cause, keyId, version);
    }
    if (cause.isRetryable()) {
      return new KeyProviderUnavailableException(message, cause, keyId, version);
    }
    return new KeyGuardException(message, cause, keyId, version, false);
  }

  private static boolean isRevocation(KeyGuardException e) {
    return e instanceof KeyNotFoundException || e instanceof KeyAccessDeniedException;
  }

  private static boolean isExpired(VersionedCredential c, Instant now) {
    return c.expiresAt().map(e -> !now.isBefore(e)).orElse(false);
  }

  static String fingerprint(VersionedCredential c) {
    return c.apiSecret()
        .map(s -> c.apiKey().fingerprint() + "+" + s.fingerprint())
        .orElse(c.apiKey().fingerprint());
  }

  private static Instant plusSaturated(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }

  private static String readable(Duration d) {
    return d.toHours() % 24 == 0 && d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))
        ? d.toDays() + " days"
        : d.toString();
  }

  private static <T extends Comparable<? super T>> T min(T a, T b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static long toMillisFloor(Instant t) {
    try {
      return t.toEpochMilli(); // floors: the fast path stops serving no later than the instant
    } catch (ArithmeticException e) {
      return t.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** Returns the key id and the version served, with its fingerprint; never a secret. */
  @Override
  public String toString() {
    Fast f = fast;
    return f == null
        ? "ManagedKey[keyId=" + keyId + ", not loaded]"
        : "ManagedKey[keyId=" + keyId + ", version=" + f.credential.version() + ", " + fingerprint(f.credential) + "]";
  }

  /** The lock-free view: serve {@code credential} while the clock reads before {@code untilMillis}. */
  private static final class Fast {
    final VersionedCredential credential;
    final long untilMillis;

    Fast(VersionedCredential credential, long untilMillis) {
      this.credential = credential;
      this.untilMillis = untilMillis;
    }
  }

  /** One backend call sequence; {@code roundVersion} is set for a rejection round. */
  private static final class Flight {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final String roundVersion;

    Flight(String roundVersion) {
      this.roundVersion = roundVersion;
    }
  }

  /** The outcome of the last rejection round, reused within the cool-down. */
  private static final class Round {
    final String version;
    final Instant at;
    final List<VersionedCredential> alternates;

    Round(String version, Instant at, List<VersionedCredential> alternates) {
      this.version = version;
      this.at = at;
      this.alternates = alternates;
    }

    VersionedCredential find(VersionedCredential c) {
      for (VersionedCredential alt : alternates) {
        if (alt.sameVersionAs(c)) {
          return alt;
        }
      }
      return null;
    }
  }
}
