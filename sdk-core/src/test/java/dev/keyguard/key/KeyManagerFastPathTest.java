package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ManagedKey#current()} without a clock reading: untimed while nothing can expire, or until
 * the arming task half-way to the deadline; timed (a clock reading per call) after it, while a
 * refresh fails, and with a time source other than the system's unless the test opts in (its
 * scheduler runs on that time source).
 */
class KeyManagerFastPathTest {

  private final KeyManagerFixture f = new KeyManagerFixture();

  /** The fixture's fake clock, counting the wall-clock readings. */
  private final AtomicInteger readings = new AtomicInteger();

  private final TimeSource counting =
      new TimeSource() {
        @Override
        public Instant now() {
          readings.incrementAndGet();
          return f.clock.now();
        }

        @Override
        public long nanoTime() {
          return f.clock.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
          f.clock.sleep(duration);
        }
      };

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** The fake scheduler runs on the fake clock: the keys may arm their fast path on it. */
  private ManagedKey start() {
    ManagedKey key = f.start(f.builder().timeSource(counting).armFastPathForTesting()).key(KEY);
    key.current();
    return key;
  }

  @Test
  void current_withAnotherTimeSourceThanTheSystems_readsTheClockForAnExpiringKey() {
    Instant expiry = f.start.plus(Duration.ofMinutes(2));
    f.put(f.credential("1").expiresAt(expiry).build());
    ManagedKey key = f.start(f.builder().timeSource(counting)).key(KEY); // no opt-in
    key.current();

    assertThat(readingsDuring(key, 100)).isEqualTo(100);
    f.clock.set(expiry); // moving the clock alone (no task runs) expires it, as before
    f.backend.failWith(new KeyProviderUnavailableException("down (test)", KEY));
    assertThatThrownBy(key::current)
        .isInstanceOf(KeyProviderUnavailableException.class)
        .hasMessageContaining("expired");
  }

  @Test
  void current_withAnotherTimeSource_readsNoClockForAKeyWithoutExpiry() {
    f.put("1");
    ManagedKey key = f.start(f.builder().timeSource(counting)).key(KEY);
    key.current();

    assertThat(readingsDuring(key, 1_000)).isZero();
  }

  private int readingsDuring(ManagedKey key, int calls) {
    int before = readings.get();
    for (int i = 0; i < calls; i++) {
      key.current();
    }
    return readings.get() - before;
  }

  @Test
  void current_ofACredentialWithoutExpiry_readsNoClock() {
    VersionedCredential v1 = f.put("1");
    ManagedKey key = start();

    assertThat(readingsDuring(key, 1_000)).isZero();
    assertThat(key.current()).isSameAs(v1);
  }

  @Test
  void current_ofAnExpiringCredential_readsNoClockUntilHalfWayToTheExpiryThenOnEveryCall() {
    Instant expiry = f.start.plus(Duration.ofMinutes(2)); // refreshed at 90 s
    f.put(f.credential("1").expiresAt(expiry).build());
    ManagedKey key = start();

    assertThat(readingsDuring(key, 1_000)).isZero();
    f.scheduler.advance(Duration.ofMinutes(1).minusMillis(1));
    assertThat(readingsDuring(key, 1_000)).isZero();
    f.scheduler.advance(Duration.ofMillis(1)); // the arming task: 1 min before the expiry

    assertThat(readingsDuring(key, 1_000)).isEqualTo(1_000);
  }

  @Test
  void current_whenTheSchedulerStallsAfterArming_neverServesTheExpiredCredential() {
    Instant expiry = f.start.plus(Duration.ofMinutes(2));
    f.put(f.credential("1").expiresAt(expiry).build());
    ManagedKey key = start();
    f.backend.failWith(new KeyProviderUnavailableException("down (test)", KEY));
    f.scheduler.advance(Duration.ofMinutes(1)); // armed; then the scheduler runs nothing more

    f.clock.set(expiry);

    assertThatThrownBy(key::current)
        .isInstanceOf(KeyProviderUnavailableException.class)
        .hasMessageContaining("expired");
  }

  @Test
  void current_ofACredentialExpiringWithinTheMargin_readsTheClockOnEveryCall() {
    f.put(f.credential("1").expiresAt(f.start.plusSeconds(5)).build());
    ManagedKey key = start();

    assertThat(readingsDuring(key, 100)).isEqualTo(100);
    f.clock.set(f.start.plusSeconds(5));
    assertThatThrownBy(key::current).isInstanceOf(KeyProviderUnavailableException.class);
  }

  @Test
  void current_whileARefreshFails_readsTheClockSoThatTheStaleBoundHolds() {
    f.put("1");
    ManagedKey key = start();
    f.backend.failWith(new KeyProviderUnavailableException("down (test)", KEY));
    f.scheduler.advance(KeyManagerFixture.REFRESH); // the refresh fails: stale from now on

    assertThat(readingsDuring(key, 100)).isEqualTo(100);
  }

  @Test
  void current_whenANewVersionIsFetched_servesItAndCancelsTheOldArming() {
    Instant expiry = f.start.plus(Duration.ofMinutes(10));
    f.put(f.credential("1").expiresAt(expiry).build());
    ManagedKey key = start();
    VersionedCredential v2 = f.put("2"); // no expiry

    f.scheduler.advance(Duration.ofMinutes(5)); // the refresh at 5 min finds version 2 first

    assertThat(key.current()).isSameAs(v2);
    assertThat(readingsDuring(key, 1_000)).isZero();
    f.scheduler.advance(Duration.ofMinutes(10));
    assertThat(readingsDuring(key, 1_000)).isZero();
  }

  @Test
  void refresh_ofTheSameExpiringVersion_keepsTheOneArmingTaskInsteadOfSchedulingOnePerRefresh() {
    f.put(f.credential("1").expiresAt(f.start.plus(Duration.ofDays(1))).build());
    ManagedKey key = start();

    f.scheduler.advance(Duration.ofHours(1)); // twelve refreshes find version 1 again

    assertThat(f.backend.fetchCount()).isEqualTo(13);
    assertThat(f.scheduler.requestedDelays())
        .filteredOn(d -> !d.equals(KeyManagerFixture.REFRESH))
        .as("one arming task, half-way to the expiry")
        .containsExactly(Duration.ofHours(12));
    assertThat(readingsDuring(key, 1_000)).isZero();

    // at 12 h the task arms the view; the refresh due then finds version 1 again and publishes an
    // untimed view with a task of its own, half-way to the expiry again
    f.scheduler.advance(Duration.ofHours(11));
    assertThat(f.scheduler.requestedDelays())
        .filteredOn(d -> !d.equals(KeyManagerFixture.REFRESH))
        .containsExactly(Duration.ofHours(12), Duration.ofHours(6));
    assertThat(key.current().version()).isEqualTo("1");
  }
}
