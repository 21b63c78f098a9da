package dev.keyguard.key;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a key is refreshed: the delay after a successful fetch, and the delay after a failed one. A
 * strategy apart from the key's state, in the manner of Spring Vault's {@code RefreshTrigger}; the
 * key asks it each time it schedules, and never mutates it.
 *
 * <p>Implementations are thread-safe: one schedule serves every key of a {@link KeyManager}.
 */
interface RefreshSchedule {

  /**
   * The delay from a successful fetch to the next refresh.
   *
   * @param remainingLifetime how long the soonest-expiring credential the key holds still lives, if
   *     any expires in the future
   */
  Duration refreshDelay(Optional<Duration> remainingLifetime);

  /**
   * The delay from a failed fetch to the next attempt.
   *
   * @param failedAttempt the number of consecutive failed attempts so far, from 1
   */
  Duration retryDelay(int failedAttempt);

  /**
   * The delay before the next check of the store while the served version stays rejected and the
   * store had nothing else (the API took the new key before the store had it): {@link
   * #RECHECK_FIRST}, doubling with each check, capped at {@code cap} (never below the first),
   * jittered like the other delays.
   *
   * @param check the number of the coming check in this episode, from 1
   * @param cap the longest delay
   */
  Duration recheckDelay(int check, Duration cap);

  /** The first re-check of the store comes this long after a rejection the store could not fix. */
  Duration RECHECK_FIRST = Duration.ofMillis(500);

  /**
   * The schedule of {@link KeyManager}: {@code refreshAfter}, or at most {@link #LIFETIME_FRACTION}
   * of the remaining lifetime, jittered, and never after the expiry; retries back off exponentially
   * from {@code backoffMin} to {@code backoffMax}, jittered.
   */
  static RefreshSchedule jittered(
      Duration refreshAfter,
      double jitter,
      RandomGenerator random,
      Duration backoffMin,
      Duration backoffMax) {
    return new Jittered(refreshAfter, jitter, random, backoffMin, backoffMax);
  }

  /** A refresh comes at most this fraction of the remaining lifetime after a fetch. */
  double LIFETIME_FRACTION = 0.75;

  /** The default schedule; see {@link RefreshSchedule#jittered}. */
  final class Jittered implements RefreshSchedule {
    private final Duration refreshAfter;
    private final double jitter;
    private final RandomGenerator random; // guarded by itself
    private final Duration backoffMin;
    private final Duration backoffMax;

    private Jittered(
        Duration refreshAfter,
        double jitter,
        RandomGenerator random,
        Duration backoffMin,
        Duration backoffMax) {
      this.refreshAfter = Objects.requireNonNull(refreshAfter, "refreshAfter");
      this.jitter = jitter;
      this.random = Objects.requireNonNull(random, "random");
      this.backoffMin = Objects.requireNonNull(backoffMin, "backoffMin");
      this.backoffMax = Objects.requireNonNull(backoffMax, "backoffMax");
    }

    @Override
    public Duration refreshDelay(Optional<Duration> remainingLifetime) {
      Duration base = refreshAfter;
      if (remainingLifetime.isPresent()) {
        Duration untilExpiry = remainingLifetime.get();
        Duration fraction =
            Duration.ofNanos((long) (TimeMath.saturatedNanos(untilExpiry) * LIFETIME_FRACTION));
        if (fraction.compareTo(base) < 0) {
          base = fraction;
        }
      }
      Duration delay = jittered(base);
      if (remainingLifetime.isPresent()) {
        Duration untilExpiry = remainingLifetime.get();
        Duration floor = TimeMath.min(backoffMin, untilExpiry);
        if (delay.compareTo(untilExpiry) > 0) {
          delay = untilExpiry;
        }
        if (delay.compareTo(floor) < 0) {
          delay = floor;
        }
      }
      return delay;
    }

    @Override
    public Duration retryDelay(int failedAttempt) {
      long min = TimeMath.saturatedNanos(backoffMin);
      long max = TimeMath.saturatedNanos(backoffMax);
      int shift = Math.min(Math.max(failedAttempt - 1, 0), 62);
      long base = min > (max >> shift) ? max : Math.min(max, min << shift);
      Duration jittered = jittered(Duration.ofNanos(base));
      return jittered.compareTo(backoffMax) > 0 ? backoffMax : jittered;
    }

    @Override
    public Duration recheckDelay(int check, Duration cap) {
      long first = TimeMath.saturatedNanos(RECHECK_FIRST);
      long max = Math.max(first, TimeMath.saturatedNanos(cap));
      int shift = Math.min(Math.max(check - 1, 0), 62);
      long base = first > (max >> shift) ? max : Math.min(max, first << shift);
      Duration jittered = jittered(Duration.ofNanos(base));
      return jittered.compareTo(Duration.ofNanos(max)) > 0 ? Duration.ofNanos(max) : jittered;
    }

    /** Spreads a delay uniformly over ±jitter around itself. */
    private Duration jittered(Duration base) {
      if (jitter == 0) {
        return base;
      }
      double factor = 1 + jitter * (2 * nextRandom() - 1);
      return Duration.ofNanos(Math.max(0, (long) (TimeMath.saturatedNanos(base) * factor)));
    }

    /** A uniform random number in [0, 1); the generator is shared by every key of a manager. */
    private double nextRandom() {
      synchronized (random) {
        return random.nextDouble();
      }
    }
  }
}
