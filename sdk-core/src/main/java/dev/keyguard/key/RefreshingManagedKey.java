package dev.keyguard.key;

import static dev.keyguard.key.KeyManager.LOG;
import static dev.keyguard.key.KeyState.fingerprint;

import dev.keyguard.CredentialRequirement;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.Durations;
import dev.keyguard.key.SingleFlight.Flight;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ManagedKey} of a {@link KeyManager}: one per key id, coordinating small parts.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Parts.</b> What the key knows is one immutable {@link KeyState}; every change is a pure
 * transition of it that returns the next state and its events. When to refresh is asked of the
 * {@link RefreshSchedule} in the {@link KeyPolicy}. {@link SingleFlight} makes sure there is at
 * most one backend call sequence at a time; {@link Rejections} remembers rejected versions and the
 * last rejection round for the cool-down; {@link Liveness} registers the credentials the key holds
 * with the global redactor and retires the dropped ones; {@link Requirements} holds what the key's
 * users need from a credential (their auth schemes' parts). This class only decides which
 * transition to apply, under which lock, on which thread, and with which backend call.
 *
 * <p><b>States.</b> What {@code current()} does in each, and the transitions of {@link KeyState}
 * that leave it (with the events they fire):
 *
 * <pre>
 *   COLD        nothing fetched: the      fetched ───────────────────▶ FRESH     KeyLoaded
 *               caller runs the fetch     failed ────────────────────▶ COLD      RefreshFailed
 *                                         (callers fail fast while the retry backoff runs)
 *   FRESH       serves current, no lock   fetched, same version ─────▶ FRESH     (none)
 *                                         fetched, new version ──────▶ FRESH     KeyRotated
 *                                         fetched, notBefore later ──▶ PENDING
 *                                         failed ────────────────────▶ STALE     RefreshFailed
 *                                         accepted(alternate) ───────▶ PROMOTED  AlternatePromoted
 *   PENDING     serves the old version    resolvedAt(notBefore) ─────▶ FRESH     KeyRotated
 *   PROMOTED    serves the alternate      fetched, it became current ▶ FRESH     (none)
 *                                         fetched, new version ──────▶ FRESH     KeyRotated
 *                                         resolvedAt(its expiresAt) ─▶ FRESH     KeyRotated
 *   STALE       serves the last good      fetched ───────────────────▶ FRESH     RefreshRecovered
 *               version, no lock          resolvedAt(lastSuccess + maxStale) ─▶ UNSERVABLE
 *                                         (a revocation with serveStale off: UNSERVABLE at once)
 *   UNSERVABLE  throws; retries go on     fetched ───────────────────▶ FRESH     RefreshRecovered
 *   EXPIRED     (served at/after its expiresAt) the caller blocks on one shared fetch, as COLD
 *   any         close() ──▶ CLOSED: nothing held, every secret retired, every call throws
 * </pre>
 *
 * <p>A fetched credential that lacks a part a user {@linkplain #require required} is a failed
 * fetch, like a malformed secret: {@code failed} with a {@link
 * dev.keyguard.MalformedSecretException} (COLD stays COLD and {@code awaitReady} fails at once,
 * FRESH becomes STALE and keeps serving the last good version). The check runs under the lock, as
 * does {@link #require}, so a requirement registered while a fetch runs applies to that fetch's
 * credential; an alternate that lacks a part is dropped before it is offered.
 *
 * <p>Every state change also fires the lifetime warnings ({@code KeyExpiringSoon}, {@code
 * KeyTooOld}) once per version. {@code rejected()} does not change the state by itself: it
 * remembers the version in {@link Rejections}, runs (or reuses, within the cool-down) one round of
 * a forced fetch and, if that finds no newer version, the provider's alternates, and answers with
 * {@link KeyState#rejected}.
 *
 * <p><b>Lock discipline.</b> One monitor, {@link #lock}, guards {@link #state}, the single flight,
 * the rejections, the liveness and the scheduled refresh; the parts are not thread-safe by
 * themselves for that reason. The lock is never held during a backend call, while firing events to
 * listeners, or while waiting for a flight (only {@link #awaitReadyUntil} waits on the monitor
 * itself, which releases it). Registration with the redactor happens under the lock, so that a
 * credential is known to the redactor before any thread can be handed it. The hot path, {@link
 * #current()}, takes no lock: it reads the volatile {@link #fast} view, which every state change
 * republishes, and in most states not even the clock.
 *
 * <p><b>current() without a clock reading.</b> A view is <em>timed</em> (served only while the
 * clock reads before its deadline, as the state says: the served version's {@code expiresAt}, a
 * pending version's {@code notBefore}, the stale bound) or <em>untimed</em> (served without looking
 * at the clock: one volatile read). It is untimed when the state has no deadline at all (no {@code
 * expiresAt}, nothing pending, no failure), which is the usual case, and then nothing can make it
 * wrong but a state change, which republishes it. A view with a deadline is untimed only while the
 * key is healthy and the deadline is at least {@link #ARMING_MARGIN_MILLIS} (5 s) away: a task on
 * the key manager's scheduler replaces it by the timed view half-way to the deadline (and at least
 * 5 s before it), from when on every call reads the clock again, as before. So an expired
 * credential is served only if that task runs later than half the remaining lifetime (at least 5 s)
 * after it fell due: a scheduler stalled that long has also missed the refresh due at three
 * quarters of the lifetime. The task swaps only the view it was scheduled for (the same credential
 * instance and deadline, checked under the lock), so a late task never overwrites a newer view; a
 * change to another credential or deadline cancels it, while a refresh that finds the same version
 * keeps it (it is due no later than a new one would be, and a caller's scheduler that keeps
 * cancelled tasks does not collect one per refresh); a scheduler that refuses it leaves the view
 * timed. The scheduler's delays run on real time, so views with a deadline are untimed only with
 * the system time source: with another one (a test's fake clock moved by hand, a skew-corrected
 * clock) they stay timed, as before. A refresh after the arming publishes an untimed view again,
 * armed half-way to the same deadline, so the clock is read per call only within about 10 s of the
 * deadline, between an arming and the next refresh, and while refreshes fail. While a refresh fails
 * the view is timed from the start (the stale bound is then the deadline).
 *
 * <p><b>Threads.</b> The backend is called by whichever thread started the flight: the scheduler
 * (refreshes, retries, warm-up of {@code awaitReady}), the caller of a cold-start or hard-expiry
 * {@code current()}, or the caller of {@code rejected()}; concurrent callers join the running
 * flight and wait for it. The thread that ran a flight schedules the next refresh before it
 * releases the waiters, then fires the events. Listeners thus run on the thread that made the
 * change, after the lock is released.
 */
final class RefreshingManagedKey implements ManagedKey {

  /**
   * The least time before the served credential's deadline at which the untimed view is replaced by
   * the timed one (it is replaced half-way to the deadline, and never later than this before it).
   */
  static final long ARMING_MARGIN_MILLIS = 5_000;

  /** A waiter re-reads the time source this often, so that a fake one that moves ends it. */
  private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final KeyId keyId;
  private final KeyFetcher fetcher;
  private final KeyPolicy policy;
  private final TimeSource time;
  private final BooleanSupplier managerClosed;

  /** Whether views with a deadline may be untimed until armed (see the implementation notes). */
  private final boolean armFastPath;

  private final Object lock = new Object();

  /** What {@link #current()} may return without taking the lock, and until when. */
  private volatile @Nullable Fast fast;

  /** While the served version is rejected and the store has nothing else: its probe pacing. */
  private volatile @Nullable Circuit circuit;

  // ---- guarded by lock
  private KeyState state;
  private final SingleFlight flights = new SingleFlight();
  private final Rejections rejections;
  private final Liveness liveness = new Liveness();
  private Requirements requirements = Requirements.NONE;
  private final KeyHygiene hygiene;

  /** Set by {@link #current()} when it was called since the last unused-key check (racy, cheap). */
  private volatile boolean usedSinceCheck;

  private Instant lastUsed;
  private boolean unusedReported;
  private @Nullable ScheduledFuture<?> nextRefresh;
  private @Nullable ScheduledFuture<?> nextRecheck;
  private @Nullable ScheduledFuture<?> nextArming;
  private @Nullable VersionedCredential armingFor;
  private long armingUntil;
  private boolean closed;
  private final AtomicLong fetchCount = new AtomicLong();
  private final AtomicLong fetchFailureCount = new AtomicLong();

  RefreshingManagedKey(
      KeyId keyId,
      KeyProvider provider,
      KeyPolicy policy,
      BooleanSupplier managerClosed,
      KeyHygiene hygiene,
      boolean armFastPath) {
    this.armFastPath = armFastPath;
    this.keyId = keyId;
    this.hygiene = hygiene;
    this.fetcher = new KeyFetcher(provider, keyId);
    this.policy = policy;
    this.time = policy.time();
    this.managerClosed = managerClosed;
    this.state = KeyState.initial(keyId, provider.name(), policy);
    this.rejections = new Rejections(policy.rejectionCooldown());
    this.lastUsed = time.now();
  }

  @Override
  public KeyId keyId() {
    return keyId;
  }

  /** How the key stands now; see {@link KeyStatus}. */
  KeyStatus status() {
    synchronized (lock) {
      Instant now = time.now();
      VersionedCredential served = state.served();
      Duration age = Duration.ZERO;
      if (served != null) {
        Instant born = served.createdAt().orElse(served.fetchedAt());
        age = born.isBefore(now) ? Duration.between(born, now) : Duration.ZERO;
      }
      Duration untilRefresh =
          nextRefresh == null
              ? null
              : Duration.ofNanos(Math.max(0, nextRefresh.getDelay(TimeUnit.NANOSECONDS)));
      Instant lastSuccess = state.lastSuccess();
      Duration stale =
          state.failure() != null && lastSuccess != null && lastSuccess.isBefore(now)
              ? Duration.between(lastSuccess, now)
              : Duration.ZERO;
      return new KeyStatus(
          keyId,
          served == null ? null : served.version(),
          served == null ? null : fingerprint(served),
          age,
          untilRefresh,
          stale,
          state.failedAttempts(),
          fetchCount.get(),
          fetchFailureCount.get());
    }
  }

  // ================================================================= current()

  @Override
  public VersionedCredential current() {
    if (!usedSinceCheck) {
      usedSinceCheck = true; // written once per unused-key check period, read otherwise
    }
    Fast f = fast;
    if (f != null && (!f.timed || TimeMath.toMillisFloor(time.now()) < f.untilMillis)) {
      return f.credential;
    }
    return currentSlow();
  }

  private VersionedCredential currentSlow() {
    for (int round = 0; ; round++) {
      List<KeyEvent> events = new ArrayList<>();
      SingleFlight.Join join;
      try {
        synchronized (lock) {
          checkOpenLocked();
          Instant now = time.now();
          VersionedCredential result = applyLocked(state.resolvedAt(now), events).servableAt(now);
          if (result != null) {
            return result;
          }
          if (!state.coldOrExpiredAt(now) || round > 0 || state.inBackoffAt(now)) {
            // The stale bound passed (background retries go on), or we already waited for a
            // fetch, or the retry backoff runs: fail without calling the backend.
            throw state.unservable(now);
          }
          join = flights.startOrJoin(null);
        }
      } finally {
        policy.events().fire(events); // after the lock is released, before returning or throwing
      }
      if (join.started()) {
        runFlight(join.flight());
      }
      SingleFlight.await(join.flight(), keyId);
    }
  }

  // ================================================================= awaitReady

  @Override
  public void awaitReady(Duration timeout) {
    long deadline = TimeMath.deadlineNanos(time, timeout);
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
      mark = flights.completions();
      Instant now = time.now();
      if (applyLocked(state.resolvedAt(now), events).servableAt(now) == null) {
        toStart = flights.startIfIdle(null);
      }
    }
    policy.events().fire(events);
    if (toStart != null) {
      Flight f = toStart;
      try {
        policy.scheduler().execute(() -> runFlightLogged(f));
      } catch (RejectedExecutionException e) {
        LOG.warn("Key {}: the scheduler refused the warm-up fetch; fetching on this thread", keyId);
        runFlight(f);
      }
    }
    return mark;
  }

  /** Waits until the key is servable, a non-retryable failure is news, or the deadline passes. */
  void awaitReadyUntil(long deadlineNanos, Duration timeout, long mark) {
    List<KeyEvent> events = new ArrayList<>();
    try {
      synchronized (lock) {
        while (true) {
          checkOpenLocked();
          Instant now = time.now();
          if (applyLocked(state.resolvedAt(now), events).servableAt(now) != null) {
            return;
          }
          KeyGuardException failure = state.failure();
          if (flights.completions() > mark && failure != null && !failure.isRetryable()) {
            throw state.unservable(time.now());
          }
          long remaining = deadlineNanos - time.nanoTime();
          if (remaining <= 0) {
            throw new KeyProviderUnavailableException(
                "Key '"
                    + keyId
                    + "' was not ready within "
                    + Durations.readable(timeout)
                    + " (provider "
                    + fetcher.providerName()
                    + ", "
                    + state.failedAttempts()
                    + " failed attempts"
                    + (flights.running() != null ? ", a fetch is still running" : "")
                    + "). The cause is the last failure, if any.",
                failure,
                keyId,
                null);
          }
          TimeUnit.NANOSECONDS.timedWait(lock, Math.min(remaining, WAIT_SLICE_NANOS));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyProviderUnavailableException(
          "interrupted while waiting for key '" + keyId + "' to be ready", e, keyId, null);
    } finally {
      policy.events().fire(events);
    }
  }

  // ================================================================= require

  @Override
  public void require(CredentialRequirement requirement) {
    Objects.requireNonNull(requirement, "requirement");
    synchronized (lock) {
      checkOpenLocked();
      Requirements next = requirements.with(requirement);
      if (next == requirements) {
        return;
      }
      // What is held already must meet it: the caller (a client's build) fails now, not later.
      for (VersionedCredential held : new VersionedCredential[] {state.served(), state.current()}) {
        if (held != null) {
          requirement.check(held);
        }
      }
      requirements = next;
    }
  }

  // ================================================================= rejected / accepted

  @Override
  public Optional<VersionedCredential> rejected(VersionedCredential rejected) {
    Objects.requireNonNull(rejected, "rejected");
    requireSameKey(rejected);
    return rejected(rejected, false);
  }

  /**
   * @param news whether an earlier pass of this call found the rejection to be news (it reports it:
   *     one {@link KeyEvent.KeyRejected} per episode)
   */
  private Optional<VersionedCredential> rejected(VersionedCredential rejected, boolean news) {
    List<KeyEvent> events = new ArrayList<>();
    SingleFlight.Join join;
    try {
      synchronized (lock) {
        checkOpenLocked();
        Instant now = time.now();
        news |= rejections.rejected(rejected.version(), now);
        VersionedCredential c = applyLocked(state.resolvedAt(now), events).servableAt(now);
        VersionedCredential served = state.served();
        String roundVersion = served != null ? served.version() : rejected.version();
        if (c != null && !c.sameVersionAs(rejected) && !rejections.isRejected(c.version(), now)) {
          // Someone else already moved on: the caller just retries with what is current.
          LOG.debug(
              "Key {}: version {} was rejected but {} is current",
              keyId,
              rejected.version(),
              c.version());
          return Optional.of(c);
        }
        if (rejections.inEpisode(roundVersion) || rejections.hasRecentRound(roundVersion, now)) {
          // the store is re-checked on a schedule (episode) or was just asked (cool-down)
          LOG.debug(
              "Key {}: version {} rejected again; answered without calling the backend",
              keyId,
              rejected.version());
          return answerLocked(rejected, now, events, news);
        }
        // share the running round, or wait for the running refresh
        join = flights.startOrJoin(roundVersion);
      }
    } finally {
      policy.events().fire(events); // after the lock is released, before returning
    }
    Flight flight = join.flight();
    if (join.started()) {
      runFlight(flight);
    }
    SingleFlight.await(flight, keyId);
    if (!flight.isRejectionRound()) {
      // We only joined a plain refresh; it may have found a newer version. If not, run our round.
      return rejectedAfterRefresh(rejected, news);
    }
    return answerAfterRound(rejected, news);
  }

  private Optional<VersionedCredential> rejectedAfterRefresh(
      VersionedCredential rejected, boolean news) {
    synchronized (lock) {
      checkOpenLocked();
      Instant now = time.now();
      // As before the split: what resolving changes here is applied, its events are not fired.
      VersionedCredential c = applyLocked(state.resolvedAt(now), new ArrayList<>()).servableAt(now);
      if (c != null && !c.sameVersionAs(rejected) && !rejections.isRejected(c.version(), now)) {
        return Optional.of(c);
      }
    }
    return rejected(rejected, news);
  }

  private Optional<VersionedCredential> answerAfterRound(
      VersionedCredential rejected, boolean news) {
    List<KeyEvent> events = new ArrayList<>();
    Optional<VersionedCredential> answer;
    synchronized (lock) {
      checkOpenLocked();
      Instant now = time.now();
      applyLocked(state.resolvedAt(now), events);
      answer = answerLocked(rejected, now, events, news);
    }
    policy.events().fire(events);
    return answer;
  }

  private Optional<VersionedCredential> answerLocked(
      VersionedCredential rejected, Instant now, List<KeyEvent> events, boolean news) {
    KeyState.Answer answer =
        state.rejected(
            rejected, now, rejections.alternates(), v -> rejections.isRejected(v, now), news);
    if (news) {
      events.add(answer.event());
    }
    if (answer.next().isEmpty()) {
      openEpisodeLocked(rejected, now);
    }
    return answer.next();
  }

  // ================================================================= the rejection episode

  @Override
  public Duration rejectionHold(VersionedCredential credential) {
    Circuit k = circuit;
    if (k == null || !k.version.equals(credential.version())) {
      return Duration.ZERO;
    }
    long now = time.nanoTime();
    long next = k.nextProbeNanos.get();
    if (now - next >= 0 && k.nextProbeNanos.compareAndSet(next, now + k.intervalNanos)) {
      return Duration.ZERO; // this interval's probe
    }
    return Duration.ofNanos(Math.max(1, k.nextProbeNanos.get() - now));
  }

  /**
   * Opens the episode if the served version is the one rejected and nothing else was found: from
   * now on the store is re-checked on a growing schedule and requests with the version are held
   * back, one probe per interval.
   */
  private void openEpisodeLocked(VersionedCredential rejected, Instant now) {
    VersionedCredential served = state.served();
    if (closed
        || served == null
        || !served.sameVersionAs(rejected)
        || rejections.inEpisode(rejected.version())) {
      return;
    }
    endEpisodeLocked(); // an episode of an older version, if one is still open
    rejections.openEpisode(rejected.version(), now);
    long delay = scheduleRecheckLocked(rejected.version());
    LOG.warn(
        "Key {}: version {} ({}) was rejected by the API and the key source has no other version;"
            + " requests with it now fail fast (one probe per interval) and the source is"
            + " re-checked in {}, then at growing intervals, until it has a new version",
        keyId,
        rejected.version(),
        fingerprint(rejected),
        Durations.readable(Duration.ofNanos(delay)));
  }

  /**
   * Schedules the next check of the store in the open episode, of {@code version}; returns its
   * delay in nanos.
   */
  private long scheduleRecheckLocked(String version) {
    if (nextRecheck != null) {
      nextRecheck.cancel(false);
      nextRecheck = null;
    }
    int check = rejections.nextEpisodeCheck();
    long delay =
        Math.max(
            0,
            TimeMath.saturatedNanos(
                policy.schedule().recheckDelay(check, policy.rejectionCooldown())));
    Circuit k = circuit;
    if (k == null || !k.version.equals(version)) {
      circuit = new Circuit(version, time.nanoTime() + delay, delay);
    } else {
      k.intervalNanos = delay; // probes after the next one come at the new pace
    }
    try {
      nextRecheck = policy.scheduler().schedule(this::recheckTask, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.error(
          "Key {}: the scheduler refused the re-check of the key source; the key is re-checked"
              + " only by its regular refresh",
          keyId);
    }
    return delay;
  }

  /** A check of the store in the episode: a rejection round for the episode's version. */
  private void recheckTask() {
    Flight f;
    synchronized (lock) {
      nextRecheck = null;
      String version = rejections.episodeVersion();
      if (closed || version == null) {
        return;
      }
      f = flights.startIfIdle(version);
      if (f == null) {
        // a fetch runs now; its outcome ends the episode if it found a new version
        scheduleRecheckLocked(version);
        return;
      }
    }
    runFlightLogged(f);
  }

  /**
   * After a flight, while the episode is open: an alternate found on offer lets the next request
   * through at once (it is rejected with the served version and retried with the alternate); the
   * next check of the store is scheduled.
   */
  private void afterRoundInEpisodeLocked(Flight f) {
    String version = rejections.episodeVersion();
    if (closed || version == null || !f.isRejectionRound() || nextRecheck != null) {
      return;
    }
    Instant now = time.now();
    Circuit k = circuit;
    if (k != null) {
      for (VersionedCredential alt : rejections.alternates()) {
        if (!alt.version().equals(version)
            && !rejections.isRejected(alt.version(), now)
            && alt.isUsableAt(now)) {
          k.nextProbeNanos.set(time.nanoTime());
          break;
        }
      }
    }
    scheduleRecheckLocked(version);
  }

  /** Ends the episode once the key serves another version. */
  private void endEpisodeIfMovedOnLocked() {
    String version = rejections.episodeVersion();
    if (version == null) {
      return;
    }
    VersionedCredential served = state.served();
    if (served == null || !served.version().equals(version)) {
      LOG.info(
          "Key {}: serving version {} {} after version {} was rejected",
          keyId,
          served == null ? "none" : served.version(),
          Durations.readable(Duration.between(rejections.episodeSince(), time.now())),
          version);
      endEpisodeLocked();
    }
  }

  private void endEpisodeLocked() {
    rejections.endEpisode();
    circuit = null;
    if (nextRecheck != null) {
      nextRecheck.cancel(false);
      nextRecheck = null;
    }
  }

  @Override
  public void accepted(VersionedCredential accepted) {
    Objects.requireNonNull(accepted, "accepted");
    requireSameKey(accepted);
    List<KeyEvent> events = new ArrayList<>();
    synchronized (lock) {
      checkOpenLocked();
      Instant now = time.now();
      if (rejections.inEpisode(accepted.version())) {
        LOG.info("Key {}: the API accepts version {} again", keyId, accepted.version());
        endEpisodeLocked();
      }
      rejections.accepted(accepted.version());
      applyLocked(state.accepted(accepted, rejections.alternateLike(accepted), now), events);
    }
    policy.events().fire(events);
  }

  // ================================================================= fetching

  private void refreshTask() {
    Flight f;
    synchronized (lock) {
      if (closed) {
        return;
      }
      nextRefresh = null;
      f = flights.startIfIdle(null);
      if (f == null) {
        return; // the running flight's completion schedules the next refresh
      }
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
   * version asks for alternates. Exactly one thread runs a given flight; it always finishes it.
   */
  private void runFlight(Flight f) {
    List<KeyEvent> events = new ArrayList<>();
    Error fatal = null;
    try {
      KeyFetcher.Outcome outcome = fetcher.fetch();
      VersionedCredential fetched =
          outcome.credential() == null ? null : hygiene.limitAge(outcome.credential());
      KeyGuardException error = outcome.error();
      fatal = outcome.fatal();
      boolean wantAlternates = false;
      synchronized (lock) {
        Instant now = time.now();
        if (!closed) {
          if (error == null && fetched != null) {
            error = refusalLocked(fetched, now, events);
          }
          checkUnusedLocked(now, events);
          // an outcome is a credential or an error (KeyFetcher.Outcome), never neither
          if (error != null) {
            Duration backoff = policy.schedule().retryDelay(state.failedAttempts() + 1);
            applyLocked(state.failed(error, now, backoff), events);
          } else if (fetched != null) {
            applyLocked(state.fetched(fetched, now), events);
            hygiene.noteServed(keyId, fetched);
          }
          VersionedCredential current = state.current();
          wantAlternates =
              f.isRejectionRound()
                  && error == null
                  && current != null
                  && (current.version().equals(f.roundVersion)
                      || rejections.isRejected(current.version(), now));
        }
      }
      fetchCount.incrementAndGet();
      if (error != null || fatal != null) {
        fetchFailureCount.incrementAndGet();
      }
      List<VersionedCredential> alternates = List.of();
      if (wantAlternates && fatal == null) {
        alternates = fetcher.fetchAlternates();
      }
      String roundVersion = f.roundVersion;
      if (roundVersion != null) { // a rejection round
        synchronized (lock) {
          if (!closed) {
            rejections.roundDone(
                roundVersion, time.now(), liveness.reuseHeld(completeLocked(alternates)));
            holdLocked();
          }
        }
      }
    } finally {
      synchronized (lock) {
        // Finish the flight and schedule the next one together: a refresh task that starts at
        // once must not find this flight still running and skip.
        flights.finish(f);
        if (!closed) {
          scheduleNextLocked(time.now());
          afterRoundInEpisodeLocked(f);
        }
        lock.notifyAll();
      }
      SingleFlight.release(f); // release the waiters first: a listener must not hold them up
      policy.events().fire(events);
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  /**
   * Why a fetched credential must not be served, or null if it may: another environment's key or
   * one past the hard age ({@link KeyHygiene}), a version that went backwards ({@link
   * KeyState#regressionOf}), an expired version, or one without a part a caller requires. A refused
   * credential counts as a failed fetch: the last good key stays served and the fetch is retried.
   */
  private @Nullable KeyGuardException refusalLocked(
      VersionedCredential fetched, Instant now, List<KeyEvent> events) {
    KeyGuardException refusal = hygiene.refusal(keyId, fetched, now, events);
    if (refusal == null) {
      refusal = state.regressionOf(fetched);
    }
    if (refusal == null && KeyState.isExpired(fetched, now)) {
      refusal =
          new KeyProviderUnavailableException(
              "Key '"
                  + keyId
                  + "': the backend's current version "
                  + fetched.version()
                  + " expired at "
                  + fetched.expiresAt().orElseThrow()
                  + "; rotate the key in the backend",
              null,
              keyId,
              fetched.version());
    }
    if (refusal == null) {
      refusal = requirements.unmetBy(fetched);
    }
    return refusal;
  }

  /** The alternates that meet every requirement; a warning names each one dropped. */
  /** Reports the key as unused when no request asked for it within {@code reportUnusedAfter}. */
  private void checkUnusedLocked(Instant now, List<KeyEvent> events) {
    if (usedSinceCheck) {
      usedSinceCheck = false;
      lastUsed = now;
      unusedReported = false;
      return;
    }
    Duration after = hygiene.unusedAfter();
    Duration unusedFor = Duration.between(lastUsed, now);
    if (!after.isZero() && !unusedReported && unusedFor.compareTo(after) >= 0) {
      unusedReported = true;
      LOG.warn(
          "Key {}: not used for {} (since {}); decommission it if nothing needs it",
          keyId,
          KeyHygiene.readable(unusedFor),
          lastUsed);
      events.add(new KeyEvent.KeyUnused(keyId, now, lastUsed, unusedFor));
    }
  }

  @Override
  public Optional<String> environment() {
    return hygiene.environment();
  }

  @Override
  public void report(KeyEvent event) {
    Objects.requireNonNull(event, "event");
    if (!event.keyId().equals(keyId)) {
      throw new IllegalArgumentException(
          "event about key '" + event.keyId() + "' reported to key '" + keyId + "'");
    }
    policy.events().fire(List.of(event));
  }

  private List<VersionedCredential> completeLocked(List<VersionedCredential> alternates) {
    List<VersionedCredential> complete = new ArrayList<>();
    Instant now = time.now();
    for (VersionedCredential c : requirements.meeting(alternates)) {
      KeyGuardException refused = hygiene.refusal(keyId, c, now, new ArrayList<>());
      if (refused == null) {
        complete.add(hygiene.limitAge(c));
      } else {
        LOG.warn(
            "Key {}: alternate version {} is not offered: {}",
            keyId,
            c.version(),
            refused.getMessage());
      }
    }
    if (complete.size() < alternates.size()) {
      for (VersionedCredential c : alternates) {
        MalformedSecretException unmet = requirements.unmetBy(c);
        if (unmet != null) {
          LOG.warn(
              "Key {}: alternate version {} is not offered: {}",
              keyId,
              c.version(),
              unmet.getMessage());
        }
      }
    }
    return complete;
  }

  /** Schedules the next refresh (or retry), replacing the one scheduled. */
  private void scheduleNextLocked(Instant now) {
    if (nextRefresh != null) {
      nextRefresh.cancel(false);
      nextRefresh = null;
    }
    Duration delay =
        state.failure() != null
            ? Duration.between(now, state.nextRetryAt())
            : policy.schedule().refreshDelay(state.remainingLifetime(now));
    try {
      nextRefresh =
          policy
              .scheduler()
              .schedule(
                  this::refreshTask,
                  Math.max(0, TimeMath.saturatedNanos(delay)),
                  TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.error(
          "Key {}: the scheduler refused the next refresh; the key will not be refreshed in the"
              + " background",
          keyId);
    }
  }

  // ================================================================= state changes

  /**
   * Makes the transition's state the key's, collects its events, and if the state changed updates
   * what the key holds on to and republishes the lock-free view.
   */
  private KeyState applyLocked(KeyState.Transition t, List<KeyEvent> events) {
    events.addAll(t.events());
    if (t.state() != state) {
      state = t.state();
      holdLocked();
      publishLocked();
    }
    return state;
  }

  /** Tells the liveness part what the key holds now: served, current, alternates on offer. */
  private void holdLocked() {
    List<VersionedCredential> held = new ArrayList<>(rejections.alternates());
    held.add(state.served());
    held.add(state.current());
    liveness.hold(held);
  }

  /**
   * Republishes the lock-free view after a state change: untimed (no clock reading per call) while
   * the key is healthy and has no deadline, or its deadline is far enough away that a task can swap
   * in the timed view half-way there (at least {@link #ARMING_MARGIN_MILLIS} ahead); timed
   * otherwise. See the implementation notes.
   */
  private void publishLocked() {
    endEpisodeIfMovedOnLocked();
    VersionedCredential served = state.served();
    if (closed || served == null) {
      cancelArmingLocked();
      fast = null;
      return;
    }
    long until = state.servableUntilMillis();
    if (until == Long.MAX_VALUE) {
      cancelArmingLocked();
      fast = new Fast(served, until, false); // no deadline: nothing to arm
      return;
    }
    long remaining = until - TimeMath.toMillisFloor(time.now());
    long untimedMillis = Math.min(remaining / 2, remaining - ARMING_MARGIN_MILLIS);
    if (!armFastPath || state.failure() != null || untimedMillis <= 0) {
      cancelArmingLocked();
      fast = new Fast(served, until, true);
      return;
    }
    fast = new Fast(served, until, false);
    if (nextArming != null && armingFor == served && armingUntil == until) {
      // a refresh that found the same version: the pending task (due no later) arms this view too,
      // and a caller's scheduler that keeps cancelled tasks does not collect one per refresh
      return;
    }
    cancelArmingLocked();
    try {
      nextArming =
          policy
              .scheduler()
              .schedule(() -> arm(served, until), untimedMillis, TimeUnit.MILLISECONDS);
      armingFor = served;
      armingUntil = until;
    } catch (RejectedExecutionException e) {
      fast = new Fast(served, until, true); // no task to rely on: read the clock per call
    }
  }

  private void cancelArmingLocked() {
    if (nextArming != null) {
      nextArming.cancel(false);
      nextArming = null;
      armingFor = null;
    }
  }

  /**
   * Swaps the timed view in if the untimed view of {@code credential} until {@code untilMillis} is
   * still the one published (a later view of another credential or deadline has its own task).
   */
  private void arm(VersionedCredential credential, long untilMillis) {
    synchronized (lock) {
      Fast f = fast;
      if (f != null && !f.timed && f.credential == credential && f.untilMillis == untilMillis) {
        fast = new Fast(credential, untilMillis, true);
      }
      if (armingFor == credential && armingUntil == untilMillis) {
        nextArming = null;
        armingFor = null;
      }
    }
  }

  // ================================================================= lifecycle and helpers

  void close() {
    Flight running;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      running = flights.running();
      if (nextRefresh != null) {
        nextRefresh.cancel(false);
        nextRefresh = null;
      }
      state = state.closed();
      endEpisodeLocked();
      rejections.clear();
      holdLocked(); // nothing is held any more: every secret is retired
      fast = null;
      cancelArmingLocked();
      lock.notifyAll();
    }
    if (running != null) {
      // Its waiters must not wait for a fetch that may never return (a backend that never
      // answers): they wake, find the key closed and throw. The runner's own release is a no-op.
      SingleFlight.release(running);
    }
  }

  private void checkOpenLocked() {
    if (closed || managerClosed.getAsBoolean()) {
      throw new IllegalStateException(
          "the KeyManager of key '" + keyId + "' is closed; build a new one to serve keys again");
    }
  }

  private void requireSameKey(VersionedCredential c) {
    if (!c.keyId().equals(keyId)) {
      throw new IllegalArgumentException(
          "credential of key '" + c.keyId() + "' reported to the managed key '" + keyId + "'");
    }
  }

  /** Returns the key id and the version served, with its fingerprint; never a secret. */
  @Override
  public String toString() {
    Fast f = fast;
    return f == null
        ? "ManagedKey[keyId=" + keyId + ", not loaded]"
        : "ManagedKey[keyId="
            + keyId
            + ", version="
            + f.credential.version()
            + ", "
            + fingerprint(f.credential)
            + "]";
  }

  /** The probe pacing of an episode: one request with {@code version} per interval goes out. */
  private static final class Circuit {
    final String version;
    final AtomicLong nextProbeNanos;
    volatile long intervalNanos;

    Circuit(String version, long firstProbeNanos, long intervalNanos) {
      this.version = version;
      this.nextProbeNanos = new AtomicLong(firstProbeNanos);
      this.intervalNanos = intervalNanos;
    }
  }

  /**
   * The lock-free view: serve {@code credential}; if {@code timed}, only while the clock reads
   * before {@code untilMillis}. An untimed view is replaced by a timed one {@link
   * #ARMING_MARGIN_MILLIS} before {@code untilMillis} (see the implementation notes).
   */
  private static final class Fast {
    final VersionedCredential credential;
    final long untilMillis;
    final boolean timed;

    Fast(VersionedCredential credential, long untilMillis, boolean timed) {
      this.credential = credential;
      this.untilMillis = untilMillis;
      this.timed = timed;
    }
  }
}
