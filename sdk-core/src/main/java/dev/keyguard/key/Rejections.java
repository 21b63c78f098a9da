package dev.keyguard.key;

import dev.keyguard.VersionedCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The memory of rejections of one key: which versions the API rejected recently (not offered again
 * within the cool-down), the outcome of the last rejection round (the alternates the provider
 * offered, newest first, reused within the cool-down instead of calling the backend again), and the
 * open episode, if any: the served version was rejected and the store had nothing else, so the key
 * re-checks the store at growing intervals until it has another version. Not thread-safe by itself:
 * guarded by the lock of its {@link RefreshingManagedKey}.
 */
final class Rejections {

  private final Duration cooldown;
  private final Map<String, Instant> rejectedAt = new LinkedHashMap<>();
  private @Nullable String roundVersion;
  private @Nullable Instant roundAt;
  private List<VersionedCredential> alternates = List.of();
  private @Nullable String episodeVersion;
  private @Nullable Instant episodeSince;
  private int episodeChecks;

  Rejections(Duration cooldown) {
    this.cooldown = cooldown;
  }

  /**
   * Remembers that the API rejected {@code version} now; forgets rejections past the cool-down.
   *
   * @return whether this is news: the version was not remembered as rejected and no episode is open
   *     for it (the one rejection of an episode that reports it)
   */
  boolean rejected(String version, Instant now) {
    boolean news = !isRejected(version, now) && !inEpisode(version);
    for (Iterator<Instant> it = rejectedAt.values().iterator(); it.hasNext(); ) {
      if (!now.isBefore(TimeMath.plusSaturated(it.next(), cooldown))) {
        it.remove();
      }
    }
    rejectedAt.put(version, now);
    return news;
  }

  /** Forgets a rejection of a version the API has just accepted, and ends its episode. */
  void accepted(String version) {
    rejectedAt.remove(version);
    if (inEpisode(version)) {
      endEpisode();
    }
  }

  /** Opens the episode of {@code version}: served, rejected, and the store had nothing else. */
  void openEpisode(String version, Instant now) {
    episodeVersion = version;
    episodeSince = now;
    episodeChecks = 0;
  }

  /** Whether an episode is open for {@code version}. */
  boolean inEpisode(String version) {
    return episodeVersion != null && episodeVersion.equals(version);
  }

  /** The version of the open episode, or null. */
  @Nullable String episodeVersion() {
    return episodeVersion;
  }

  /** When the open episode began; call only while one is open. */
  Instant episodeSince() {
    if (episodeSince == null) {
      throw new IllegalStateException("no rejection episode is open");
    }
    return episodeSince;
  }

  /** Counts one more check of the store in the open episode; returns the count, from 1. */
  int nextEpisodeCheck() {
    return ++episodeChecks;
  }

  /** Ends the open episode, if any. */
  void endEpisode() {
    episodeVersion = null;
    episodeSince = null;
    episodeChecks = 0;
  }

  /** Whether the API rejected {@code version} within the cool-down. */
  boolean isRejected(String version, Instant now) {
    Instant at = rejectedAt.get(version);
    return at != null && now.isBefore(TimeMath.plusSaturated(at, cooldown));
  }

  /** Whether the last round was for {@code version} and is recent enough to reuse its answer. */
  boolean hasRecentRound(String version, Instant now) {
    return roundVersion != null
        && roundAt != null
        && roundVersion.equals(version)
        && now.isBefore(TimeMath.plusSaturated(roundAt, cooldown));
  }

  /** Records the outcome of a round: the alternates the provider offered (newest first). */
  void roundDone(String version, Instant now, List<VersionedCredential> offered) {
    roundVersion = version;
    roundAt = now;
    alternates = List.copyOf(offered);
  }

  /** The alternates of the last round, newest first; empty before the first round. */
  List<VersionedCredential> alternates() {
    return alternates;
  }

  /** The alternate on offer with the same version as {@code c}, or null. */
  @Nullable VersionedCredential alternateLike(VersionedCredential c) {
    for (VersionedCredential alt : alternates) {
      if (alt.sameVersionAs(c)) {
        return alt;
      }
    }
    return null;
  }

  /** Drops the last round and the episode (on close). */
  void clear() {
    endEpisode();
    roundVersion = null;
    roundAt = null;
    alternates = List.of();
  }
}
