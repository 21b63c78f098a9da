package dev.keyguard.client;

import dev.keyguard.TimeSource;
import java.io.InterruptedIOException;
import java.time.Duration;
import okhttp3.Call;

/**
 * A client-side limit of at most N requests in any window of one interval (a sliding log of the
 * last N send times). A request over the limit waits for its turn: the turn is reserved under a
 * lock, and the wait happens outside it, so waiting callers are served in reservation order.
 * Thread-safe.
 */
final class ClientRateLimiter {

  /** The largest N, so the log stays small. */
  static final int MAX_REQUESTS = 100_000;

  private final int requests;
  private final Duration interval;
  private final long intervalNanos;
  private final TimeSource time;
  private final long[] sendTimes;
  private int next;
  private int used;

  ClientRateLimiter(int requests, Duration interval, TimeSource time) {
    this.requests = requests;
    this.interval = interval;
    this.intervalNanos = interval.toNanos();
    this.time = time;
    this.sendTimes = new long[requests];
  }

  int requests() {
    return requests;
  }

  Duration interval() {
    return interval;
  }

  /**
   * Reserves the next turn.
   *
   * @return how long the caller must wait before sending, zero if it may send now
   */
  synchronized Duration reserve() {
    long now = time.nanoTime();
    long at = now;
    if (used == requests) {
      // the oldest of the last N sends; the new one may go one interval after it
      long earliest = sendTimes[next] + intervalNanos;
      if (earliest - now > 0) {
        at = earliest;
      }
    } else {
      used++;
    }
    sendTimes[next] = at;
    next = (next + 1) % requests;
    long wait = at - now;
    return wait > 0 ? Duration.ofNanos(wait) : Duration.ZERO;
  }

  /** Reserves a turn and waits for it. */
  void acquire(Call call) throws InterruptedIOException {
    Duration wait = reserve();
    if (!wait.isZero()) {
      CancellableSleep.sleep(time, wait, call);
    }
  }
}
