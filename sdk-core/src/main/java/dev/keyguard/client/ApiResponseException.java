package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.Redactor;
import dev.keyguard.auth.AuthScheme;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The API answered with a status that is not a success (or with a 2xx body that could not be
 * decoded). Carries what a caller needs to act: the status, the request id the server gave, the
 * rate-limit headers and any {@code Retry-After}, and an excerpt of the body of at most 1 KiB.
 *
 * <p>Nothing in it carries a secret: the URL is shown with the values of the {@link AuthScheme}'s
 * query parameters masked, and the message, excerpt and header values are passed through the {@link
 * Redactor}. {@link #isRetryable()} is {@code true} for 408, 418, 429 and 5xx other than 501.
 *
 * <pre>{@code
 * try {
 *   client.get("/price", Map.of("symbol", "BTC"), Price.class);
 * } catch (ApiResponseException e) {
 *   if (e.status() == 429) {
 *     e.retryAfter().ifPresent(this::pauseFor);
 *   }
 * }
 * }</pre>
 */
public class ApiResponseException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /** The most bytes of a response body kept in an exception. */
  public static final int MAX_EXCERPT_BYTES = 1024;

  /** The HTTP status. */
  private final int status;

  /** The request method. */
  private final String method;

  /** The request URL, credential query values masked. */
  private final String url;

  /** The preferred request id, or null. */
  private final @Nullable String requestId;

  /** Every request-id header of the response. */
  private final Map<String, String> requestIds;

  /** The rate-limit headers of the response. */
  private final Map<String, String> rateLimitHeaders;

  /** The delay asked for by Retry-After, or null. */
  private final @Nullable Duration retryAfter;

  /** At most 1 KiB of the body, redacted. */
  private final String bodyExcerpt;

  /** The configured rejection error code found in the body; null when there was none. */
  private final @Nullable String errorCode;

  /** Carries the facts {@link ResponseFailures} extracted from a response; does no I/O. */
  ApiResponseException(String message, ResponseFacts facts, boolean retryable) {
    super(message, null, facts.keyId(), facts.version(), retryable);
    this.status = facts.status();
    this.method = facts.method();
    this.url = facts.url();
    this.requestIds = facts.requestIds();
    this.requestId = requestIds.isEmpty() ? null : firstRequestId(requestIds);
    this.rateLimitHeaders = facts.rateLimitHeaders();
    this.retryAfter = facts.retryAfter();
    this.bodyExcerpt = facts.bodyExcerpt();
    this.errorCode = facts.errorCode();
  }

  /** Whether a status is worth retrying: 408, 418, 429 and 5xx other than 501. */
  static boolean isRetryableStatus(int status) {
    return status == 408 || status == 418 || status == 429 || (status >= 500 && status != 501);
  }

  static String firstRequestId(Map<String, String> requestIds) {
    for (String name : ResponseHeaderSelector.REQUEST_ID_HEADERS) {
      String v = requestIds.get(name);
      if (v != null) {
        return v;
      }
    }
    return requestIds.values().iterator().next();
  }

  /**
   * The HTTP status.
   *
   * @return the status
   */
  public int status() {
    return status;
  }

  /**
   * The request method.
   *
   * @return the method, such as {@code GET}
   */
  public String method() {
    return method;
  }

  /**
   * The URL of the request that got this response, with credential query values masked.
   *
   * @return the printable URL
   */
  public String url() {
    return url;
  }

  /**
   * The request id the server gave, for a support ticket.
   *
   * @return the first present of the known request-id headers, if any
   */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /**
   * All request-id headers the response had ({@code X-Request-Id}, {@code X-Amzn-RequestId}, {@code
   * CF-Ray}, …).
   *
   * @return an unmodifiable map, case-insensitive keys
   */
  public Map<String, String> requestIds() {
    return requestIds;
  }

  /**
   * The rate-limit headers of the response.
   *
   * @return an unmodifiable map, case-insensitive keys
   */
  public Map<String, String> rateLimitHeaders() {
    return rateLimitHeaders;
  }

  /**
   * The delay the server asked for with {@code Retry-After}.
   *
   * @return the delay, if the response had a valid {@code Retry-After}
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /**
   * The start of the response body: at most {@link #MAX_EXCERPT_BYTES} bytes as UTF-8, control
   * characters replaced, known secrets redacted. The text read is redacted whole before it is cut,
   * and when the body is longer than what is read, the end of the read is left out where a secret
   * could be cut in two, so no part of a live secret is in the excerpt.
   *
   * @return the excerpt, empty if the body was empty or unreadable
   */
  public String bodyExcerpt() {
    return bodyExcerpt;
  }

  /**
   * The API's error code that made the client treat this response as a rejected credential, when
   * the rejection was recognised in the body rather than by status (such as {@code EAPI:Invalid
   * key} from Kraken with HTTP 200); see {@link KeyGuardClient.Builder#rejectionErrorCodes(String,
   * String...)}. It is one of the configured codes, never other text from the body.
   *
   * @return the code, or empty
   */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }
}
