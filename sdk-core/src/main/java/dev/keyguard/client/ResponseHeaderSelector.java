package dev.keyguard.client;

import dev.keyguard.Redactor;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
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

  /** The rate-limit headers, case-insensitive map (first value of each). */
  Map<String, String> rateLimitHeaders(Headers headers) {
    Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : headers.names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      for (String prefix : rateLimitPrefixes) {
        if (lower.startsWith(prefix)) {
          out.put(name, clean(headers.get(name)));
          break;
        }
      }
    }
    return Collections.unmodifiableMap(out);
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
