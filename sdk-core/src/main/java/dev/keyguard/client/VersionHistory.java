package dev.keyguard.client;

import dev.keyguard.KeyId;
import dev.keyguard.TimeSource;
import dev.keyguard.key.ManagedKey;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * When each version of a key id was first accepted by an API (a response below 400), shared by
 * every client of the process: the version first accepted last is the one in use, and a version
 * accepted before it that is still used is a copy of a rotated-out key somewhere in this process.
 * Times are wall-clock epoch millis of the clients' time source; clients on different time sources
 * (a test's fake clock) keep separate histories, since their times do not compare. Lock-free reads;
 * the rare writes (once per version) synchronize on the history.
 */
final class VersionHistory {

  /** The first-accepted time of a version never accepted. */
  static final long NEVER = Long.MAX_VALUE;

  private static final Map<TimeSource, ConcurrentHashMap<KeyId, VersionHistory>> BY_TIME =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final ConcurrentHashMap<String, AtomicLong> firstAccepted = new ConcurrentHashMap<>();
  private volatile String newest = "";
  private volatile long newestSince = NEVER;
  private volatile WeakReference<@Nullable ManagedKey> newestKey = new WeakReference<>(null);

  private VersionHistory() {}

  /** The history of a key id among the clients on one time source; called once per key. */
  static VersionHistory of(TimeSource time, KeyId keyId) {
    return BY_TIME
        .computeIfAbsent(time, t -> new ConcurrentHashMap<>())
        .computeIfAbsent(keyId, k -> new VersionHistory());
  }

  /** The cell holding when a version was first accepted ({@link #NEVER} until then). */
  AtomicLong cell(String version) {
    return firstAccepted.computeIfAbsent(version, v -> new AtomicLong(NEVER));
  }

  /**
   * Records that a version was accepted at {@code nowMillis} by a client on {@code key}; only the
   * first time counts.
   */
  void accepted(String version, AtomicLong cell, long nowMillis, @Nullable ManagedKey key) {
    if (cell.get() != NEVER || !cell.compareAndSet(NEVER, nowMillis)) {
      return;
    }
    synchronized (this) {
      if (newestSince == NEVER || nowMillis >= newestSince) {
        newest = version;
        newestSince = nowMillis;
        newestKey = new WeakReference<>(key);
      }
    }
  }

  /**
   * The managed key of the client that first used the version accepted last (held weakly): where an
   * alert about a rotated-out copy is reported besides the client that used the copy.
   */
  @Nullable ManagedKey newestKey() {
    return newestKey.get();
  }

  /** The version accepted last. */
  String newest() {
    return newest;
  }

  /**
   * When the version accepted last was first accepted, if a version first accepted at {@code
   * firstAcceptedMillis} is older than it; else {@link #NEVER}.
   */
  long retiredSince(long firstAcceptedMillis) {
    long since = newestSince;
    return firstAcceptedMillis < since && since != NEVER ? since : NEVER;
  }
}
