package dev.keyguard.client;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import okhttp3.Call;

/**
 * Time as the client sees it: a monotonic ticker for budgets and rate limits, a wall clock for
 * HTTP dates, and a sleep that gives up when the call is canceled. Tests replace it so that
 * backoff and {@code Retry-After} are checked without waiting.
 */
interface TimeSource {

  /** The longest single sleep slice, so a canceled call stops waiting promptly. */
  long SLICE_NANOS = Duration.ofMillis(50).toNanos();

  /** The system time source. */
  TimeSource SYSTEM =
      new TimeSource() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public Instant now() {
          return Instant.now();
        }

        @Override
        public void sleep(Duration duration, Call call) throws InterruptedIOException {
          long deadline = System.nanoTime() + duration.toNanos();
          try {
            for (long left = duration.toNanos(); left > 0; left = deadline - System.nanoTime()) {
              if (call != null && call.isCanceled()) {
                throw new InterruptedIOException("canceled while waiting to retry");
              }
              long slice = Math.min(left, SLICE_NANOS);
              Thread.sleep(slice / 1_000_000L, (int) (slice % 1_000_000L));
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
          }
        }
      };

  /**
   * A monotonic reading in nanoseconds, for elapsed times only.
   *
   * @return the reading
   */
  long nanoTime();

  /**
   * The wall-clock time, for HTTP dates.
   *
   * @return now
   */
  Instant now();

  /**
   * Waits for the duration, or less if the call is canceled (then throws).
   *
   * @param duration how long; zero or negative returns at once
   * @param call the call that waits; may be null
   * @throws InterruptedIOException if the thread is interrupted or the call canceled
   */
  void sleep(Duration duration, Call call) throws InterruptedIOException;
}
