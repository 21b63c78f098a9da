package dev.keyguard.internal;

import java.time.Duration;

/**
 * Durations as people read them in messages: {@code 1 s}, {@code 250 ms}, {@code 5 min}, {@code 1 h
 * 30 min}, {@code 90 days}; never ISO-8601 ({@code PT1.00S}).
 */
public final class Durations {

  private Durations() {}

  /**
   * Renders a duration with at most two units, largest first; sub-second parts of durations under a
   * minute are kept to the millisecond.
   *
   * @param d the duration; may be negative
   * @return the text
   */
  public static String readable(Duration d) {
    if (d.isNegative()) {
      return "-" + readable(d.negated());
    }
    if (d.isZero()) {
      return "0 s";
    }
    long days = d.toDays();
    long hours = d.toHoursPart();
    long minutes = d.toMinutesPart();
    long seconds = d.toSecondsPart();
    long millis = d.toMillisPart();
    if (days > 0) {
      return hours == 0 ? plural(days, "day") : plural(days, "day") + " " + hours + " h";
    }
    if (hours > 0) {
      return minutes == 0 ? hours + " h" : hours + " h " + minutes + " min";
    }
    if (minutes > 0) {
      return seconds == 0 ? minutes + " min" : minutes + " min " + seconds + " s";
    }
    if (seconds > 0) {
      return millis == 0
          ? seconds + " s"
          : seconds + "." + String.format("%03d", millis).replaceAll("0+$", "") + " s";
    }
    if (millis > 0) {
      return millis + " ms";
    }
    long micros = d.toNanos() / 1_000;
    return micros > 0 ? micros + " µs" : d.toNanos() + " ns";
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
