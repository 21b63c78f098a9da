package dev.keyguard.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A deterministic {@link ScheduledExecutorService} driven by a {@link FakeClock}: nothing runs
 * until the test calls {@link #advance(Duration)} or {@link #runDueTasks()}, and then due tasks run
 * one after another, in order of due time (then submission), <em>on the test thread</em>, with the
 * clock set to each task's due time while it runs. Refresh, backoff and expiry can thus be tested
 * without sleeping and without races.
 *
 * <p>Tasks may be submitted from any thread (the class is thread-safe); they still run only on the
 * thread that advances. A task that throws makes {@code advance} throw {@link
 * IllegalStateException} with the failure as cause, so that a broken background task cannot go
 * unnoticed. {@link #execute(Runnable)} and {@code submit} schedule with zero delay.
 *
 * <p>Moving the clock by hand ({@link FakeClock#advance(Duration)}, {@link FakeClock#set(Instant)})
 * runs nothing: tasks whose due time has passed wait for the next {@link #advance(Duration)} (even
 * of zero) or {@link #runDueTasks()}, which runs them in order. Advance through the scheduler when
 * background work should see the time pass.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock();
 * FakeScheduler scheduler = new FakeScheduler(clock);
 * KeyManager keys = KeyManager.builder().provider(provider).timeSource(clock).scheduler(scheduler).build();
 * scheduler.advance(Duration.ofMinutes(5)); // runs the refresh that falls due
 * }</pre>
 */
public final class FakeScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {

  private static final int MAX_TASKS_PER_ADVANCE = 1_000_000;

  private final FakeClock clock;
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final List<Duration> requestedDelays = new ArrayList<>();
  private long sequence;
  private boolean shutdown;

  /**
   * Creates a scheduler on a clock.
   *
   * @param clock the clock that it reads and advances
   */
  public FakeScheduler(FakeClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The clock this scheduler reads and advances.
   *
   * @return the clock
   */
  public FakeClock clock() {
    return clock;
  }

  /**
   * Moves time forward by {@code duration}, running every task that falls due on the way (also
   * tasks that those tasks schedule), each with the clock at its due time; then sets the clock to
   * the end of the interval.
   *
   * @param duration how far to move; not negative
   * @return how many tasks ran
   * @throws IllegalStateException if a task threw
   */
  public int advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot advance by a negative duration: " + duration);
    }
    Instant target = clock.instant().plus(duration);
    int ran = 0;
    while (true) {
      Task<?> task;
      synchronized (this) {
        task = queue.peek();
        if (task == null || task.due.isAfter(target)) {
          break;
        }
        queue.poll();
        if (task.due.isAfter(clock.instant())) {
          clock.set(task.due);
        }
      }
      if (++ran > MAX_TASKS_PER_ADVANCE) {
        throw new IllegalStateException(
            "more than "
                + MAX_TASKS_PER_ADVANCE
                + " tasks in one advance: a task reschedules itself with no delay?");
      }
      task.runAndCheck();
    }
    if (clock.instant().isBefore(target)) {
      clock.set(target);
    }
    return ran;
  }

  /**
   * Moves time forward to {@code instant}, as {@link #advance(Duration)} does.
   *
   * @param instant the target; not before the clock's reading
   * @return how many tasks ran
   */
  public int advanceTo(Instant instant) {
    return advance(Duration.between(clock.instant(), instant));
  }

  /**
   * Runs the tasks due at the clock's current reading (for example after the test moved the {@link
   * FakeClock} itself), without moving time.
   *
   * @return how many tasks ran
   */
  public int runDueTasks() {
    return advance(Duration.ZERO);
  }

  /**
   * How many tasks are waiting (scheduled, not cancelled, not yet run).
   *
   * @return the number of pending tasks
   */
  public synchronized int pendingTasks() {
    return queue.size();
  }

  /**
   * The time from now until the earliest pending task is due.
   *
   * @return the delay, or empty if no task is pending
   */
  public synchronized Optional<Duration> nextDelay() {
    Task<?> next = queue.peek();
    return next == null
        ? Optional.empty()
        : Optional.of(Duration.between(clock.instant(), next.due));
  }

  /**
   * Every delay passed to a {@code schedule} method so far, in order.
   *
   * @return a copy of the requested delays
   */
  public synchronized List<Duration> requestedDelays() {
    return List.copyOf(requestedDelays);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<Void>(Executors.callable(command, null), delayOf(delay, unit), null));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, delayOf(delay, unit), null));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return enqueue(
        new Task<Void>(
            Executors.callable(command, null),
            delayOf(initialDelay, unit),
            positive(period, unit)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return enqueue(
        new Task<Void>(
            Executors.callable(command, null),
            delayOf(initialDelay, unit),
            positive(delay, unit).negated()));
  }

  @Override
  public void execute(Runnable command) {
    // the task is queued like any other; execute() has no future to hand back
    ScheduledFuture<?> unused = schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  /** Stops accepting tasks and drops the pending ones. */
  @Override
  public synchronized void shutdown() {
    shutdown = true;
    queue.clear();
  }

  /** Stops accepting tasks and returns the pending ones, which are dropped. */
  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> pending = new ArrayList<>(queue);
    queue.clear();
    return pending;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  /** Returns at once: nothing runs in the background. */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  @Override
  public synchronized String toString() {
    return "FakeScheduler["
        + clock.instant()
        + ", pending="
        + queue.size()
        + (shutdown ? ", shut down]" : "]");
  }

  private synchronized <V> Task<V> enqueue(Task<V> task) {
    if (shutdown) {
      throw new RejectedExecutionException("FakeScheduler is shut down");
    }
    queue.add(task);
    return task;
  }

  private synchronized Duration delayOf(long delay, TimeUnit unit) {
    Duration d = Duration.ofNanos(Math.max(0, unit.toNanos(delay)));
    requestedDelays.add(d);
    return d;
  }

  private static Duration positive(long period, TimeUnit unit) {
    if (period <= 0) {
      throw new IllegalArgumentException("period must be positive");
    }
    return Duration.ofNanos(unit.toNanos(period));
  }

  private synchronized void remove(Task<?> task) {
    queue.remove(task);
  }

  private synchronized void requeue(Task<?> task) {
    if (!shutdown) {
      queue.add(task);
    }
  }

  private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private volatile Instant due;
    private final long seq;

    /** Null for one-shot; positive for fixed rate; negative for fixed delay. */
    private final @Nullable Duration period;

    Task(Callable<V> callable, Duration delay, @Nullable Duration period) {
      super(callable);
      synchronized (FakeScheduler.this) {
        this.seq = sequence++;
      }
      this.due = clock.instant().plus(delay);
      this.period = period;
    }

    void runAndCheck() {
      Duration period = this.period;
      if (period != null) {
        if (runAndReset()) {
          due = period.isNegative() ? clock.instant().plus(period.negated()) : due.plus(period);
          requeue(this);
        } else if (!isCancelled()) {
          rethrow();
        }
      } else {
        run();
        if (!isCancelled()) {
          rethrow();
        }
      }
    }

    private void rethrow() {
      try {
        get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(
            "a task scheduled on the FakeScheduler threw", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public boolean isPeriodic() {
      return period != null;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), due));
    }

    @Override
    public int compareTo(Delayed other) {
      if (other instanceof Task<?> t) {
        int byDue = due.compareTo(t.due);
        return byDue != 0 ? byDue : Long.compare(seq, t.seq);
      }
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      remove(this);
      return cancelled;
    }
  }
}
