package dev.keyguard.testing;

import dev.keyguard.TimeSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fake {@link TimeSource} (also usable as a {@link Clock}): it stands still until the test
 * moves it, so that refresh times, staleness, expiry, backoff and {@code Retry-After} are tested
 * without sleeping. Its monotonic reading follows its wall-clock reading, and {@link #sleep}
 * returns at once after moving the clock forward by the duration. Thread-safe: many threads may
 * read it while the test thread moves it. Time never runs backwards unless the test calls {@link
 * #set(Instant)} with an earlier instant.
 *
 * <p>To run scheduled work as time passes, advance through a {@link FakeScheduler} instead of this
 * clock directly.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock();
 * clock.advance(Duration.ofMinutes(5));
 * }</pre>
 */
public final class FakeClock extends Clock implements TimeSource {

  /** Where a new clock starts: a fixed, arbitrary instant. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /** Creates a clock reading {@link #DEFAULT_START}, in UTC. */
  public FakeClock() {
    this(DEFAULT_START);
  }

  /**
   * Creates a clock reading the given instant, in UTC.
   *
   * @param start the initial reading
   */
  public FakeClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private FakeClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * Moves the clock forward.
   *
   * @param duration how far; not negative
   * @return the new reading
   */
  public Instant advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "a fake clock only moves forward with advance(): " + duration);
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  /**
   * Sets the reading.
   *
   * @param instant the new reading
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return reading();
  }

  @Override
  public Instant now() {
    return reading();
  }

  private Instant reading() {
    // never null: set only through requireNonNull, advanced only by plus
    return Objects.requireNonNull(now.get(), "now");
  }

  /** Nanoseconds since the epoch of the current reading, so elapsed times follow the clock. */
  @Override
  public long nanoTime() {
    Instant t = reading();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** Moves the clock forward by the duration (if positive) and returns at once. */
  @Override
  public void sleep(Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      return;
    }
    advance(duration);
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** Returns a view in another zone that shares this clock's reading. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new FakeClock(now, Objects.requireNonNull(zone, "zone"));
  }

  @Override
  public String toString() {
    return "FakeClock[" + now.get() + "]";
  }
}
