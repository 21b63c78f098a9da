package dev.keyguard.client;

import dev.keyguard.TimeSource;
import java.io.InterruptedIOException;
import java.time.Duration;
import okhttp3.Call;

/**
 * A wait on the client's {@link TimeSource} that gives up when the call is canceled: it sleeps in
 * slices of at most {@link #SLICE} and checks {@link Call#isCanceled()} before each, so a canceled
 * call stops waiting for a retry or a rate-limit turn promptly.
 */
final class CancellableSleep {

  /** The longest single sleep. */
  static final Duration SLICE = Duration.ofMillis(50);

  private CancellableSleep() {}

  /**
   * Waits for the duration, or less if the call is canceled (then throws).
   *
   * @param time the time source that sleeps and measures
   * @param duration how long; zero or negative returns at once
   * @param call the call that waits
   * @throws InterruptedIOException if the thread is interrupted or the call canceled
   */
  static void sleep(TimeSource time, Duration duration, Call call) throws InterruptedIOException {
    long deadline = time.nanoTime() + duration.toNanos();
    try {
      for (long left = duration.toNanos(); left > 0; left = deadline - time.nanoTime()) {
        if (call.isCanceled()) {
          throw new InterruptedIOException("canceled while waiting to retry");
        }
        time.sleep(Duration.ofNanos(Math.min(left, SLICE.toNanos())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry");
    }
  }
}
