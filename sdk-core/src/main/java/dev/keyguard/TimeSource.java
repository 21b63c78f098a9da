package dev.keyguard;

import java.time.Duration;
import java.time.Instant;

/**
 * The one source of time in KeyGuard: wall-clock time (for expiry, key age, HTTP dates and
 * signatures), a monotonic reading (for elapsed times, budgets and rate limits) and sleeping.
 *
 * <p>Every component that needs time takes a {@code TimeSource} from its builder and defaults to
 * {@link #system()}; nothing in KeyGuard reads the system clock or sleeps in any other way. Tests
 * inject the fake in {@code keyguard-testing} ({@code dev.keyguard.testing.FakeClock}) to check
 * refresh, staleness, expiry, backoff and {@code Retry-After} without waiting.
 *
 * <p>Implementations must be thread-safe.
 */
public interface TimeSource {

  /**
   * The system's time: {@link Instant#now()}, {@link System#nanoTime()} and {@link Thread#sleep}.
   *
   * @return the system time source
   */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }

  /**
   * The wall-clock time.
   *
   * @return now
   */
  Instant now();

  /**
   * A monotonic reading in nanoseconds, meaningful only as the difference of two readings.
   *
   * @return the reading
   */
  long nanoTime();

  /**
   * Waits for the duration.
   *
   * @param duration how long; zero or negative returns at once
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
