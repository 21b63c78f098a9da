package dev.keyguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeSchedulerTest {

  private final FakeClock clock = new FakeClock();
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final Instant start = clock.instant();

  @Test
  void advance_runsDueTasksInOrderWithTheClockAtTheirDueTime() {
    List<String> ran = new ArrayList<>();
    scheduler.schedule(
        () -> ran.add("b@" + Duration.between(start, clock.instant()).toSeconds()),
        20,
        TimeUnit.SECONDS);
    scheduler.schedule(
        () -> ran.add("a@" + Duration.between(start, clock.instant()).toSeconds()),
        10,
        TimeUnit.SECONDS);
    scheduler.schedule(() -> ran.add("c"), 31, TimeUnit.SECONDS);

    assertThat(scheduler.advance(Duration.ofSeconds(30))).isEqualTo(2);

    assertThat(ran).containsExactly("a@10", "b@20");
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(30));
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
    assertThat(scheduler.nextDelay()).contains(Duration.ofSeconds(1));
  }

  @Test
  void advance_runsTasksScheduledByTasksWhenTheyFallDueInTheInterval() {
    List<Instant> ran = new ArrayList<>();
    scheduler.schedule(
        () -> {
          ran.add(clock.instant());
          scheduler.schedule(() -> ran.add(clock.instant()), 5, TimeUnit.SECONDS);
        },
        5,
        TimeUnit.SECONDS);

    scheduler.advance(Duration.ofSeconds(10));

    assertThat(ran).containsExactly(start.plusSeconds(5), start.plusSeconds(10));
  }

  @Test
  void cancel_removesTheTask() {
    List<String> ran = new ArrayList<>();
    ScheduledFuture<?> f = scheduler.schedule(() -> ran.add("x"), 1, TimeUnit.SECONDS);

    assertThat(f.cancel(false)).isTrue();
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(ran).isEmpty();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void scheduleAtFixedRate_repeatsEveryPeriod() {
    List<Instant> ran = new ArrayList<>();
    scheduler.scheduleAtFixedRate(() -> ran.add(clock.instant()), 1, 2, TimeUnit.SECONDS);

    scheduler.advance(Duration.ofSeconds(6));

    assertThat(ran)
        .containsExactly(start.plusSeconds(1), start.plusSeconds(3), start.plusSeconds(5));
  }

  @Test
  void advance_whenATaskThrows_throwsWithTheCause() {
    IllegalArgumentException boom = new IllegalArgumentException("boom");
    scheduler.execute(
        () -> {
          throw boom;
        });

    assertThatThrownBy(scheduler::runDueTasks)
        .isInstanceOf(IllegalStateException.class)
        .hasCause(boom);
  }

  @Test
  void shutdown_dropsPendingTasksAndRejectsNewOnes() {
    scheduler.schedule(() -> {}, 1, TimeUnit.SECONDS);

    scheduler.shutdown();

    assertThat(scheduler.isShutdown()).isTrue();
    assertThat(scheduler.isTerminated()).isTrue();
    assertThatThrownBy(() -> scheduler.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void requestedDelays_recordsEveryDelayAsked() {
    scheduler.schedule(() -> {}, 1500, TimeUnit.MILLISECONDS);
    scheduler.execute(() -> {});

    assertThat(scheduler.requestedDelays()).containsExactly(Duration.ofMillis(1500), Duration.ZERO);
  }
}
