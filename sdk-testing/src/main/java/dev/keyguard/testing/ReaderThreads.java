package dev.keyguard.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed number of threads that call one action in a loop until closed, and count what a load or
 * fault test asserts on: calls, failures, the slowest call. For "16 threads read the key while the
 * vault is slow" and the like:
 *
 * <pre>{@code
 * try (ReaderThreads readers = ReaderThreads.start(16, "reader", key::current)) {
 *   // ... inject the fault, wait, clear it ...
 *   readers.close();
 *   assertThat(readers.failures()).isZero();
 *   assertThat(readers.slowest()).isLessThan(Duration.ofMillis(100));
 * }
 * }</pre>
 *
 * <p>Each thread pauses {@code pause} between calls (200 µs by default) so that a small machine is
 * not saturated by the readers themselves. The threads are daemons named {@code prefix-N}. The
 * first 20 failures are kept ({@link #failureSample()}); everything else is counted. Thread-safe.
 */
public final class ReaderThreads implements AutoCloseable {

  private static final int SAMPLE = 20;

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong slowestNanos = new AtomicLong();
  private final AtomicLong leftInterrupted = new AtomicLong();
  private final List<Throwable> sample = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  private ReaderThreads(int count, String prefix, Callable<?> action, Duration pause) {
    long pauseNanos = pause.toNanos();
    for (int i = 0; i < count; i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  long start = System.nanoTime();
                  try {
                    action.call();
                  } catch (Exception | Error e) {
                    failures.incrementAndGet();
                    if (sample.size() < SAMPLE) {
                      sample.add(e);
                    }
                  }
                  long took = System.nanoTime() - start;
                  if (Thread.interrupted()) {
                    // the action left the interrupt flag set: count it, clear it, go on
                    leftInterrupted.incrementAndGet();
                  }
                  calls.incrementAndGet();
                  slowestNanos.accumulateAndGet(took, Math::max);
                  if (pauseNanos > 0) {
                    LockSupport.parkNanos(pauseNanos);
                  }
                }
              },
              prefix + "-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
  }

  /**
   * Starts {@code count} threads that call {@code action} in a loop, 200 µs apart.
   *
   * @param count how many threads; positive
   * @param prefix the threads' name prefix
   * @param action what each thread calls; a thrown exception counts as a failure
   * @return the running threads
   */
  public static ReaderThreads start(int count, String prefix, Callable<?> action) {
    return start(count, prefix, action, Duration.ofNanos(200_000));
  }

  /**
   * Starts {@code count} threads that call {@code action} in a loop, {@code pause} apart.
   *
   * @param count how many threads; positive
   * @param prefix the threads' name prefix
   * @param action what each thread calls; a thrown exception counts as a failure
   * @param pause the pause of each thread between two calls; zero for none
   * @return the running threads
   */
  public static ReaderThreads start(int count, String prefix, Callable<?> action, Duration pause) {
    if (count <= 0) {
      throw new IllegalArgumentException("count must be positive, was " + count);
    }
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(action, "action");
    if (pause.isNegative()) {
      throw new IllegalArgumentException("pause must not be negative, was " + pause);
    }
    return new ReaderThreads(count, prefix, action, pause);
  }

  /**
   * Calls made so far, failed or not.
   *
   * @return the count
   */
  public long calls() {
    return calls.get();
  }

  /**
   * Calls that threw.
   *
   * @return the count
   */
  public long failures() {
    return failures.get();
  }

  /**
   * Calls that returned or threw with the calling thread's interrupt flag set, although nothing
   * interrupted the thread: the action (a timeout mapped to an interrupt, say) poisons its caller's
   * next blocking call. The flag is cleared after each such call.
   *
   * @return the count
   */
  public long leftInterrupted() {
    return leftInterrupted.get();
  }

  /**
   * The first failures (at most 20), for an assertion message.
   *
   * @return a copy
   */
  public List<Throwable> failureSample() {
    return List.copyOf(sample);
  }

  /**
   * The slowest call so far.
   *
   * @return its duration
   */
  public Duration slowest() {
    return Duration.ofNanos(slowestNanos.get());
  }

  /**
   * Tells whether every thread has ended (after {@link #close()}).
   *
   * @return true once all have ended
   */
  public boolean allEnded() {
    return threads.stream().noneMatch(Thread::isAlive);
  }

  /**
   * Stops the threads and waits up to 10 seconds for each to end. Idempotent.
   *
   * @throws IllegalStateException if a thread is still running after that (it is blocked in the
   *     action: the failure a test wants to see)
   */
  @Override
  public void close() {
    stop.set(true);
    List<String> stuck = new ArrayList<>();
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (t.isAlive()) {
        stuck.add(t.getName());
      }
    }
    if (!stuck.isEmpty()) {
      throw new IllegalStateException("reader threads still blocked after 10 s: " + stuck);
    }
  }

  /** Returns the counts. */
  @Override
  public String toString() {
    return "ReaderThreads[threads="
        + threads.size()
        + ", calls="
        + calls.get()
        + ", failures="
        + failures.get()
        + ", slowest="
        + slowest().toMillis()
        + " ms]";
  }
}
