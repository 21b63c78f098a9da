package dev.keyguard.client;

import dev.keyguard.Redactor;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.Headers;
import org.jspecify.annotations.Nullable;

/** Picks the rate-limit and request-id headers out of a response. Immutable. */
final class ResponseHeaderSelector {

  /** Default rate-limit header prefixes, matched case-insensitively. */
  static final List<String> DEFAULT_RATE_LIMIT_PREFIXES =
      List.of(
          "x-mbx-used-weight", // Binance: X-MBX-USED-WEIGHT-1M
          "x-mbx-order-count", // Binance: X-MBX-ORDER-COUNT-10S
          "x-ratelimit-", // X-RateLimit-Limit, -Remaining, -Reset
          "ratelimit", // IETF RateLimit, RateLimit-Policy, RateLimit-Remaining
          "x-rate-limit-",
          "retry-after");

  /** Headers that carry a request id, in order of preference, lower-case. */
  static final List<String> REQUEST_ID_HEADERS =
      List.of(
          "x-request-id",
          "request-id",
          "x-amzn-requestid",
          "x-amz-request-id",
          "x-correlation-id",
          "x-trace-id",
          "cf-ray");

  private static final int MAX_VALUE_LENGTH = 200;

  private final List<String> rateLimitPrefixes;

  ResponseHeaderSelector(List<String> rateLimitPrefixes) {
    this.rateLimitPrefixes = List.copyOf(rateLimitPrefixes);
  }

  List<String> rateLimitPrefixes() {
    return rateLimitPrefixes;
  }

  /**
   * The rate-limit headers, case-insensitive map (the last value of each, as {@link Headers#get}
   * gives it). Allocates nothing for a response without one.
   */
  Map<String, String> rateLimitHeaders(Headers headers) {
    Map<String, String> out = null;
    for (int i = 0, n = headers.size(); i < n; i++) {
      String name = headers.name(i);
      if (hasRateLimitPrefix(name)) {
        if (out == null) {
          out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        }
        // as Headers.get: the last value wins; the map keeps the first spelling of the name
        out.put(name, clean(headers.value(i)));
      }
    }
    return out == null ? Map.of() : Collections.unmodifiableMap(out);
  }

  private boolean hasRateLimitPrefix(String name) {
    for (int p = 0, n = rateLimitPrefixes.size(); p < n; p++) {
      String prefix = rateLimitPrefixes.get(p); // lower-case
      if (name.regionMatches(true, 0, prefix, 0, prefix.length())) {
        return true;
      }
    }
    return false;
  }

  /** The request-id headers present, case-insensitive map. */
  static Map<String, String> requestIds(Headers headers) {
    Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : REQUEST_ID_HEADERS) {
      String value = headers.get(name);
      if (value != null) {
        out.put(name, clean(value));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The preferred request id, or null. */
  static @Nullable String requestId(Headers headers) {
    for (String name : REQUEST_ID_HEADERS) {
      String value = headers.get(name);
      if (value != null) {
        return clean(value);
      }
    }
    return null;
  }

  private static String clean(String value) {
    // redact, then cut: cutting first would leave the start of a secret that crosses the cut
    String v = Redactor.global().redact(value);
    return v.length() > MAX_VALUE_LENGTH ? v.substring(0, MAX_VALUE_LENGTH) : v;
  }
}
