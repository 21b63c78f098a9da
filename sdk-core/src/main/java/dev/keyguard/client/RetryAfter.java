package dev.keyguard.client;

import java.time.Duration;
import java.time.Instant;
import okhttp3.Headers;
import org.jspecify.annotations.Nullable;

/** Parses {@code Retry-After}: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
final class RetryAfter {

  /** A parsed delay is capped at a day, far beyond any sensible maximum total wait. */
  static final Duration CAP = Duration.ofDays(1);

  private RetryAfter() {}

  /**
   * The delay a response asks for.
   *
   * @param headers the response headers
   * @param now the current wall-clock time, for an HTTP date
   * @return the delay (zero for a date in the past), or null if absent or unparseable
   */
  static @Nullable Duration parse(Headers headers, Instant now) {
    String value = headers.get("Retry-After");
    if (value == null) {
      return null;
    }
    String v = value.trim();
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (v.length() > 6) {
        return CAP;
      }
      Duration d = Duration.ofSeconds(Long.parseLong(v));
      return d.compareTo(CAP) > 0 ? CAP : d;
    }
    Instant at = headers.getInstant("Retry-After");
    if (at == null) {
      return null;
    }
    Duration d = Duration.between(now, at);
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(CAP) > 0 ? CAP : d;
  }
}
