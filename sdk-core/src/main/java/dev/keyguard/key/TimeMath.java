package dev.keyguard.key;

import dev.keyguard.TimeSource;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** Saturating time arithmetic for the key path: settings may be huge, the sums never throw. */
final class TimeMath {

  private TimeMath() {}

  static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  static Instant plusSaturated(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }

  static long toMillisFloor(Instant t) {
    try {
      return t.toEpochMilli(); // floors: the fast path stops serving no later than the instant
    } catch (ArithmeticException e) {
      return t.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  static <T extends Comparable<? super T>> T min(T a, T b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The reading of {@code time} at which a wait of {@code timeout} from now ends. */
  static long deadlineNanos(TimeSource time, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    long now = time.nanoTime();
    long nanos = saturatedNanos(timeout);
    return nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
  }
}
