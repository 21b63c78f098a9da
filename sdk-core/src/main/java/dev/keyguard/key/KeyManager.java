package dev.keyguard.key;

import dev.keyguard.CredentialRequirement;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Redactor;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the keys of an application fresh: fetches each key from a {@link KeyProvider} on first use,
 * refreshes it in the background before it goes stale, rides out backend failures, and hands out
 * the current credential without ever making a request wait on the backend. One per application; it
 * hands out one {@link ManagedKey} per key id.
 *
 * <pre>{@code
 * KeyManager keys = KeyManager.builder()
 *     .provider(provider)                                   // files, environment, a vault, ...
 *     .refreshAfter(Duration.ofMinutes(5))
 *     .maxStale(Duration.ofHours(1))
 *     .listener(event -> log.info("key event: {}", event))   // events never hold a secret
 *     .build();
 * AuthScheme signing = AuthSchemes.binanceHmac();
 * ManagedKey binance = keys.key("binance", signing.requirement()); // needs the API secret too
 * keys.awaitReady(Duration.ofSeconds(10));                  // fail fast at start-up
 * VersionedCredential credential = binance.current();       // lock-free from now on
 * // ... on shutdown:
 * keys.close();
 * }</pre>
 *
 * <h2>What a key goes through</h2>
 *
 * <ul>
 *   <li><b>Cold start.</b> {@link ManagedKey#current()} on a key never fetched blocks while one
 *       fetch runs on the calling thread; every other thread that asks meanwhile waits for that
 *       same fetch (single flight). {@link #awaitReady(Duration)} does the fetch ahead of time.
 *   <li><b>Fresh.</b> After a successful fetch, {@code current()} is a read of a volatile field and
 *       of the time source: no lock, no backend call. A refresh is scheduled on the scheduler after
 *       {@code refreshAfter} (default 5 minutes), jittered by ±{@code jitter} (default 10 %) so
 *       that a fleet of instances does not call the backend in step. If the credential has an
 *       expiry, the refresh comes earlier: after at most three quarters of the lifetime that
 *       remained at the fetch (jittered), and no later than the expiry.
 *   <li><b>Refresh.</b> A refresh that finds the version already served changes nothing and fires
 *       nothing. One that finds a new version swaps it in atomically (a caller sees either the old
 *       or the new credential, and never an older one after a newer one) and fires {@link
 *       KeyEvent.KeyRotated}. A new version whose {@code notBefore} lies in the future is held back
 *       while the old version is still usable, and served from its {@code notBefore} on; if nothing
 *       else is usable it is served at once (the backend calls it current, and a small clock skew
 *       is the usual cause) with a warning in the log.
 *   <li><b>Stale on error.</b> When a refresh fails, {@code current()} keeps returning the last
 *       good credential, without blocking, for as long as {@code maxStale} (default 1 hour)
 *       measured from the <em>last successful fetch</em>: the bound is on how long ago the backend
 *       last confirmed the key, whichever refresh failed first. Meanwhile the manager retries in
 *       the background with capped exponential backoff ({@code retryBackoff}, default 1 second
 *       doubling up to 1 minute, jittered), fires {@link KeyEvent.RefreshFailed} for each failed
 *       attempt and {@link KeyEvent.RefreshRecovered} when one succeeds. Past {@code maxStale},
 *       {@code current()} throws {@link KeyProviderUnavailableException} whose cause is the
 *       provider's failure; it does not call the backend itself, the background retries go on, and
 *       the first successful one ends the outage. Not-found and denied answers during a refresh are
 *       treated the same way by default (the key may be back at the next attempt); set {@link
 *       Builder#serveStaleWhenNotFoundOrDenied(boolean)} to false to stop serving at once. An
 *       exception from the provider that is not a {@link KeyGuardException} counts as
 *       "unavailable".
 *   <li><b>Hard expiry.</b> A credential is never served at or after its {@code expiresAt},
 *       whatever {@code maxStale} says. A caller that finds the credential expired blocks on one
 *       shared fetch; if that fetch fails or returns the same expired version, it throws {@link
 *       KeyProviderUnavailableException}. While the retry backoff runs, callers of an expired or
 *       never-fetched key fail at once with the last error instead of calling the backend again.
 *   <li><b>Rejection.</b> {@link ManagedKey#rejected(VersionedCredential)} forces one refresh
 *       (shared by concurrent callers), then asks the provider for alternate versions; repeated
 *       rejections of one version within {@code rejectionCooldown} (default 30 seconds) reuse that
 *       answer without calling the backend. If the served version is rejected and the backend has
 *       nothing else (the API revoked the key before the backend had the new one), the key
 *       re-checks the backend after 0.5 s, then at doubling intervals capped at {@code
 *       rejectionCooldown} (jittered), serves the new version as soon as a check finds it, and
 *       meanwhile holds requests with the rejected version back, one probe per interval ({@link
 *       ManagedKey#rejectionHold(VersionedCredential)}); one {@link KeyEvent.KeyRejected} per such
 *       episode.
 *   <li><b>Requirements.</b> A key knows the parts its users need: the requirement given to {@link
 *       #key(KeyId, CredentialRequirement)}, and the auth scheme's of every client built on it. A
 *       fetched credential that lacks one (no API secret for a signing scheme) counts as a
 *       malformed secret: {@code awaitReady} and a cold {@code current()} fail with {@link
 *       MalformedSecretException} naming the missing part, the field it was expected in and the
 *       fields found (names only); during a refresh the last good credential stays served and
 *       {@link KeyEvent.RefreshFailed} fires, as for any failed refresh.
 *   <li><b>Warnings.</b> {@link KeyEvent.KeyExpiringSoon} when the served version expires within
 *       {@code expiringSoon} (default 24 hours), {@link KeyEvent.KeyTooOld} when it was created
 *       more than {@code maxKeyAge} ago (default 90 days); each once per version, checked at every
 *       fetch. {@link KeyEvent.KeyUnused} when no {@code current()} call used the key for {@code
 *       reportUnusedAfter} (default 30 days). A WARN when one secret is served under two key ids or
 *       application names in this process.
 *   <li><b>Environments and age.</b> With a declared {@link Builder#environment(String)
 *       environment} (or {@code KEYGUARD_ENVIRONMENT}), a credential tagged for another one, or
 *       untagged where {@link Builder#allowUntaggedCredentials(boolean)} refuses it (by default in
 *       {@code prod}), is never served: its fetch fails with {@link
 *       dev.keyguard.EnvironmentMismatchException} and fires {@link KeyEvent.EnvironmentMismatch}.
 *       With {@link Builder#refuseKeysOlderThan(Duration)}, a version past that age is not served.
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * <p>The manager is thread-safe. It creates no thread per key or per request. Refreshes and retries
 * run on one {@link ScheduledExecutorService}: by default its own, with two daemon threads named
 * {@code keyguard-refresh-N}, shut down by {@link #close()}; or the caller's, given with {@link
 * Builder#scheduler(ScheduledExecutorService)}, which {@code close()} leaves running. The provider
 * is called only from those threads, from the caller of a cold-start or hard-expiry {@code
 * current()}, and from the caller of {@code rejected()}; never twice at once for the same key. Time
 * comes from the injectable {@link TimeSource} (the system's by default), so tests drive refresh,
 * expiry and the {@code awaitReady} timeout without sleeping. Listeners run on whichever of those
 * threads made the change (see {@link KeyEventListener}).
 *
 * <h2>Secrets</h2>
 *
 * <p>Every secret the manager fetches is registered with {@link Redactor#global()}, the one
 * redactor of the SDK, and retired when its version is rotated out (or the manager is closed). Logs
 * (through SLF4J, logger {@code dev.keyguard.key.KeyManager}) and events name key ids, versions and
 * fingerprints, never a value.
 */
public final class KeyManager implements AutoCloseable {

  static final Logger LOG = LoggerFactory.getLogger(KeyManager.class);

  /** The environment variable an application's environment is read from by default. */
  static final String ENVIRONMENT_VARIABLE = "KEYGUARD_ENVIRONMENT";

  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
  private static final int OWN_SCHEDULER_THREADS = 2;

  private final KeyProvider provider;
  private final ScheduledExecutorService scheduler;
  private final boolean ownScheduler;

  /** What every key of this manager runs by; the keys never read the manager's fields. */
  private final KeyPolicy policy;

  private final KeyHygiene hygiene;

  /**
   * Whether a key's fast path may skip the clock until a scheduled task arms it: only when the
   * scheduler's delays run on the same time as the time source, which holds for the system time
   * source (and, in our tests, for FakeClock with FakeScheduler).
   */
  private final boolean armFastPath;

  private final Map<KeyId, RefreshingManagedKey> keys = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private KeyManager(Builder b, KeyProvider provider) {
    this.provider = provider;
    ScheduledExecutorService given = b.scheduler;
    this.ownScheduler = given == null;
    this.scheduler = given == null ? newOwnScheduler() : given;
    RefreshSchedule schedule =
        RefreshSchedule.jittered(
            b.refreshAfter,
            b.jitter,
            b.random != null ? b.random : new SplittableRandom(),
            b.retryBackoffMin,
            b.retryBackoffMax);
    this.armFastPath = b.timeSource == TimeSource.system() || b.armFastPathForTesting;
    this.policy =
        new KeyPolicy(
            b.timeSource,
            scheduler,
            schedule,
            b.maxStale,
            b.rejectionCooldown,
            b.expiringSoon,
            b.maxKeyAge,
            b.serveStaleWhenNotFoundOrDenied,
            new KeyEventDispatch(b.listeners));
    String environment = b.environment != null ? b.environment : b.environmentVariable;
    boolean allowUntagged =
        b.allowUntagged != null
            ? b.allowUntagged
            : environment == null || !KeyHygiene.isProduction(environment);
    this.hygiene =
        new KeyHygiene(
            environment, allowUntagged, b.refuseAfterAge, b.unusedAfter, b.applicationName);
  }

  /**
   * Starts a key manager. Only {@link Builder#provider(KeyProvider)} is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the managed key for a key id, creating it on first request; later calls with the same
   * id return the same instance. Creating it does not fetch: the first {@link ManagedKey#current()}
   * or {@link #awaitReady(Duration)} does.
   *
   * @param keyId the key id
   * @return the managed key
   * @throws IllegalStateException if the manager is closed
   */
  public ManagedKey key(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    checkOpen();
    return keys.computeIfAbsent(
        keyId,
        id -> new RefreshingManagedKey(id, provider, policy, this::isClosed, hygiene, armFastPath));
  }

  /**
   * Returns the managed key for a key id given by name; same as {@code key(KeyId.of(keyId))}.
   *
   * @param keyId the key id
   * @return the managed key
   * @throws IllegalArgumentException if the name is not a valid {@link KeyId}
   * @throws IllegalStateException if the manager is closed
   */
  public ManagedKey key(String keyId) {
    return key(KeyId.of(keyId));
  }

  /**
   * Returns the managed key for a key id, as {@link #key(KeyId)} does, and registers what its user
   * needs from it ({@link ManagedKey#require(CredentialRequirement)}), so that {@link
   * #awaitReady(Duration)} and every later fetch fail on a credential that lacks a part, with a
   * message that names the part, the field it was expected in and the fields found. Pass the
   * requirement of the auth scheme the key will be used with:
   *
   * <pre>{@code
   * AuthScheme scheme = AuthSchemes.binanceHmac();
   * ManagedKey binance = keys.key("binance", scheme.requirement());
   * keys.awaitReady(Duration.ofSeconds(10)); // fails here if the API secret is missing
   * }</pre>
   *
   * <p>A client built on the key registers its scheme's requirement too, so keys obtained with
   * {@link #key(KeyId)} are checked from the client's build on.
   *
   * @param keyId the key id
   * @param requirement the parts its user needs
   * @return the managed key
   * @throws MalformedSecretException if the key already holds a credential that lacks a part
   * @throws IllegalStateException if the manager is closed
   */
  public ManagedKey key(KeyId keyId, CredentialRequirement requirement) {
    Objects.requireNonNull(requirement, "requirement");
    ManagedKey key = key(keyId);
    key.require(requirement);
    return key;
  }

  /**
   * Returns the managed key for a key id given by name, with a requirement; same as {@code
   * key(KeyId.of(keyId), requirement)}.
   *
   * @param keyId the key id
   * @param requirement the parts its user needs
   * @return the managed key
   * @throws IllegalArgumentException if the name is not a valid {@link KeyId}
   * @throws MalformedSecretException if the key already holds a credential that lacks a part
   * @throws IllegalStateException if the manager is closed
   */
  public ManagedKey key(String keyId, CredentialRequirement requirement) {
    return key(KeyId.of(keyId), requirement);
  }

  /**
   * Fails fast at start-up: makes sure every key obtained so far with {@link #key(KeyId)} has been
   * fetched, fetching those that have not (all at once, on the scheduler), and waits for them. A
   * key whose fetch fails with a retryable error is retried with the usual backoff until the
   * timeout; a non-retryable error (not found, denied, malformed) ends the wait at once. Keys
   * already fetched return at once.
   *
   * <p>The timeout is measured by the manager's {@link TimeSource} ({@link TimeSource#nanoTime()}),
   * which is real time unless {@link Builder#timeSource(TimeSource)} set another one.
   *
   * @param timeout how long to wait for all keys together; positive
   * @throws KeyNotFoundException if a key does not exist (other failing keys are added as
   *     suppressed exceptions)
   * @throws KeyAccessDeniedException if the backend refuses a key
   * @throws MalformedSecretException if a stored value is not a usable credential, or lacks a part
   *     that was required of its key ({@link #key(KeyId, CredentialRequirement)})
   * @throws KeyProviderUnavailableException if a key is not ready within the timeout; the cause is
   *     the last failure, if any
   * @throws IllegalStateException if the manager is closed
   */
  public void awaitReady(Duration timeout) {
    long deadline = TimeMath.deadlineNanos(policy.time(), timeout);
    checkOpen();
    List<RefreshingManagedKey> all = new ArrayList<>(keys.values());
    all.sort((a, b) -> a.keyId().compareTo(b.keyId()));
    long[] marks = new long[all.size()];
    for (int i = 0; i < all.size(); i++) {
      marks[i] = all.get(i).startWarmUp();
    }
    KeyGuardException first = null;
    for (int i = 0; i < all.size(); i++) {
      try {
        all.get(i).awaitReadyUntil(deadline, timeout, marks[i]);
      } catch (KeyGuardException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * How each key used so far stands: version served, its age, the next refresh, staleness and
   * backend calls (see {@link KeyStatus}); for metrics and health checks. Takes each key's lock
   * briefly; never calls the backend.
   *
   * @return one status per key, ordered by key id
   */
  public List<KeyStatus> status() {
    List<KeyStatus> out = new ArrayList<>();
    for (RefreshingManagedKey key : keys.values()) {
      out.add(key.status());
    }
    out.sort(Comparator.comparing(st -> st.keyId().value()));
    return List.copyOf(out);
  }

  /**
   * The environment the application runs in, as declared with {@link Builder#environment(String)}
   * or the {@code KEYGUARD_ENVIRONMENT} environment variable.
   *
   * @return the environment, lower-case ({@code production} reads {@code prod}); empty if none was
   *     declared
   */
  public Optional<String> environment() {
    return hygiene.environment();
  }

  /**
   * Tells whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops the manager: cancels every scheduled refresh, shuts down its own scheduler (a scheduler
   * given to the builder is left running), and retires the secrets it registered with the redactor.
   * A fetch already running finishes but its result is dropped. From now on {@link
   * ManagedKey#current()}, {@link #key(KeyId)} and {@link #awaitReady(Duration)} throw {@link
   * IllegalStateException}; threads waiting on a fetch get the same. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (RefreshingManagedKey key : keys.values()) {
      key.close();
    }
    if (ownScheduler) {
      scheduler.shutdownNow();
    }
    LOG.debug("KeyManager closed ({} keys)", keys.size());
  }

  /** Returns the provider name and number of keys; never a secret. */
  @Override
  public String toString() {
    return "KeyManager[provider="
        + provider.name()
        + ", keys="
        + keys.size()
        + (closed ? ", closed]" : "]");
  }

  // ---------------------------------------------------------------- package-private helpers

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "this KeyManager is closed; build a new one to serve keys again");
    }
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  private static ScheduledExecutorService newOwnScheduler() {
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "keyguard-refresh-" + THREAD_NUMBER.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(OWN_SCHEDULER_THREADS, factory);
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return executor;
  }

  /**
   * Builds a {@link KeyManager}. Each setting is checked when it is set; {@link #build()} checks
   * that a provider is set and that the settings fit together. Not thread-safe.
   *
   * <pre>{@code
   * KeyManager keys = KeyManager.builder()
   *     .provider(provider)
   *     .refreshAfter(Duration.ofMinutes(10))
   *     .maxStale(Duration.ofHours(2))
   *     .retryBackoff(Duration.ofSeconds(2), Duration.ofMinutes(2))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private static final double MAX_JITTER = 0.5;

    private @Nullable KeyProvider provider;
    private TimeSource timeSource = TimeSource.system();
    private boolean armFastPathForTesting;
    private @Nullable ScheduledExecutorService scheduler;
    private Duration refreshAfter = Duration.ofMinutes(5);
    private double jitter = 0.10;
    private @Nullable RandomGenerator random;
    private Duration maxStale = Duration.ofHours(1);
    private Duration retryBackoffMin = Duration.ofSeconds(1);
    private Duration retryBackoffMax = Duration.ofMinutes(1);
    private Duration rejectionCooldown = Duration.ofSeconds(30);
    private Duration expiringSoon = Duration.ofHours(24);
    private Duration maxKeyAge = Duration.ofDays(90);
    private boolean serveStaleWhenNotFoundOrDenied = true;
    private final List<KeyEventListener> listeners = new ArrayList<>();
    private @Nullable String environment;
    private @Nullable String environmentVariable = blankToNull(System.getenv(ENVIRONMENT_VARIABLE));
    private @Nullable Boolean allowUntagged;
    private @Nullable Duration refuseAfterAge;
    private Duration unusedAfter = Duration.ofDays(30);
    private String applicationName = "default";

    private Builder() {}

    /**
     * Declares the environment the application runs in, such as {@code prod}, {@code staging} or
     * {@code dev} (compared ignoring case; {@code production} reads {@code prod}). Default: the
     * {@code KEYGUARD_ENVIRONMENT} environment variable, or none.
     *
     * <p>Once an environment is declared, a credential tagged for another one ({@link
     * VersionedCredential#environment()}) is never served: its fetch fails with {@link
     * dev.keyguard.EnvironmentMismatchException}, {@link KeyEvent.EnvironmentMismatch} fires, and a
     * version served before stays served. Untagged credentials are served outside {@code prod} and
     * refused in {@code prod}, unless {@link #allowUntaggedCredentials(boolean)} says otherwise.
     * Without a declared environment, every credential is served, tagged or not.
     *
     * @param environment the environment name; not blank
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder environment(String environment) {
      Objects.requireNonNull(environment, "environment");
      if (environment.isBlank()) {
        throw new IllegalArgumentException("environment must not be blank");
      }
      this.environment = KeyHygiene.normalize(environment);
      return this;
    }

    /** For tests: the value {@code KEYGUARD_ENVIRONMENT} is read as (null for unset). */
    Builder environmentVariable(@Nullable String value) {
      this.environmentVariable = blankToNull(value);
      return this;
    }

    /**
     * Sets whether credentials without an environment tag are served once an {@linkplain
     * #environment(String) environment} is declared. Default: allowed outside {@code prod}, refused
     * in {@code prod}.
     *
     * @param allow whether to serve untagged credentials
     * @return this builder
     */
    public Builder allowUntaggedCredentials(boolean allow) {
      this.allowUntagged = allow;
      return this;
    }

    /**
     * Refuses to serve a version created (the backend's {@code createdAt}) longer ago than {@code
     * hardMaxAge}: a fetch of such a version fails, and a version being served stops being served
     * when it reaches that age, as at its expiry. Off by default; {@link #maxKeyAge(Duration)} only
     * warns. Versions without a creation time are not affected.
     *
     * @param hardMaxAge the age from which a version is not served; positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder refuseKeysOlderThan(Duration hardMaxAge) {
      this.refuseAfterAge = requirePositive(hardMaxAge, "refuseKeysOlderThan");
      return this;
    }

    /**
     * Sets after how long without a request a key fires {@link KeyEvent.KeyUnused} (with a warning
     * in the log), once per unused period ("decommission unused credentials"). Checked at each
     * refresh. Default: 30 days. Zero turns the report off.
     *
     * @param unusedAfter the period; zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder reportUnusedAfter(Duration unusedAfter) {
      this.unusedAfter = requireNotNegative(unusedAfter, "reportUnusedAfter");
      return this;
    }

    /**
     * Names the application in the warning given when one secret is served under two key ids or by
     * two applications in one process (default {@code default}). Each secret should belong to one
     * application and one key id, so that a leak or a revocation concerns only one.
     *
     * @param name the application's name; not blank
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder applicationName(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("applicationName must not be blank");
      }
      this.applicationName = name;
      return this;
    }

    private static @Nullable String blankToNull(@Nullable String value) {
      return value == null || value.isBlank() ? null : KeyHygiene.normalize(value);
    }

    /**
     * Sets where keys come from. Required.
     *
     * @param provider the key provider
     * @return this builder
     */
    public Builder provider(KeyProvider provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * Lets the keys arm their clock-free fast path with a time source other than the system one
     * (for tests whose scheduler runs on that time source, as FakeScheduler on FakeClock).
     */
    Builder armFastPathForTesting() {
      this.armFastPathForTesting = true;
      return this;
    }

    /**
     * Sets the time source that refresh times, staleness, expiry, events and the {@link
     * KeyManager#awaitReady(Duration)} timeout are measured by. Default: {@link
     * TimeSource#system()}. Tests pass the fake in {@code keyguard-testing}.
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Sets the executor that runs refreshes and retries. Default: the manager's own, with two
     * daemon threads named {@code keyguard-refresh-N}, shut down by {@link KeyManager#close()}. A
     * scheduler given here is shared, not owned: {@code close()} cancels the manager's tasks on it
     * but does not shut it down. Refresh tasks call the provider, which blocks.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets how long after a successful fetch the next refresh runs (before jitter). Default: 5
     * minutes.
     *
     * @param refreshAfter the refresh interval; positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder refreshAfter(Duration refreshAfter) {
      this.refreshAfter = requirePositive(refreshAfter, "refreshAfter");
      return this;
    }

    /**
     * Sets the jitter applied to refresh and retry delays: each delay is spread uniformly over
     * {@code delay × (1 ± jitter)}. Default: 0.10 (±10 %). Zero makes delays exact.
     *
     * @param jitter the fraction, from 0 to 0.5
     * @return this builder
     * @throws IllegalArgumentException if outside [0, 0.5]
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= MAX_JITTER)) {
        throw new IllegalArgumentException(
            "jitter must be between 0 and " + MAX_JITTER + ", was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets the random source for jitter. Default: a {@link SplittableRandom}. The manager
     * serializes calls to it. Tests pass a seeded or fixed generator to make delays predictable.
     *
     * @param random the random source
     * @return this builder
     */
    public Builder jitterRandom(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets how long the last good credential keeps being served while refreshes fail, measured from
     * the last successful fetch. Past it, {@link ManagedKey#current()} throws {@link
     * KeyProviderUnavailableException}. It must be longer than {@code refreshAfter × (1 + jitter)}
     * (checked by {@link #build()}), so that a failed refresh leaves time for retries. A
     * credential's own {@code expiresAt} always wins. Default: 1 hour.
     *
     * @param maxStale the bound; positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxStale(Duration maxStale) {
      this.maxStale = requirePositive(maxStale, "maxStale");
      return this;
    }

    /**
     * Sets the retry backoff after a failed fetch: {@code min} after the first failure, doubling
     * with each further failure up to {@code max}, each delay jittered and never above {@code max}.
     * Default: 1 second to 1 minute.
     *
     * @param min the first delay; positive
     * @param max the largest delay; at least {@code min}
     * @return this builder
     * @throws IllegalArgumentException if {@code min} is not positive or {@code max < min}
     */
    public Builder retryBackoff(Duration min, Duration max) {
      requirePositive(min, "retryBackoff min");
      requirePositive(max, "retryBackoff max");
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "retryBackoff max (" + max + ") must not be shorter than min (" + min + ")");
      }
      this.retryBackoffMin = min;
      this.retryBackoffMax = max;
      return this;
    }

    /**
     * Sets how long a rejection of a version is remembered: within it, further rejections of the
     * same version reuse the last answer without calling the backend, and a rejected version is not
     * offered again. It is also the longest interval between the re-checks of the backend while the
     * served version stays rejected and the backend has nothing else (they start at 0.5 s and
     * double; a cool-down under 0.5 s re-checks every 0.5 s). Default: 30 seconds.
     *
     * @param cooldown the cool-down; zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder rejectionCooldown(Duration cooldown) {
      this.rejectionCooldown = requireNotNegative(cooldown, "rejectionCooldown");
      return this;
    }

    /**
     * Sets how close to its expiry a served version fires {@link KeyEvent.KeyExpiringSoon}.
     * Default: 24 hours. Zero turns the event off.
     *
     * @param threshold the threshold; zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder expiringSoon(Duration threshold) {
      this.expiringSoon = requireNotNegative(threshold, "expiringSoon");
      return this;
    }

    /**
     * Sets the age (from the backend's {@code createdAt}) beyond which a served version fires
     * {@link KeyEvent.KeyTooOld}. Default: 90 days.
     *
     * @param maxKeyAge the maximum age; positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxKeyAge(Duration maxKeyAge) {
      this.maxKeyAge = requirePositive(maxKeyAge, "maxKeyAge");
      return this;
    }

    /**
     * Sets whether the last good credential keeps being served (up to {@code maxStale}) when a
     * refresh is answered "not found" or "denied". Default: true, because such answers are often
     * transient (a permission being re-granted, a secret being re-created). False stops serving the
     * key at once, so a revoked key is dropped at the next refresh.
     *
     * @param serve whether to keep serving
     * @return this builder
     */
    public Builder serveStaleWhenNotFoundOrDenied(boolean serve) {
      this.serveStaleWhenNotFoundOrDenied = serve;
      return this;
    }

    /**
     * Adds a listener for {@link KeyEvent}s. Listeners are called in the order added.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(KeyEventListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the key manager. Nothing is fetched yet.
     *
     * @return the key manager
     * @throws IllegalStateException if no provider is set, or {@code maxStale} is not longer than
     *     {@code refreshAfter × (1 + jitter)}
     */
    public KeyManager build() {
      if (provider == null) {
        throw new IllegalStateException(
            "provider is required: call KeyManager.builder().provider(...) with the source of your keys");
      }
      Duration latestRefresh =
          Duration.ofNanos((long) (TimeMath.saturatedNanos(refreshAfter) * (1 + jitter)));
      if (maxStale.compareTo(latestRefresh) <= 0) {
        throw new IllegalStateException(
            "maxStale ("
                + maxStale
                + ") must be longer than refreshAfter × (1 + jitter) ("
                + latestRefresh
                + "): otherwise the last good key stops being served before a failed refresh can be retried");
      }
      return new KeyManager(this, provider);
    }

    private static Duration requirePositive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }

    private static Duration requireNotNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + d);
      }
      return d;
    }
  }
}
