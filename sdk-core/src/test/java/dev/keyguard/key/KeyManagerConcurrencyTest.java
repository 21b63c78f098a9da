package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.KEY;
import static dev.keyguard.key.KeyManagerFixture.REFRESH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyguard.VersionedCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Single flight and monotonic reads under real concurrency. Time comes from the fake clock and
 * background refreshes run when the test thread advances the fake scheduler, so the number of
 * refreshes is exact; the callers are real threads calling {@link ManagedKey#current()} meanwhile,
 * and in the hard-expiry and cold-start tests they make the fetch themselves.
 */
class KeyManagerConcurrencyTest {

  private static final int THREADS = 64;
  private static final int PERIODS = 100;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final KeyManagerFixture f = new KeyManagerFixture();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stop;
  private Callers callers;

  @AfterEach
  void tearDown() throws InterruptedException {
    stop = true;
    if (callers != null) {
      callers.phaser.forceTermination(); // frees callers parked between periods if a test failed
    }
    f.backend.releaseFetches();
    for (Thread t : threads) {
      t.join(WAIT.toMillis());
    }
    f.close();
  }

  /**
   * 64 callers that work in periods: when the test starts a period, each calls {@link
   * ManagedKey#current()} in a loop (yielding between calls) until it sees that period's version,
   * checks every answer, reports the period done and parks until the next one. So the callers
   * hammer the key exactly while the refresh (or blocking fetch) of the period is under way, and
   * leave the CPU to the test thread in between.
   */
  private final class Callers {
    final Phaser phaser = new Phaser(THREADS + 1);
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    final AtomicLong calls = new AtomicLong();

    Callers(ManagedKey key) {
      KeyManagerConcurrencyTest.this.callers = this;
      for (int i = 0; i < THREADS; i++) {
        int index = i;
        Thread t =
            new Thread(
                () -> {
                  try {
                    int last = -1;
                    for (int period = 0; period <= PERIODS && !stop; period++) {
                      phaser.arriveAndAwaitAdvance(); // the test started the period
                      while (last < period && !stop) {
                        VersionedCredential c = key.current();
                        calls.incrementAndGet();
                        if (c == null) {
                          violations.add("thread " + index + " saw null");
                          return;
                        }
                        int v = Integer.parseInt(c.version());
                        if (v < last) {
                          violations.add(
                              "thread " + index + " saw version " + v + " after " + last);
                        }
                        last = v;
                        Thread.yield();
                      }
                      phaser.arriveAndAwaitAdvance(); // tell the test: this period's version seen
                    }
                  } catch (Throwable e) {
                    errors.add(e); // asserted empty by the test
                  } finally {
                    phaser.arriveAndDeregister();
                  }
                },
                "caller-" + i);
        threads.add(t);
        t.start();
      }
    }

    /** Lets the callers loop on current() until they see the period's version. */
    void startPeriod() throws Exception {
      phaser.awaitAdvanceInterruptibly(phaser.arrive(), WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until every caller has seen the period's version. */
    void awaitPeriodDone() throws Exception {
      phaser.awaitAdvanceInterruptibly(phaser.arrive(), WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void current_from64ThreadsAcross100RefreshPeriods_callsTheProviderOncePerRefreshAndNeverGoesBack()
      throws Exception {
    f.put("0");
    ManagedKey key = f.startKey();
    Callers callers = new Callers(key);
    callers.startPeriod(); // period 0: the first fetch is a cold start among 64 threads
    callers.awaitPeriodDone();

    for (int period = 1; period <= PERIODS; period++) {
      f.put(Integer.toString(period));
      callers.startPeriod(); // all callers now call current() ...
      assertThat(f.scheduler.advance(REFRESH))
          .as("one refresh per period")
          .isEqualTo(1); // ... during the refresh
      callers.awaitPeriodDone();
    }

    assertThat(callers.errors).isEmpty();
    assertThat(callers.violations).isEmpty();
    assertThat(f.backend.fetchCount()).isEqualTo(PERIODS + 1);
    assertThat(f.backend.maxConcurrentFetches()).isEqualTo(1);
    assertThat(callers.calls.get()).isGreaterThanOrEqualTo((long) THREADS * (PERIODS + 1));
  }

  @Test
  void current_from64ThreadsPastEachHardExpiry_sharesOneBlockingFetchPerExpiry() throws Exception {
    Duration lifetime = Duration.ofMinutes(1);
    Instant start = f.start;
    f.put(f.credential("0").expiresAt(start.plus(lifetime)).build());
    ManagedKey key = f.startKey();
    Callers callers = new Callers(key);
    callers.startPeriod();
    callers.awaitPeriodDone();

    for (int period = 1; period <= PERIODS; period++) {
      f.put(
          f.credential(Integer.toString(period))
              .expiresAt(start.plus(lifetime.multipliedBy(period + 1L)))
              .build());
      callers.startPeriod();
      // Move the clock itself (the scheduled refresh does not run): every caller now finds the
      // served version expired and must block on a fetch, which exactly one of them makes.
      f.clock.set(start.plus(lifetime.multipliedBy(period)));
      callers.awaitPeriodDone();
    }

    assertThat(callers.errors).isEmpty();
    assertThat(callers.violations).isEmpty();
    assertThat(f.backend.fetchCount()).isEqualTo(PERIODS + 1);
    assertThat(f.backend.maxConcurrentFetches()).isEqualTo(1);
    assertThat(f.fetchThreads).allMatch(t -> t.getName().startsWith("caller-"));
  }

  @Test
  void current_onColdStartFromManyThreads_makesExactlyOneFetchThatAllShare() throws Exception {
    VersionedCredential v1 = f.put("1");
    f.backend.holdFetches();
    ManagedKey key = f.startKey();
    ConcurrentLinkedQueue<Object> results = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < THREADS; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                  results.add(key.current());
                } catch (Throwable e) {
                  results.add(e); // makes the identity assertion below fail
                }
              });
      threads.add(t);
      t.start();
    }
    go.countDown();

    // Every caller is parked: one inside the held fetch, the others waiting for it.
    await().atMost(WAIT).until(() -> f.backend.fetchesInProgress() == 1 && allWaiting());
    assertThat(f.backend.fetchCount()).isEqualTo(1);
    f.backend.releaseFetches();
    for (Thread t : threads) {
      t.join(WAIT.toMillis());
    }

    assertThat(results).hasSize(THREADS).allSatisfy(r -> assertThat(r).isSameAs(v1));
    assertThat(f.backend.fetchCount()).isEqualTo(1);
  }

  @Test
  void rejected_fromManyThreadsAtOnce_sharesOneForcedRefreshAndOneAlternatesCall()
      throws Exception {
    VersionedCredential v1 = f.put("1");
    VersionedCredential pending = f.credential("2").build();
    f.backend.putAlternates(KEY, List.of(pending));
    ManagedKey key = f.startKey();
    key.current();
    f.backend.holdFetches();
    ConcurrentLinkedQueue<Object> results = new ConcurrentLinkedQueue<>();
    int callers = 16;
    for (int i = 0; i < callers; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  results.add(key.rejected(v1));
                } catch (Throwable e) {
                  results.add(e);
                }
              });
      threads.add(t);
      t.start();
    }

    await().atMost(WAIT).until(() -> f.backend.fetchesInProgress() == 1 && allWaiting());
    f.backend.releaseFetches();
    for (Thread t : threads) {
      t.join(WAIT.toMillis());
    }

    assertThat(results)
        .hasSize(callers)
        .allSatisfy(r -> assertThat(r).isEqualTo(Optional.of(pending)));
    assertThat(f.backend.fetchCount()).as("cold start + one forced refresh").isEqualTo(2);
    assertThat(f.backend.alternateFetchCount()).isEqualTo(1);
  }

  private boolean allWaiting() {
    for (Thread t : threads) {
      if (t.getState() != Thread.State.WAITING) {
        return false;
      }
    }
    return true;
  }
}
