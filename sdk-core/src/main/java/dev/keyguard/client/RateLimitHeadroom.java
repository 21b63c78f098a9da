package dev.keyguard.client;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to read the headroom left in a provider's rate limit from one of its response headers, for
 * the usage monitor's headroom figure and its low-headroom detector ({@link
 * UsageOptions.Builder#headroomThreshold(double)}).
 *
 * <p>Two kinds of header exist: those that report what was used ({@code X-MBX-USED-WEIGHT-1M: 412}
 * against Binance's 6,000 weight per minute) and those that report what is left ({@code
 * x-ratelimit-remaining: 17}, with the limit in a sibling header such as {@code x-ratelimit-limit}
 * or known in advance). A value that is not a non-negative integer is ignored and counted ({@link
 * UsageSnapshot.Headroom#malformed()}), never thrown.
 *
 * <pre>{@code
 * RateLimitHeadroom binance = RateLimitHeadroom.used("X-MBX-USED-WEIGHT-1M", 6000);
 * RateLimitHeadroom generic = RateLimitHeadroom.remaining("x-ratelimit-remaining", "x-ratelimit-limit");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class RateLimitHeadroom {

  private final String header;
  private final boolean reportsUsed;
  private final long limit;
  private final @Nullable String limitHeader;

  private RateLimitHeadroom(
      String header, boolean reportsUsed, long limit, @Nullable String limitHeader) {
    this.header = header;
    this.reportsUsed = reportsUsed;
    this.limit = limit;
    this.limitHeader = limitHeader;
  }

  /**
   * A header that reports the amount used of a fixed limit.
   *
   * @param header the header name, such as {@code X-MBX-USED-WEIGHT-1M}
   * @param limit the limit it counts against, such as 6000
   * @return the headroom source
   * @throws IllegalArgumentException if the name is blank or the limit is not positive
   */
  public static RateLimitHeadroom used(String header, long limit) {
    return new RateLimitHeadroom(name(header, "header"), true, positive(limit), null);
  }

  /**
   * A header that reports what is left of a fixed limit.
   *
   * @param header the header name, such as {@code x-ratelimit-remaining}
   * @param limit the limit, such as 30 (requests per minute)
   * @return the headroom source
   * @throws IllegalArgumentException if the name is blank or the limit is not positive
   */
  public static RateLimitHeadroom remaining(String header, long limit) {
    return new RateLimitHeadroom(name(header, "header"), false, positive(limit), null);
  }

  /**
   * A header that reports what is left of a limit that another header of the same response reports;
   * a response without the limit header gives no reading.
   *
   * @param header the header name, such as {@code x-ratelimit-remaining}
   * @param limitHeader the header with the limit, such as {@code x-ratelimit-limit}
   * @return the headroom source
   * @throws IllegalArgumentException if a name is blank
   */
  public static RateLimitHeadroom remaining(String header, String limitHeader) {
    return new RateLimitHeadroom(
        name(header, "header"), false, 0, name(limitHeader, "limitHeader"));
  }

  /**
   * The header read.
   *
   * @return the header name as given
   */
  public String header() {
    return header;
  }

  /**
   * Whether the header reports what was used (rather than what is left).
   *
   * @return true for a "used" header
   */
  public boolean reportsUsed() {
    return reportsUsed;
  }

  /**
   * The fixed limit; 0 when the limit comes from {@link #limitHeader()}.
   *
   * @return the limit, or 0
   */
  public long limit() {
    return limit;
  }

  /**
   * The header that carries the limit, if the limit is not fixed.
   *
   * @return the header name, or null
   */
  public @Nullable String limitHeader() {
    return limitHeader;
  }

  /**
   * The fraction left, from a header value and the limit header's value; -1 when the values do not
   * give one (malformed, or no limit).
   */
  double fractionLeft(@Nullable String value, @Nullable String limitValue) {
    long v = parse(value);
    long max = limitHeader == null ? limit : parse(limitValue);
    if (v < 0 || max <= 0) {
      return -1;
    }
    long left = reportsUsed ? max - v : v;
    return Math.max(0, Math.min(1, (double) left / max));
  }

  /** A non-negative decimal integer (up to 18 digits), or -1; allocation-free. */
  static long parse(@Nullable String value) {
    if (value == null) {
      return -1;
    }
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) == ' ') {
      start++;
    }
    while (end > start && value.charAt(end - 1) == ' ') {
      end--;
    }
    if (start == end || end - start > 18) {
      return -1;
    }
    long n = 0;
    for (int i = start; i < end; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimitHeadroom other
        && header.equalsIgnoreCase(other.header)
        && reportsUsed == other.reportsUsed
        && limit == other.limit
        && Objects.equals(
            limitHeader == null ? null : limitHeader.toLowerCase(Locale.ROOT),
            other.limitHeader == null ? null : other.limitHeader.toLowerCase(Locale.ROOT));
  }

  @Override
  public int hashCode() {
    return Objects.hash(header.toLowerCase(Locale.ROOT), reportsUsed, limit);
  }

  /** Names the header and how its value is read. */
  @Override
  public String toString() {
    return header
        + (reportsUsed ? " used of " : " left of ")
        + (limitHeader != null ? limitHeader : Long.toString(limit));
  }

  private static String name(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return name.strip();
  }

  private static long positive(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    return limit;
  }
}
