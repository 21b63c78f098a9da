package dev.keyguard.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;

/** A time source whose sleeps return at once, advance the clock and are recorded. */
final class FakeTime implements TimeSource {

  static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

  private final AtomicLong elapsedNanos = new AtomicLong();
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  @Override
  public long nanoTime() {
    return elapsedNanos.get();
  }

  @Override
  public Instant now() {
    return START.plusNanos(elapsedNanos.get());
  }

  @Override
  public void sleep(Duration duration, Call call) {
    sleeps.add(duration);
    advance(duration);
  }

  void advance(Duration d) {
    elapsedNanos.addAndGet(d.toNanos());
  }

  Duration totalSlept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
