package dev.keyguard;

import java.time.Duration;
import java.time.Instant;

/** The system's time; the only place in KeyGuard that reads the system clocks or sleeps. */
enum SystemTimeSource implements TimeSource {
  INSTANCE;

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (duration.isNegative() || duration.isZero()) {
      return;
    }
    long nanos = duration.toNanos();
    Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
  }

  @Override
  public String toString() {
    return "TimeSource.system()";
  }
}
