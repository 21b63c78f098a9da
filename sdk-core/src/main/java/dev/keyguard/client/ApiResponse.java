package dev.keyguard.client;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Headers;
import org.jspecify.annotations.Nullable;

/**
 * A successful API response: the decoded body with the status and headers it came with, and the
 * rate-limit headers picked out (for example {@code X-MBX-USED-WEIGHT-1M}, {@code
 * X-RateLimit-Remaining}), so a caller can slow down before the API throttles it.
 *
 * <p>Instances are immutable and thread-safe if the body is. {@link #toString()} shows the status
 * and rate-limit headers, not the body.
 *
 * <pre>{@code
 * ApiResponse<Price> response = client.getResponse("/price", Map.of("symbol", "BTC"), Price.class);
 * String used = response.rateLimitHeaders().get("X-MBX-USED-WEIGHT-1M");
 * }</pre>
 *
 * @param <T> the body type
 */
public final class ApiResponse<T> {

  private final int status;
  private final Headers headers;
  private final @Nullable T body;
  private final ResponseHeaderSelector selector;

  /** Picked out of the headers at the first call: most callers never ask. */
  private volatile @Nullable Map<String, String> rateLimitHeaders;

  ApiResponse(int status, Headers headers, @Nullable T body, ResponseHeaderSelector selector) {
    this.status = status;
    this.headers = Objects.requireNonNull(headers, "headers");
    this.body = body;
    this.selector = Objects.requireNonNull(selector, "selector");
  }

  /**
   * The HTTP status, 2xx.
   *
   * @return the status
   */
  public int status() {
    return status;
  }

  /**
   * All response headers.
   *
   * @return the headers
   */
  public Headers headers() {
    return headers;
  }

  /**
   * The decoded body.
   *
   * <p>Nullable by design: a 2xx response may carry no body (204 No Content, an empty 200, a {@code
   * Void} or {@code void} type), and then this is null rather than an exception or an invented
   * value. A caller that expects a body checks for null, or asks for {@code String} or {@code
   * byte[]} to see what came. The same holds for the {@code get}, {@code post} and {@code ...Async}
   * shortcuts of {@link KeyGuardClient}, which return this value.
   *
   * @return the body; null for an empty body or a {@code Void} type
   */
  public @Nullable T body() {
    return body;
  }

  /**
   * The rate-limit headers of the response, by name (case-insensitive match of the configured
   * prefixes; see {@link KeyGuardClient.Builder#rateLimitHeaderPrefixes(String...)}).
   *
   * @return an unmodifiable map from header name, as the server spelled it, to its first value;
   *     lookups ignore case
   */
  public Map<String, String> rateLimitHeaders() {
    Map<String, String> picked = rateLimitHeaders;
    if (picked == null) {
      picked = selector.rateLimitHeaders(headers); // immutable: a race only picks twice
      rateLimitHeaders = picked;
    }
    return picked;
  }

  /**
   * A rate-limit header by name, ignoring case.
   *
   * @param name the header name, such as {@code X-MBX-USED-WEIGHT-1M}
   * @return its value, if the response had it
   */
  public Optional<String> rateLimitHeader(String name) {
    Objects.requireNonNull(name, "name");
    return Optional.ofNullable(rateLimitHeaders().get(name));
  }

  /**
   * The request id the server gave, from the first present of {@code X-Request-Id}, {@code
   * Request-Id}, {@code X-Amzn-RequestId}, {@code X-Amz-Request-Id}, {@code X-Correlation-Id},
   * {@code X-Trace-Id}, {@code CF-Ray}.
   *
   * @return the request id, if any
   */
  public Optional<String> requestId() {
    return Optional.ofNullable(ResponseHeaderSelector.requestId(headers));
  }

  /** Shows the status, request id and rate-limit headers; never the body. */
  @Override
  public String toString() {
    String requestId = ResponseHeaderSelector.requestId(headers);
    return "ApiResponse[status="
        + status
        + (requestId == null ? "" : ", requestId=" + requestId)
        + ", rateLimitHeaders="
        + rateLimitHeaders()
        + "]";
  }
}
