package dev.keyguard.testing;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.RedactedThrowable;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.key.ManagedKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network fault between a key manager and its backend, run the same way for every backend: 16
 * threads read the key; the fault is injected; the key is rotated behind it; after {@code fault}
 * the fault is cleared; the run waits until the rotated version is served; then the readers stop,
 * the set-up is closed and the threads are checked. {@link Outcome#assertExpected()} checks what
 * every backend must do:
 *
 * <ul>
 *   <li>no failed read (the fault is shorter than {@code maxStale}) and no read slower than 100 ms
 *       (nobody waits on the backend);
 *   <li>the last good key served during the fault;
 *   <li>at most one backend call per retry interval during the fault, counted outside KeyGuard (at
 *       Toxiproxy or the backend; for a fault that stops calls before they reach Toxiproxy, such as
 *       a refused port or a name that does not resolve, in the provider's HTTP client);
 *   <li>a {@code RefreshFailed} (retryable, serving stale) then a {@code RefreshRecovered} event;
 *   <li>the rotated version served within one retry interval plus the call in flight;
 *   <li>no thread left once the key manager and the provider are closed (OkHttp's and Okio's
 *       process-wide task threads, shared by every OkHttp client, are not counted).
 * </ul>
 *
 * <pre>{@code
 * KeyFaultScenario.Outcome o =
 *     KeyFaultScenario.builder("vault", "latency 5 s")
 *         .setUp(() -> { ... build provider and manager, return a Setup ... })
 *         .inject(() -> proxy.latency("slow", Duration.ofSeconds(5)))
 *         .clear(() -> proxy.clearToxics())
 *         .backendCalls(proxy::acceptedConnections)
 *         .retryInterval(Duration.ofSeconds(1))
 *         .callTimeout(Duration.ofSeconds(1))
 *         .run();
 * o.assertExpected();
 * }</pre>
 *
 * <p>The figures line ({@link Outcome#figures()}) is printed to standard output for the README.
 * Real time and real threads: an integration-test helper, not for unit tests.
 */
public final class KeyFaultScenario {

  private static final Logger LOG = LoggerFactory.getLogger(KeyFaultScenario.class);

  /** What {@link Builder#setUp} builds: the key, its events, and how to rotate and close. */
  public interface Setup extends AutoCloseable {
    /**
     * The key under test, already fetched once.
     *
     * @return the key
     */
    ManagedKey key();

    /**
     * The events of the key's manager, as they happen (a thread-safe live list).
     *
     * @return the events
     */
    List<KeyEvent> events();

    /** Rotates the key in the backend, bypassing the fault (the admin's own connection). */
    void rotate();

    /**
     * Whether the key now serves the version {@link #rotate()} made.
     *
     * @return true once it does
     */
    boolean servesRotated();

    /** Closes the key manager and the provider. */
    @Override
    void close();
  }

  /** What a set-up factory does; may throw. */
  @FunctionalInterface
  public interface SetUpFactory {
    /**
     * Builds the provider and the key manager and fetches the key once.
     *
     * @return the set-up
     * @throws Exception if the backend cannot be reached before the fault
     */
    Setup create() throws Exception;
  }

  private static final int THREADS = 16;
  private static final Duration SLOWEST_READ = Duration.ofMillis(100);

  private KeyFaultScenario() {}

  /**
   * The set-up every backend's scenarios share: a key manager over {@code provider} that refreshes
   * every {@code interval} and retries every {@code interval} (no jitter), serves a stale key for
   * up to a minute and records its events; the key is fetched once before this returns. Closing the
   * set-up closes the key manager, then the provider.
   *
   * @param <P> the provider's type
   * @param provider the provider under test, reaching its backend through the fault
   * @param keyId the key to read
   * @param interval the refresh and retry interval (the builder's {@link Builder#retryInterval})
   * @param rotate writes a new version in the backend, bypassing the fault
   * @param rotatedApiKey the api key {@code rotate} writes, to tell when it is served
   * @return the set-up
   * @throws dev.keyguard.KeyGuardException if the key cannot be fetched within 10 seconds
   */
  @SuppressWarnings(
      "try") // P's close() is the provider's, which does not throw InterruptedException
  public static <P extends KeyProvider & AutoCloseable> Setup keyManagerSetUp(
      P provider, String keyId, Duration interval, Runnable rotate, String rotatedApiKey) {
    Objects.requireNonNull(rotate, "rotate");
    Objects.requireNonNull(rotatedApiKey, "rotatedApiKey");
    List<KeyEvent> events = new CopyOnWriteArrayList<>();
    KeyManager manager =
        KeyManager.builder()
            .provider(provider)
            .refreshAfter(interval)
            .jitter(0)
            .retryBackoff(interval, interval)
            .maxStale(Duration.ofMinutes(1))
            .listener(events::add)
            .build();
    ManagedKey key;
    try {
      key = manager.key(keyId);
      key.awaitReady(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      try {
        manager.close();
        provider.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return new Setup() {
      @Override
      public ManagedKey key() {
        return key;
      }

      @Override
      public List<KeyEvent> events() {
        return events;
      }

      @Override
      public void rotate() {
        rotate.run();
      }

      @Override
      public boolean servesRotated() {
        return rotatedApiKey.equals(key.current().apiKey().value(InsecureSecretAccess.get()));
      }

      @Override
      public void close() {
        try {
          manager.close();
        } finally {
          try {
            provider.close();
          } catch (Exception e) {
            throw new IllegalStateException("closing the provider failed", e);
          }
        }
      }
    };
  }

  /**
   * Starts describing a scenario.
   *
   * @param backend the backend's name, for the figures line ({@code aws}, {@code vault})
   * @param scenario the fault, for the figures line ({@code latency 5 s})
   * @return a builder
   */
  public static Builder builder(String backend, String scenario) {
    return new Builder(backend, scenario);
  }

  /** Describes one run. Not thread-safe. */
  public static final class Builder {
    private final String backend;
    private final String scenario;
    private @Nullable SetUpFactory setUp;
    private @Nullable Runnable inject;
    private @Nullable Runnable clear;
    private @Nullable IntSupplier backendCalls;
    private Duration retryInterval = Duration.ofSeconds(1);
    private Duration callTimeout = Duration.ofSeconds(1);
    private Duration fault = Duration.ofSeconds(3);
    private final List<String> sharedThreadPrefixes =
        new ArrayList<>(List.of("OkHttp TaskRunner", "Okio Watchdog"));

    private Builder(String backend, String scenario) {
      this.backend = Objects.requireNonNull(backend, "backend");
      this.scenario = Objects.requireNonNull(scenario, "scenario");
    }

    /**
     * How the provider and the key manager are built (after the thread snapshot).
     *
     * @param factory the factory
     * @return this builder
     */
    public Builder setUp(SetUpFactory factory) {
      this.setUp = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Injects the fault.
     *
     * @param inject what injects it
     * @return this builder
     */
    public Builder inject(Runnable inject) {
      this.inject = Objects.requireNonNull(inject, "inject");
      return this;
    }

    /**
     * Clears the fault.
     *
     * @param clear what clears it
     * @return this builder
     */
    public Builder clear(Runnable clear) {
      this.clear = Objects.requireNonNull(clear, "clear");
      return this;
    }

    /**
     * Counts the backend calls, outside KeyGuard (Toxiproxy's accepted connections, the backend's
     * request log, or the attempts of the provider's HTTP client when the fault stops calls before
     * they reach Toxiproxy: a refused port, a name that does not resolve).
     *
     * @param counter the counter
     * @return this builder
     */
    public Builder backendCalls(IntSupplier counter) {
      this.backendCalls = Objects.requireNonNull(counter, "counter");
      return this;
    }

    /**
     * The key manager's retry interval (its {@code retryBackoff}, the same minimum and maximum, no
     * jitter); default 1 second.
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder retryInterval(Duration interval) {
      this.retryInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * The provider's call timeout; default 1 second.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How long the fault is held; default 3 seconds.
     *
     * @param fault the duration
     * @return this builder
     */
    public Builder fault(Duration fault) {
      this.fault = Objects.requireNonNull(fault, "fault");
      return this;
    }

    /**
     * Names process-wide thread pools that the thread check leaves out: threads a vendor SDK shares
     * across all its clients and keeps for the JVM's lifetime (Reactor's {@code parallel-} and
     * {@code boundedElastic-}, Reactor Netty's event loops), or the test backend's own. OkHttp's
     * and Okio's shared threads are left out already.
     *
     * @param prefixes thread name prefixes
     * @return this builder
     */
    public Builder ignoringSharedThreads(String... prefixes) {
      sharedThreadPrefixes.addAll(List.of(prefixes));
      return this;
    }

    /**
     * Runs the scenario and prints its figures line.
     *
     * @return what it measured
     * @throws Exception if the set-up fails
     */
    public Outcome run() throws Exception {
      if (setUp == null || inject == null || clear == null || backendCalls == null) {
        throw new IllegalStateException("setUp, inject, clear and backendCalls are required");
      }
      ThreadSnapshot threadsBefore = ThreadSnapshot.take();
      Outcome o = new Outcome(this);
      Setup s = setUp.create();
      try {
        ManagedKey key = s.key();
        ReaderThreads readers = ReaderThreads.start(THREADS, "reader", key::current);
        try {
          String before = key.current().version();
          long callsBefore = backendCalls.getAsInt();
          long faultStart = System.nanoTime();
          inject.run();
          s.rotate();
          waitUntil(
              () -> s.events().stream().anyMatch(e -> e instanceof KeyEvent.RefreshFailed),
              Duration.ofSeconds(10));
          sleepUntil(faultStart + fault.toNanos());
          o.faultNanos = System.nanoTime() - faultStart;
          o.backendCallsDuringFault = backendCalls.getAsInt() - callsBefore;
          o.servedLastGoodDuringFault = key.current().version().equals(before);
          clear.run();
          long cleared = System.nanoTime();
          o.recovered = waitUntil(s::servesRotated, Duration.ofSeconds(10));
          o.recoveryNanos = System.nanoTime() - cleared;
          readers.close();
          o.reads = readers.calls();
          o.failedReads = readers.failures();
          o.failureSample = readers.failureSample().toString();
          o.slowestRead = readers.slowest();
        } finally {
          readers.close(); // idempotent: also when the run fails half-way
        }
        o.events = List.copyOf(s.events());
      } finally {
        s.close();
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      List<String> left = ownThreads(threadsBefore, sharedThreadPrefixes);
      while (!left.isEmpty() && System.nanoTime() < deadline) {
        sleepUntil(System.nanoTime() + 100_000_000L);
        left = ownThreads(threadsBefore, sharedThreadPrefixes);
      }
      o.threadsLeft = left;
      // one figure line per run, read by scripts/fault-figures.sh from the test logs
      LOG.info("{}", o.figures());
      return o;
    }
  }

  /** What one run measured. */
  public static final class Outcome {
    private final String backend;
    private final String scenario;
    private final Duration retryInterval;
    private final Duration callTimeout;
    private long reads;
    private long failedReads;
    private String failureSample = "";
    private Duration slowestRead = Duration.ZERO;
    private long faultNanos;
    private long backendCallsDuringFault;
    private boolean servedLastGoodDuringFault;
    private boolean recovered;
    private long recoveryNanos;
    private List<KeyEvent> events = List.of();
    private List<String> threadsLeft = List.of();

    private Outcome(Builder b) {
      this.backend = b.backend;
      this.scenario = b.scenario;
      this.retryInterval = b.retryInterval;
      this.callTimeout = b.callTimeout;
    }

    /**
     * The most backend calls the fault may cost: one per retry interval, plus the one that found
     * it.
     *
     * @return the bound
     */
    public long maxBackendCalls() {
      return faultNanos / retryInterval.toNanos() + 1;
    }

    /**
     * The figures, as one line: {@code FAULT <backend> | <scenario> | reads ..., failed ...}.
     *
     * @return the line
     */
    public String figures() {
      return String.format(
          Locale.ROOT,
          "FAULT %s | %s | reads %d, failed %d, slowest read %d ms | backend calls during the"
              + " %.1f s fault: %d (bound %d) | RefreshFailed %d | recovered %d ms after the fault"
              + " cleared | threads left %d%s",
          backend,
          scenario,
          reads,
          failedReads,
          slowestRead.toMillis(),
          faultNanos / 1e9,
          backendCallsDuringFault,
          maxBackendCalls(),
          events.stream().filter(e -> e instanceof KeyEvent.RefreshFailed).count(),
          recoveryNanos / 1_000_000,
          threadsLeft.size(),
          threadsLeft.isEmpty() ? "" : " " + threadsLeft);
    }

    /**
     * Checks what every backend must do under the fault (see {@link KeyFaultScenario}).
     *
     * @throws AssertionError naming the first expectation that does not hold, with the figures
     */
    public void assertExpected() {
      List<String> broken = new ArrayList<>();
      if (failedReads != 0) {
        broken.add("failed reads within maxStale: " + failedReads + " " + failureSample);
      }
      if (reads < THREADS * 100L) {
        broken.add("the readers barely ran: " + reads + " reads");
      }
      if (slowestRead.compareTo(SLOWEST_READ) >= 0) {
        broken.add("a reader blocked for " + slowestRead.toMillis() + " ms");
      }
      if (!servedLastGoodDuringFault) {
        broken.add("the last good key was not served during the fault");
      }
      // (zero is possible: a connection opened before the fault may carry the only failed call)
      if (backendCallsDuringFault > maxBackendCalls()) {
        broken.add(
            "backend calls during the fault: "
                + backendCallsDuringFault
                + ", expected at most "
                + maxBackendCalls());
      }
      if (!recovered) {
        broken.add("the rotated version was not served within 10 s after the fault cleared");
      } else if (Duration.ofNanos(recoveryNanos)
              .compareTo(retryInterval.plus(callTimeout).plusMillis(500))
          > 0) {
        broken.add(
            "recovery took " + recoveryNanos / 1_000_000 + " ms, more than one retry interval");
      }
      int firstFailed = indexOf(KeyEvent.RefreshFailed.class);
      int recoveredAt = indexOf(KeyEvent.RefreshRecovered.class);
      if (firstFailed < 0 || recoveredAt < firstFailed) {
        broken.add("no RefreshFailed then RefreshRecovered in " + events);
      }
      for (KeyEvent e : events) {
        if (e instanceof KeyEvent.RefreshFailed f && (!f.retryable() || !f.servingStale())) {
          broken.add("a RefreshFailed that is not retryable or not serving stale: " + f);
        }
      }
      if (!threadsLeft.isEmpty()) {
        broken.add("threads left after close: " + threadsLeft);
      }
      if (!broken.isEmpty()) {
        throw new AssertionError(String.join("; ", broken) + " [" + figures() + "]");
      }
    }

    /**
     * The events of the run, in order.
     *
     * @return the events
     */
    public List<KeyEvent> events() {
      return events;
    }

    /**
     * What each {@code RefreshFailed} event of the run reported, in order: to check that the fault
     * surfaced as the failure it stands for (a refused connection, a name that does not resolve).
     *
     * @return the failures
     */
    public List<KeyGuardException> refreshFailures() {
      List<KeyGuardException> failures = new ArrayList<>();
      for (KeyEvent e : events) {
        if (e instanceof KeyEvent.RefreshFailed f) {
          failures.add(f.cause());
        }
      }
      return failures;
    }

    /**
     * Checks that the fault surfaced as the failure it stands for: every {@code RefreshFailed} of
     * the run is a retryable {@link KeyProviderUnavailableException}, and at least one has {@code
     * causeClassName} in its cause chain (by the original class name, so a {@link
     * dev.keyguard.RedactedThrowable} copy counts).
     *
     * @param causeClassName such as {@code java.net.UnknownHostException}
     * @throws AssertionError naming the failures if not
     */
    public void assertFailuresCausedBy(String causeClassName) {
      List<KeyGuardException> failures = refreshFailures();
      boolean found = false;
      for (KeyGuardException f : failures) {
        if (!(f instanceof KeyProviderUnavailableException) || !f.isRetryable()) {
          throw new AssertionError(
              "a refresh failure that is not a retryable KeyProviderUnavailableException: " + f);
        }
        for (Throwable t = f; t != null && !found; t = t.getCause()) {
          String name =
              t instanceof RedactedThrowable r ? r.originalClassName() : t.getClass().getName();
          found = name.equals(causeClassName);
        }
      }
      if (!found) {
        throw new AssertionError(
            "no refresh failure caused by " + causeClassName + " in " + failures);
      }
    }

    private int indexOf(Class<? extends KeyEvent> type) {
      for (int i = 0; i < events.size(); i++) {
        if (type.isInstance(events.get(i))) {
          return i;
        }
      }
      return -1;
    }

    /** Returns the figures line. */
    @Override
    public String toString() {
      return figures();
    }
  }

  /**
   * The threads started since the snapshot, less process-wide shared pools (OkHttp's and Okio's by
   * default: a fixed few shared by every OkHttp client in the JVM, ending after a minute idle).
   */
  private static List<String> ownThreads(ThreadSnapshot before, List<String> sharedPrefixes) {
    List<String> own = new ArrayList<>();
    for (String t : before.newThreads()) {
      if (sharedPrefixes.stream().noneMatch(t::startsWith)) {
        own.add(t);
      }
    }
    return own;
  }

  private static boolean waitUntil(BooleanSupplier condition, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleepUntil(System.nanoTime() + 10_000_000L);
    }
    return true;
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      try {
        Thread.sleep(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during a fault scenario", e);
      }
    }
  }
}
