package dev.keyguard.client;

import dev.keyguard.KeyId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each version of a key id was first accepted by an API (a response below 400), shared by
 * every client of the process: the version first accepted last is the one in use, and a version
 * accepted before it that is still used is a copy of a rotated-out key somewhere in this process.
 * Times are wall-clock epoch millis (clients may have different time sources). Lock-free reads;
 * the rare writes (once per version) synchronize on the history.
 */
final class VersionHistory {

  /** The first-accepted time of a version never accepted. */
  static final long NEVER = Long.MAX_VALUE;

  private static final ConcurrentHashMap<KeyId, VersionHistory> ALL = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<String, AtomicLong> firstAccepted = new ConcurrentHashMap<>();
  private volatile String newest = "";
  private volatile long newestSince = NEVER;

  private VersionHistory() {}

  static VersionHistory of(KeyId keyId) {
    return ALL.computeIfAbsent(keyId, k -> new VersionHistory());
  }

  /** The cell holding when a version was first accepted ({@link #NEVER} until then). */
  AtomicLong cell(String version) {
    return firstAccepted.computeIfAbsent(version, v -> new AtomicLong(NEVER));
  }

  /** Records that a version was accepted at {@code nowMillis}; only the first time counts. */
  void accepted(String version, AtomicLong cell, long nowMillis) {
    if (cell.get() != NEVER || !cell.compareAndSet(NEVER, nowMillis)) {
      return;
    }
    synchronized (this) {
      if (newestSince == NEVER || nowMillis >= newestSince) {
        newest = version;
        newestSince = nowMillis;
      }
    }
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
