package dev.keyguard.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.KeyId;
import dev.keyguard.key.KeyEvent.UsageAnomaly;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a client's usage monitor has counted, at one moment ({@link KeyGuardClient#usage()}): totals
 * per key id, version and route template, per-key figures (recent rate, learned baseline, daily
 * budget, rate-limit headroom) and the anomalies in progress. Never a secret: versions appear by id
 * and fingerprint.
 *
 * <p>{@link #toString()} is one line, fit for a log; {@link #summary()} is a few lines for people;
 * {@link #toJson()} is the same figures as JSON. Immutable and thread-safe.
 */
public final class UsageSnapshot {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Instant at;
  private final List<Entry> entries;
  private final List<RouteTotals> routes;
  private final List<KeyTotals> keys;
  private final List<ActiveAlert> alerts;

  UsageSnapshot(
      Instant at,
      List<Entry> entries,
      List<RouteTotals> routes,
      List<KeyTotals> keys,
      List<ActiveAlert> alerts) {
    this.at = at;
    this.entries = List.copyOf(entries);
    this.routes = List.copyOf(routes);
    this.keys = List.copyOf(keys);
    this.alerts = List.copyOf(alerts);
  }

  static UsageSnapshot empty(Instant at) {
    return new UsageSnapshot(at, List.of(), List.of(), List.of(), List.of());
  }

  /**
   * When the snapshot was taken, by the client's time source.
   *
   * @return the time
   */
  public Instant at() {
    return at;
  }

  /**
   * The totals per key, version and route, in the order they were first seen.
   *
   * @return an unmodifiable list
   */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * The calls, attempts and retries per route (all keys together).
   *
   * @return an unmodifiable list
   */
  public List<RouteTotals> routes() {
    return routes;
  }

  /**
   * The per-key figures.
   *
   * @return an unmodifiable list
   */
  public List<KeyTotals> keys() {
    return keys;
  }

  /**
   * The anomalies in progress (alerted, not yet recovered).
   *
   * @return an unmodifiable list
   */
  public List<ActiveAlert> alerts() {
    return alerts;
  }

  /**
   * The attempts counted for one key, all versions and routes together.
   *
   * @param keyId the key
   * @return the attempts, 0 if none
   */
  public long attempts(KeyId keyId) {
    long n = 0;
    for (Entry e : entries) {
      if (e.keyId().equals(keyId)) {
        n += e.attempts();
      }
    }
    return n;
  }

  /** The class of an attempt's outcome, as counted and as tagged in metrics. */
  public enum Outcome {
    /** 2xx. */
    SUCCESS("2xx"),
    /** 3xx (a redirect the HTTPS policy then follows or refuses). */
    REDIRECT("3xx"),
    /** 401. */
    UNAUTHORIZED("401"),
    /** 403. */
    FORBIDDEN("403"),
    /** 404. */
    NOT_FOUND("404"),
    /** 429. */
    TOO_MANY_REQUESTS("429"),
    /** Any other 4xx. */
    CLIENT_ERROR("4xx"),
    /** 5xx. */
    SERVER_ERROR("5xx"),
    /** No response: the connection failed, timed out, or was refused by the transport guard. */
    TRANSPORT_ERROR("io_error"),
    /** 1xx or a status outside 100..599. */
    OTHER("other");

    private final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }

    /**
     * The short name used in metric tags and JSON: {@code 2xx}, {@code 401}, {@code io_error}.
     *
     * @return the tag value
     */
    public String tag() {
      return tag;
    }

    static Outcome of(int status) {
      if (status < 0) {
        return TRANSPORT_ERROR;
      }
      if (status >= 200 && status < 300) {
        return SUCCESS;
      }
      if (status >= 300 && status < 400) {
        return REDIRECT;
      }
      if (status >= 500 && status < 600) {
        return SERVER_ERROR;
      }
      return switch (status) {
        case 401 -> UNAUTHORIZED;
        case 403 -> FORBIDDEN;
        case 404 -> NOT_FOUND;
        case 429 -> TOO_MANY_REQUESTS;
        default -> status >= 400 && status < 500 ? CLIENT_ERROR : OTHER;
      };
    }
  }

  /**
   * The totals of one key version on one route.
   *
   * @param keyId the key
   * @param version the version id
   * @param fingerprint the fingerprint of its secret parts
   * @param route the route template, such as {@code GET /coins/{id}}
   * @param attempts every attempt sent (retries included)
   * @param outcomes the attempts by outcome; every outcome present, zeros included
   * @param latency the time to the response headers of each attempt
   * @param bytesSent request body bytes, as declared by the bodies' lengths
   * @param bytesReceived response body bytes, as declared by {@code Content-Length} (a chunked body
   *     counts 0)
   * @param recentPerMinute the attempts per minute over the last evaluation interval (10 s)
   */
  public record Entry(
      KeyId keyId,
      String version,
      String fingerprint,
      String route,
      long attempts,
      Map<Outcome, Long> outcomes,
      Latency latency,
      long bytesSent,
      long bytesReceived,
      double recentPerMinute) {

    /**
     * Copies the outcomes.
     *
     * @param keyId the key
     * @param version the version id
     * @param fingerprint the fingerprint
     * @param route the route
     * @param attempts the attempts
     * @param outcomes the outcomes
     * @param latency the latency
     * @param bytesSent bytes sent
     * @param bytesReceived bytes received
     * @param recentPerMinute the recent rate
     */
    public Entry {
      outcomes = Collections.unmodifiableMap(new EnumMap<>(outcomes));
    }

    /**
     * The attempts with one outcome.
     *
     * @param outcome the outcome
     * @return the count
     */
    public long count(Outcome outcome) {
      Long n = outcomes.get(outcome);
      return n == null ? 0 : n;
    }
  }

  /**
   * A latency histogram with fixed buckets.
   *
   * @param count the attempts timed (transport errors included)
   * @param total the sum of their latencies
   * @param bucketUpperBounds the upper bound of each bucket but the last, ascending
   * @param bucketCounts the count per bucket: one more than the bounds, the last for slower
   */
  public record Latency(
      long count, Duration total, List<Duration> bucketUpperBounds, List<Long> bucketCounts) {

    /**
     * Copies the lists.
     *
     * @param count the count
     * @param total the total
     * @param bucketUpperBounds the bounds
     * @param bucketCounts the counts
     */
    public Latency {
      bucketUpperBounds = List.copyOf(bucketUpperBounds);
      bucketCounts = List.copyOf(bucketCounts);
    }

    /**
     * The mean latency.
     *
     * @return the mean, zero without attempts
     */
    public Duration mean() {
      return count == 0 ? Duration.ZERO : total.dividedBy(count);
    }

    /**
     * An upper estimate of a quantile: the upper bound of the bucket it falls in.
     *
     * @param q the quantile, such as 0.99
     * @return the bucket's upper bound; the last bound for the overflow bucket; zero without
     *     attempts
     */
    public Duration quantileUpperBound(double q) {
      if (count == 0) {
        return Duration.ZERO;
      }
      long rank = (long) Math.ceil(q * count);
      long seen = 0;
      for (int i = 0; i < bucketCounts.size(); i++) {
        seen += bucketCounts.get(i);
        if (seen >= rank) {
          return bucketUpperBounds.get(Math.min(i, bucketUpperBounds.size() - 1));
        }
      }
      return bucketUpperBounds.get(bucketUpperBounds.size() - 1);
    }
  }

  /**
   * Calls, attempts and retries on one route.
   *
   * @param route the route template
   * @param calls the calls the application made (a redirect hop to another route counts as a call)
   * @param attempts the attempts sent, retries included
   * @param retries attempts beyond the first of each call (throttling, 5xx, a rotated key)
   */
  public record RouteTotals(String route, long calls, long attempts, long retries) {}

  /**
   * The figures of one key.
   *
   * @param keyId the key
   * @param attempts every attempt with it
   * @param recentPerMinute attempts per minute over the last evaluation interval
   * @param baselinePerMinute the learned baseline rate (0 until the first interval)
   * @param budgetUsed today's requests or credits (UTC day)
   * @param dailyBudget the budget; 0 for none
   * @param refused requests refused because the budget was used up (today)
   * @param headroom the rate-limit headroom per header
   */
  public record KeyTotals(
      KeyId keyId,
      long attempts,
      double recentPerMinute,
      double baselinePerMinute,
      long budgetUsed,
      long dailyBudget,
      long refused,
      List<Headroom> headroom) {

    /**
     * Copies the list.
     *
     * @param keyId the key
     * @param attempts the attempts
     * @param recentPerMinute the recent rate
     * @param baselinePerMinute the baseline
     * @param budgetUsed the budget used
     * @param dailyBudget the budget
     * @param refused the refused requests
     * @param headroom the headroom
     */
    public KeyTotals {
      headroom = List.copyOf(headroom);
    }
  }

  /**
   * The last reading of one rate-limit header.
   *
   * @param header the header, as configured
   * @param fractionLeft the fraction of the limit left at the last reading (0 to 1); -1 before any
   *     reading
   * @param readings how many responses carried a usable value
   * @param malformed how many carried a value that was not a non-negative integer (ignored)
   */
  public record Headroom(String header, double fractionLeft, long readings, long malformed) {}

  /**
   * An anomaly in progress.
   *
   * @param keyId the key
   * @param anomaly what
   * @param version the version concerned
   * @param fingerprint its fingerprint
   * @param route the route template, or {@code *}
   * @param since when it was detected
   * @param detail the figures in words, as logged
   */
  public record ActiveAlert(
      KeyId keyId,
      UsageAnomaly anomaly,
      String version,
      String fingerprint,
      String route,
      Instant since,
      String detail) {}

  /**
   * A few lines for people: per key the totals, the rate, the budget and the headroom; per route
   * the attempts by outcome and the latency; the anomalies in progress.
   *
   * @return the summary
   */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    if (keys.isEmpty()) {
      return "usage: no requests";
    }
    for (KeyTotals k : keys) {
      sb.append("key '").append(k.keyId()).append("': ").append(k.attempts()).append(" attempts");
      sb.append(String.format(Locale.ROOT, ", %.1f/min now", k.recentPerMinute()));
      sb.append(String.format(Locale.ROOT, ", baseline %.1f/min", k.baselinePerMinute()));
      if (k.dailyBudget() > 0) {
        sb.append(", budget ").append(k.budgetUsed()).append('/').append(k.dailyBudget());
        if (k.refused() > 0) {
          sb.append(" (").append(k.refused()).append(" refused)");
        }
      }
      for (Headroom h : k.headroom()) {
        if (h.fractionLeft() >= 0) {
          sb.append(
              String.format(Locale.ROOT, ", %s %.0f%% left", h.header(), 100 * h.fractionLeft()));
        }
      }
      sb.append('\n');
      for (Entry e : entries) {
        if (e.keyId().equals(k.keyId())) {
          sb.append("  ").append(e.version()).append(' ').append(e.route()).append(": ");
          appendOutcomes(sb, e);
          sb.append(", p50 ≤ ")
              .append(e.latency().quantileUpperBound(0.5).toMillis())
              .append(" ms, p99 ≤ ")
              .append(e.latency().quantileUpperBound(0.99).toMillis())
              .append(" ms\n");
        }
      }
    }
    for (RouteTotals r : routes) {
      if (r.retries() > 0) {
        sb.append("  ")
            .append(r.route())
            .append(": ")
            .append(r.calls())
            .append(" calls, ")
            .append(r.retries())
            .append(" retries\n");
      }
    }
    for (ActiveAlert a : alerts) {
      sb.append("  ALERT ").append(a.anomaly()).append(": ").append(a.detail()).append('\n');
    }
    return sb.toString().stripTrailing();
  }

  private static void appendOutcomes(StringBuilder sb, Entry e) {
    sb.append(e.attempts()).append(e.attempts() == 1 ? " attempt (" : " attempts (");
    boolean first = true;
    for (Map.Entry<Outcome, Long> o : e.outcomes().entrySet()) {
      if (o.getValue() > 0) {
        sb.append(first ? "" : ", ").append(o.getKey().tag()).append(' ').append(o.getValue());
        first = false;
      }
    }
    sb.append(')');
  }

  /**
   * The figures as JSON: {@code {"at": ..., "keys": [...], "entries": [...], "routes": [...],
   * "alerts": [...]}}, durations in milliseconds.
   *
   * @return the JSON text
   */
  public String toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("at", at.toString());
    List<Object> ks = new ArrayList<>();
    for (KeyTotals k : keys) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", k.keyId().value());
      m.put("attempts", k.attempts());
      m.put("recentPerMinute", k.recentPerMinute());
      m.put("baselinePerMinute", k.baselinePerMinute());
      m.put("budgetUsed", k.budgetUsed());
      m.put("dailyBudget", k.dailyBudget());
      m.put("refused", k.refused());
      List<Object> hs = new ArrayList<>();
      for (Headroom h : k.headroom()) {
        Map<String, Object> hm = new LinkedHashMap<>();
        hm.put("header", h.header());
        hm.put("fractionLeft", h.fractionLeft());
        hm.put("readings", h.readings());
        hm.put("malformed", h.malformed());
        hs.add(hm);
      }
      m.put("headroom", hs);
      ks.add(m);
    }
    root.put("keys", ks);
    List<Object> es = new ArrayList<>();
    for (Entry e : entries) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", e.keyId().value());
      m.put("version", e.version());
      m.put("fingerprint", e.fingerprint());
      m.put("route", e.route());
      m.put("attempts", e.attempts());
      Map<String, Object> os = new LinkedHashMap<>();
      e.outcomes().forEach((o, n) -> os.put(o.tag(), n));
      m.put("outcomes", os);
      Map<String, Object> lat = new LinkedHashMap<>();
      lat.put("count", e.latency().count());
      lat.put("totalMillis", e.latency().total().toMillis());
      List<Object> bounds = new ArrayList<>();
      e.latency().bucketUpperBounds().forEach(d -> bounds.add(d.toMillis()));
      lat.put("bucketUpperBoundsMillis", bounds);
      lat.put("bucketCounts", e.latency().bucketCounts());
      m.put("latency", lat);
      m.put("bytesSent", e.bytesSent());
      m.put("bytesReceived", e.bytesReceived());
      m.put("recentPerMinute", e.recentPerMinute());
      es.add(m);
    }
    root.put("entries", es);
    List<Object> rs = new ArrayList<>();
    for (RouteTotals r : routes) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("route", r.route());
      m.put("calls", r.calls());
      m.put("attempts", r.attempts());
      m.put("retries", r.retries());
      rs.add(m);
    }
    root.put("routes", rs);
    List<Object> as = new ArrayList<>();
    for (ActiveAlert a : alerts) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", a.keyId().value());
      m.put("anomaly", a.anomaly().name());
      m.put("version", a.version());
      m.put("fingerprint", a.fingerprint());
      m.put("route", a.route());
      m.put("since", a.since().toString());
      m.put("detail", a.detail());
      as.add(m);
    }
    root.put("alerts", as);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // maps of strings and numbers always serialize
      throw new IllegalStateException("usage snapshot did not serialize", e);
    }
  }

  /** One line: per key the attempts, outcomes, rate and the anomalies in progress. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("UsageSnapshot{at=").append(at);
    for (KeyTotals k : keys) {
      sb.append(", key '").append(k.keyId()).append("' ").append(k.attempts()).append(" attempts");
      Map<Outcome, Long> sum = new EnumMap<>(Outcome.class);
      for (Entry e : entries) {
        if (e.keyId().equals(k.keyId())) {
          e.outcomes().forEach((o, n) -> sum.merge(o, n, Long::sum));
        }
      }
      sb.append(" (");
      boolean first = true;
      for (Map.Entry<Outcome, Long> o : sum.entrySet()) {
        if (o.getValue() > 0) {
          sb.append(first ? "" : ", ").append(o.getKey().tag()).append(' ').append(o.getValue());
          first = false;
        }
      }
      sb.append(String.format(Locale.ROOT, "), %.1f/min", k.recentPerMinute()));
    }
    if (!alerts.isEmpty()) {
      sb.append(", alerts=[");
      for (int i = 0; i < alerts.size(); i++) {
        ActiveAlert a = alerts.get(i);
        sb.append(i == 0 ? "" : ", ").append(a.anomaly()).append(' ').append(a.keyId());
      }
      sb.append(']');
    }
    return sb.append('}').toString();
  }
}
