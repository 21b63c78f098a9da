package dev.keyguard.key;

import dev.keyguard.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything a key needs from its {@link KeyManager}, as one immutable value built once per
 * manager: the time source and scheduler it runs on, when to refresh, how long to serve stale, the
 * rejection cool-down, the lifetime warnings and where events go.
 *
 * @param time the time source for every reading: refresh times, staleness, expiry, events
 * @param scheduler runs refreshes, retries and warm-up fetches
 * @param schedule when to refresh after a success and retry after a failure
 * @param maxStale how long the last good credential is served while refreshes fail, from the last
 *     successful fetch
 * @param rejectionCooldown how long a rejection of a version is remembered
 * @param expiringSoon how close to its expiry a served version fires {@link
 *     KeyEvent.KeyExpiringSoon}; zero turns it off
 * @param maxKeyAge the age beyond which a served version fires {@link KeyEvent.KeyTooOld}
 * @param serveStaleWhenNotFoundOrDenied whether "not found" or "denied" answers keep the last good
 *     credential served up to {@code maxStale}
 * @param events where the keys' events go
 */
record KeyPolicy(
    TimeSource time,
    ScheduledExecutorService scheduler,
    RefreshSchedule schedule,
    Duration maxStale,
    Duration rejectionCooldown,
    Duration expiringSoon,
    Duration maxKeyAge,
    boolean serveStaleWhenNotFoundOrDenied,
    KeyEventDispatch events) {

  KeyPolicy {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(maxStale, "maxStale");
    Objects.requireNonNull(rejectionCooldown, "rejectionCooldown");
    Objects.requireNonNull(expiringSoon, "expiringSoon");
    Objects.requireNonNull(maxKeyAge, "maxKeyAge");
    Objects.requireNonNull(events, "events");
  }
}
