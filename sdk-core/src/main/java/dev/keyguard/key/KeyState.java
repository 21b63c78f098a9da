package dev.keyguard.key;

import static dev.keyguard.key.KeyManager.LOG;
import static dev.keyguard.key.TimeMath.min;
import static dev.keyguard.key.TimeMath.plusSaturated;

import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyVersionRegressedException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.ExceptionTexts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What one key knows, as an immutable value: the version served, the backend's current version, the
 * last success, the running failure and the {@link LifetimeWarnings} already given. Each transition
 * ({@link #fetched}, {@link #failed}, {@link #resolvedAt}, {@link #accepted}, {@link #rejected}) is
 * a pure function of the state, its arguments and the {@link KeyPolicy}: it returns the next state
 * with the events it causes and touches nothing else (apart from log lines through the {@link
 * KeyManager} logger), so it is tested without threads, schedulers or backends.
 *
 * <p>Served and current differ in two cases: a new version waits for its {@code notBefore} while
 * the old one is still usable, or an alternate the API accepted is served instead of the backend's
 * current version ("promoted").
 */
final class KeyState {

  /** A state and the events that the change to it causes, in order. */
  record Transition(KeyState state, List<KeyEvent> events) {
    Transition {
      events = List.copyOf(events);
    }
  }

  /** The answer to a rejection: the credential to try next, if any, and the event. */
  record Answer(Optional<VersionedCredential> next, KeyEvent.KeyRejected event) {}

  private final KeyId keyId;
  private final String providerName;
  private final KeyPolicy policy;

  private final @Nullable VersionedCredential served;
  private final @Nullable VersionedCredential current;
  private final boolean promoted;
  private final @Nullable Instant lastSuccess;
  private final @Nullable KeyGuardException failure;
  private final @Nullable Instant failingSince;
  private final int failedAttempts;
  private final @Nullable Instant nextRetryAt;
  private final LifetimeWarnings warned;

  private KeyState(Draft d) {
    this.keyId = d.keyId;
    this.providerName = d.providerName;
    this.policy = d.policy;
    this.served = d.served;
    this.current = d.current;
    this.promoted = d.promoted;
    this.lastSuccess = d.lastSuccess;
    this.failure = d.failure;
    this.failingSince = d.failingSince;
    this.failedAttempts = d.failedAttempts;
    this.nextRetryAt = d.nextRetryAt;
    this.warned = d.warned;
  }

  /** The state of a key never fetched. */
  static KeyState initial(KeyId keyId, String providerName, KeyPolicy policy) {
    return new KeyState(new Draft(keyId, providerName, policy));
  }

  // ---------------------------------------------------------------- reads

  /** The version {@code current()} returns while servable; null before the first success. */
  @Nullable VersionedCredential served() {
    return served;
  }

  /** The backend's current version as last fetched; null before the first success. */
  @Nullable VersionedCredential current() {
    return current;
  }

  /** The last failure of a fetch, or null since the last success. */
  @Nullable KeyGuardException failure() {
    return failure;
  }

  int failedAttempts() {
    return failedAttempts;
  }

  /** When the backoff after the last failure ends; null while not failing. */
  @Nullable Instant nextRetryAt() {
    return nextRetryAt;
  }

  /** Whether a caller may call the backend now: false while the retry backoff runs. */
  boolean inBackoffAt(Instant now) {
    return failure != null && now.isBefore(nextRetryAt);
  }

  /** The credential to serve at {@code now}, or null; call on a state {@link #resolvedAt} now. */
  @Nullable VersionedCredential servableAt(Instant now) {
    return served != null && servable(served, now) ? served : null;
  }

  /** Whether nothing was ever served or the served version has expired. */
  boolean coldOrExpiredAt(Instant now) {
    return served == null || isExpired(served, now);
  }

  /**
   * Until when (epoch millis, exclusive) the served credential may be returned without looking at
   * the state again; {@link Long#MIN_VALUE} if never.
   */
  long servableUntilMillis() {
    if (served == null) {
      return Long.MIN_VALUE;
    }
    Instant until = served.expiresAt().orElse(Instant.MAX);
    if (current != null && current != served && !promoted) {
      until = min(until, current.notBefore().orElse(Instant.MIN));
    }
    if (failure != null) {
      until = stopsServingOnFailure() ? Instant.MIN : min(until, staleDeadline());
    }
    return TimeMath.toMillisFloor(until);
  }

  /** The remaining lifetime of the soonest-expiring credential held, if any expires later. */
  Optional<Duration> remainingLifetime(Instant now) {
    Duration untilExpiry = null;
    for (VersionedCredential c : new VersionedCredential[] {served, current}) {
      if (c != null && c.expiresAt().isPresent() && now.isBefore(c.expiresAt().get())) {
        Duration remaining = Duration.between(now, c.expiresAt().get());
        untilExpiry =
            untilExpiry == null || remaining.compareTo(untilExpiry) < 0 ? remaining : untilExpiry;
      }
    }
    return Optional.ofNullable(untilExpiry);
  }

  /**
   * Why {@code fetched} must not replace the backend's current version held here: its {@link
   * VersionedCredential#versionSequence()} is below the held one's (a version that went backwards);
   * null if it may: either has no ordinal, it does not go back, or it was created after the held
   * one (the secret was deleted and created again, and its numbering started over).
   */
  @Nullable KeyVersionRegressedException regressionOf(VersionedCredential fetched) {
    if (current == null
        || current.versionSequence().isEmpty()
        || fetched.versionSequence().isEmpty()) {
      return null;
    }
    long held = current.versionSequence().getAsLong();
    long got = fetched.versionSequence().getAsLong();
    if (got >= held) {
      return null;
    }
    Instant heldCreated = current.createdAt().orElse(null);
    Instant gotCreated = fetched.createdAt().orElse(null);
    if (heldCreated != null && gotCreated != null && gotCreated.isAfter(heldCreated)) {
      return null; // a re-created secret: a rotation, not a step back
    }
    return new KeyVersionRegressedException(
        "Key '"
            + keyId
            + "': "
            + providerName
            + " returned version "
            + fetched.version()
            + ", older than version "
            + current.version()
            + " already held; not served (a replica that lags behind, a backup restored over newer"
            + " versions, or an old answer replayed). Version "
            + current.version()
            + " stays in use; if the backend was restored on purpose, write a new version (one"
            + " created after version "
            + current.version()
            + " is taken whatever its number) or restart the application",
        keyId,
        fetched.version(),
        held,
        got);
  }

  /** The exception for a caller that finds nothing servable at {@code now}. */
  KeyGuardException unservable(Instant now) {
    return Unservable.at(this, now);
  }

  KeyId keyId() {
    return keyId;
  }

  String providerName() {
    return providerName;
  }

  Duration maxStale() {
    return policy.maxStale();
  }

  @Nullable Instant lastSuccess() {
    return lastSuccess;
  }

  @Nullable Instant failingSince() {
    return failingSince;
  }

  /** Whether the last failure stops serving at once (a revocation with serve-stale off). */
  boolean stopsServingOnFailure() {
    return isRevocation(failure) && !policy.serveStaleWhenNotFoundOrDenied();
  }

  // ---------------------------------------------------------------- transitions

  /**
   * Applies what time alone changes at {@code now}: a new version reaching its {@code notBefore}
   * (or the old one ceasing to be servable), an accepted alternate expiring.
   */
  Transition resolvedAt(Instant now) {
    if (served == null || current == null || current == served || isExpired(current, now)) {
      return new Transition(this, List.of());
    }
    boolean switchToCurrent =
        promoted ? isExpired(served, now) : current.isUsableAt(now) || !servable(served, now);
    if (!switchToCurrent) {
      return new Transition(this, List.of());
    }
    Draft d = new Draft(this);
    List<KeyEvent> events = new ArrayList<>();
    VersionedCredential old = served;
    d.served = current;
    d.promoted = false;
    if (!current.isUsableAt(now)) {
      LOG.warn(
          "Key {}: serving version {} ({}) before its notBefore {}: no other version is usable",
          keyId,
          current.version(),
          fingerprint(current),
          current.notBefore().orElse(null));
    }
    d.rotated(old, current, now, events);
    d.checkWarnings(now, events);
    return new Transition(new KeyState(d), events);
  }

  /** A fetch returned {@code fetched} (of this key, not expired at {@code now}). */
  Transition fetched(VersionedCredential fetched, Instant now) {
    Draft d = new Draft(this);
    List<KeyEvent> events = new ArrayList<>();
    d.failure = null;
    d.failedAttempts = 0;
    d.failingSince = null;
    d.nextRetryAt = null;
    d.lastSuccess = now;
    if (failure != null) {
      LOG.info(
          "Key {}: refresh recovered after {} failed attempts; backend returned version {}",
          keyId,
          failedAttempts,
          fetched.version());
      events.add(
          new KeyEvent.RefreshRecovered(
              keyId, now, fetched.version(), failedAttempts, Duration.between(failingSince, now)));
    }
    if (current != null && fetched.sameVersionAs(current)) {
      LOG.debug("Key {}: refresh found version {} unchanged", keyId, current.version());
    } else if (served != null && fetched.sameVersionAs(served)) {
      // The version we serve (an accepted alternate) became the backend's current one.
      d.current = served;
      d.promoted = false;
    } else {
      VersionedCredential old = served;
      d.current = fetched;
      d.promoted = false;
      boolean notYetValid = fetched.notBefore().map(now::isBefore).orElse(false);
      if (notYetValid && old != null && d.servable(old, now)) {
        LOG.info(
            "Key {}: new version {} ({}) is valid from {}; serving version {} until then",
            keyId,
            fetched.version(),
            fingerprint(fetched),
            fetched.notBefore().get(),
            old.version());
      } else {
        if (notYetValid) {
          LOG.warn(
              "Key {}: serving version {} ({}) before its notBefore {}: no other version is usable",
              keyId,
              fetched.version(),
              fingerprint(fetched),
              fetched.notBefore().get());
        }
        d.served = fetched;
        d.rotated(old, fetched, now, events);
      }
    }
    d.checkWarnings(now, events);
    return new Transition(new KeyState(d), events);
  }

  /** A fetch failed with {@code error}; the next attempt comes {@code backoff} later. */
  Transition failed(KeyGuardException error, Instant now, Duration backoff) {
    Draft d = new Draft(this);
    List<KeyEvent> events = new ArrayList<>();
    d.failedAttempts++;
    if (d.failingSince == null) {
      d.failingSince = now;
    }
    d.failure = error;
    d.nextRetryAt = plusSaturated(now, backoff);
    VersionedCredential stale = served != null && d.servable(served, now) ? served : null;
    boolean servingStale = stale != null;
    LOG.warn(
        "Key {}: fetch from {} failed (attempt {}, {}); {}; next attempt in {}",
        keyId,
        providerName,
        d.failedAttempts,
        ExceptionTexts.summary(error),
        stale != null
            ? "still serving version "
                + stale.version()
                + " ("
                + fingerprint(stale)
                + ") until "
                + min(stale.expiresAt().orElse(Instant.MAX), d.staleDeadline())
            : "no version can be served",
        backoff);
    events.add(
        new KeyEvent.RefreshFailed(
            keyId,
            now,
            error,
            error.isRetryable(),
            d.failedAttempts,
            servingStale,
            served == null ? null : served.version(),
            backoff));
    d.checkWarnings(now, events);
    return new Transition(new KeyState(d), events);
  }

  /**
   * The API accepted {@code accepted}: serve it if it is the backend's current version, or promote
   * {@code alternate} (the alternate on offer of that version, or null) if usable.
   */
  Transition accepted(
      VersionedCredential accepted, @Nullable VersionedCredential alternate, Instant now) {
    if (served != null && accepted.sameVersionAs(served)) {
      return new Transition(this, List.of());
    }
    Draft d = new Draft(this);
    List<KeyEvent> events = new ArrayList<>();
    VersionedCredential old = served;
    if (current != null && accepted.sameVersionAs(current)) {
      if (!isExpired(current, now)) {
        d.served = current;
        d.promoted = false;
        d.rotated(old, d.served, now, events);
      }
    } else {
      if (alternate == null || !alternate.isUsableAt(now)) {
        LOG.debug(
            "Key {}: accepted version {} is not an alternate on offer; ignored",
            keyId,
            accepted.version());
        return new Transition(this, List.of());
      }
      d.served = alternate;
      d.promoted = true;
      LOG.info(
          "Key {}: the API accepted alternate version {} ({}); serving it instead of {} until the"
              + " backend's current version changes",
          keyId,
          alternate.version(),
          fingerprint(alternate),
          old == null ? "none" : old.version());
      events.add(
          new KeyEvent.AlternatePromoted(
              keyId,
              now,
              old == null ? "none" : old.version(),
              alternate.version(),
              fingerprint(alternate)));
    }
    d.checkWarnings(now, events);
    return new Transition(new KeyState(d), events);
  }

  /**
   * The answer to a rejection of {@code rejected} after a round: the backend's current version if
   * it is a different, usable one; else the first fitting alternate (newest first); else none. The
   * state does not change.
   *
   * @param alternates the alternates on offer, newest first
   * @param rejectedRecently whether the API rejected a version within the cool-down
   */
  Answer rejected(
      VersionedCredential rejected,
      Instant now,
      List<VersionedCredential> alternates,
      Predicate<String> rejectedRecently) {
    return rejected(rejected, now, alternates, rejectedRecently, true);
  }

  /**
   * As {@link #rejected(VersionedCredential, Instant, List, Predicate)}; {@code news} false logs
   * the answer at debug level only (a repeated rejection within an episode, which is not reported).
   */
  Answer rejected(
      VersionedCredential rejected,
      Instant now,
      List<VersionedCredential> alternates,
      Predicate<String> rejectedRecently,
      boolean news) {
    KeyEvent.KeyRejected.Resolution resolution = KeyEvent.KeyRejected.Resolution.NONE;
    VersionedCredential answer = null;
    if (current != null
        && !current.sameVersionAs(rejected)
        && !rejectedRecently.test(current.version())
        && !isExpired(current, now)
        && (failure == null || servable(current, now))) {
      answer = current;
      resolution = KeyEvent.KeyRejected.Resolution.NEWER_VERSION;
    } else {
      for (VersionedCredential alt : alternates) {
        if (!alt.sameVersionAs(rejected)
            && !rejectedRecently.test(alt.version())
            && alt.isUsableAt(now)) {
          answer = alt;
          resolution = KeyEvent.KeyRejected.Resolution.ALTERNATE;
          break;
        }
      }
    }
    if (news || LOG.isDebugEnabled()) {
      String offer =
          answer == null
              ? "nothing else to offer"
              : "offering "
                  + resolution
                  + " version "
                  + answer.version()
                  + " ("
                  + fingerprint(answer)
                  + ")";
      String format = "Key {}: version {} ({}) rejected by the API; {}";
      if (news) {
        LOG.info(format, keyId, rejected.version(), fingerprint(rejected), offer);
      } else {
        LOG.debug(format, keyId, rejected.version(), fingerprint(rejected), offer);
      }
    }
    return new Answer(
        Optional.ofNullable(answer),
        new KeyEvent.KeyRejected(
            keyId,
            now,
            rejected.version(),
            fingerprint(rejected),
            resolution,
            answer == null ? null : answer.version()));
  }

  /** The state after close: nothing served, nothing held. */
  KeyState closed() {
    Draft d = new Draft(this);
    d.served = null;
    d.current = null;
    d.promoted = false;
    return new KeyState(d);
  }

  // ---------------------------------------------------------------- shared rules

  /** Whether a credential in the served slot may be served now (notBefore: see resolvedAt). */
  private boolean servable(VersionedCredential c, Instant now) {
    return servable(c, now, failure, lastSuccess, policy);
  }

  private Instant staleDeadline() {
    return staleDeadline(lastSuccess, policy);
  }

  /** Until when a version may be served while fetches fail; never if nothing ever succeeded. */
  private static Instant staleDeadline(@Nullable Instant lastSuccess, KeyPolicy policy) {
    return lastSuccess == null ? Instant.MIN : plusSaturated(lastSuccess, policy.maxStale());
  }

  private static boolean servable(
      VersionedCredential c,
      Instant now,
      @Nullable KeyGuardException failure,
      @Nullable Instant lastSuccess,
      KeyPolicy policy) {
    if (isExpired(c, now)) {
      return false;
    }
    if (failure == null) {
      return true;
    }
    if (isRevocation(failure) && !policy.serveStaleWhenNotFoundOrDenied()) {
      return false;
    }
    return now.isBefore(staleDeadline(lastSuccess, policy));
  }

  static boolean isRevocation(@Nullable KeyGuardException e) {
    return e instanceof KeyNotFoundException || e instanceof KeyAccessDeniedException;
  }

  static boolean isExpired(VersionedCredential c, Instant now) {
    return c.expiresAt().map(e -> !now.isBefore(e)).orElse(false);
  }

  static String fingerprint(VersionedCredential c) {
    return c.apiSecret()
        .map(s -> c.apiKey().fingerprint() + "+" + s.fingerprint())
        .orElse(c.apiKey().fingerprint());
  }

  /** The next state while a transition builds it; never escapes this class. */
  private static final class Draft {
    KeyId keyId;
    String providerName;
    KeyPolicy policy;
    @Nullable VersionedCredential served;
    @Nullable VersionedCredential current;
    boolean promoted;
    @Nullable Instant lastSuccess;
    @Nullable KeyGuardException failure;
    @Nullable Instant failingSince;
    int failedAttempts;
    @Nullable Instant nextRetryAt;
    LifetimeWarnings warned = LifetimeWarnings.NONE;

    Draft(KeyId keyId, String providerName, KeyPolicy policy) {
      this.keyId = keyId;
      this.providerName = providerName;
      this.policy = policy;
    }

    Draft(KeyState s) {
      keyId = s.keyId;
      providerName = s.providerName;
      policy = s.policy;
      served = s.served;
      current = s.current;
      promoted = s.promoted;
      lastSuccess = s.lastSuccess;
      failure = s.failure;
      failingSince = s.failingSince;
      failedAttempts = s.failedAttempts;
      nextRetryAt = s.nextRetryAt;
      warned = s.warned;
    }

    boolean servable(VersionedCredential c, Instant now) {
      return KeyState.servable(c, now, failure, lastSuccess, policy);
    }

    Instant staleDeadline() {
      return KeyState.staleDeadline(lastSuccess, policy);
    }

    void rotated(
        @Nullable VersionedCredential old,
        VersionedCredential next,
        Instant now,
        List<KeyEvent> events) {
      if (old == null) {
        LOG.info(
            "Key {}: loaded version {} ({}) from {}",
            keyId,
            next.version(),
            fingerprint(next),
            providerName);
        events.add(new KeyEvent.KeyLoaded(keyId, now, next.version(), fingerprint(next)));
      } else if (!old.sameVersionAs(next)) {
        LOG.info(
            "Key {}: rotated from version {} ({}) to {} ({})",
            keyId,
            old.version(),
            fingerprint(old),
            next.version(),
            fingerprint(next));
        events.add(
            new KeyEvent.KeyRotated(
                keyId, now, old.version(), fingerprint(old), next.version(), fingerprint(next)));
      }
    }

    void checkWarnings(Instant now, List<KeyEvent> events) {
      warned = warned.check(keyId, served, now, policy, events);
    }
  }
}
