package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.Redactor;
import dev.keyguard.auth.AuthScheme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import okhttp3.Response;

/**
 * The API answered with a status that is not a success (or with a 2xx body that could not be
 * decoded). Carries what a caller needs to act: the status, the request id the server gave, the
 * rate-limit headers and any {@code Retry-After}, and an excerpt of the body of at most 1 KiB.
 *
 * <p>Nothing in it carries a secret: the URL is shown with the values of the {@link AuthScheme}'s
 * query parameters masked, and the message, excerpt and header values are passed through the
 * {@link Redactor}. {@link #isRetryable()} is {@code true} for 408, 418, 429 and 5xx other than
 * 501.
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

  private static final int MESSAGE_EXCERPT_CHARS = 200;

  /** How much of a body is redacted before the excerpt is cut from it (a secret crossing the cut). */
  static final int REDACTION_WINDOW_BYTES = 64 * 1024;

  /** The HTTP status. */
  private final int status;

  /** The request method. */
  private final String method;

  /** The request URL, credential query values masked. */
  private final String url;

  /** The preferred request id, or null. */
  private final String requestId;

  /** Every request-id header of the response. */
  private final Map<String, String> requestIds;

  /** The rate-limit headers of the response. */
  private final Map<String, String> rateLimitHeaders;

  /** The delay asked for by Retry-After, or null. */
  private final Duration retryAfter;

  /** At most 1 KiB of the body, redacted. */
  private final String bodyExcerpt;

  /** The configured rejection error code found in the body; null when there was none. */
  private final String errorCode;

  ApiResponseException(
      String message,
      int status,
      String method,
      String url,
      Map<String, String> requestIds,
      Map<String, String> rateLimitHeaders,
      Duration retryAfter,
      String bodyExcerpt,
      KeyId keyId,
      String version,
      boolean retryable,
      Throwable cause,
      String errorCode) {
    super(message, cause, keyId, version, retryable);
    this.errorCode = errorCode;
    this.status = status;
    this.method = method;
    this.url = url;
    this.requestIds = requestIds;
    this.requestId = requestIds.isEmpty() ? null : firstRequestId(requestIds);
    this.rateLimitHeaders = rateLimitHeaders;
    this.retryAfter = retryAfter;
    this.bodyExcerpt = bodyExcerpt;
  }

  /**
   * Builds the exception for a response. Peeks at most {@link #REDACTION_WINDOW_BYTES} of the body
   * (without consuming it) unless the already-read body is given, redacts that, and keeps at most
   * {@link #MAX_EXCERPT_BYTES} of the result.
   */
  static ApiResponseException from(
      Response response, ClientSettings settings, byte[] readBody, String problem, Throwable cause) {
    return from(response, settings, readBody, problem, cause, null);
  }

  /**
   * As {@link #from(Response, ClientSettings, byte[], String, Throwable)}, for a response whose
   * body carries {@code errorCode}, one of the API's credential-rejection codes.
   */
  static ApiResponseException from(
      Response response,
      ClientSettings settings,
      byte[] readBody,
      String problem,
      Throwable cause,
      String errorCode) {
    int status = response.code();
    String method = response.request().method();
    String url = settings.safeUrl(response.request().url());
    UsedCredential used = response.request().tag(UsedCredential.class);
    Map<String, String> requestIds = ResponseHeaderSelector.requestIds(response.headers());
    Map<String, String> rateLimit = settings.headerSelector().rateLimitHeaders(response.headers());
    Duration retryAfter = RetryAfter.parse(response.headers(), settings.time().now());
    String excerpt = excerpt(response, readBody);
    boolean retryable = problem == null && isRetryableStatus(status);

    StringBuilder m = new StringBuilder();
    m.append(method).append(' ').append(url).append(' ');
    if (problem == null) {
      m.append("returned HTTP ").append(status);
    } else {
      m.append("returned HTTP ").append(status).append(" but ").append(problem);
    }
    if (used != null) {
      m.append(" (key '").append(used.keyId()).append("' version ").append(used.version()).append(')');
    }
    if (!requestIds.isEmpty()) {
      m.append(" [request id ").append(firstRequestId(requestIds)).append(']');
    }
    if (retryAfter != null) {
      m.append("; Retry-After ").append(retryAfter.toSeconds()).append(" s");
    }
    if (problem == null) {
      m.append(hint(status));
    }
    if (!excerpt.isEmpty()) {
      String shortExcerpt =
          excerpt.length() > MESSAGE_EXCERPT_CHARS
              ? excerpt.substring(0, MESSAGE_EXCERPT_CHARS) + "…"
              : excerpt;
      m.append(": ").append(shortExcerpt.replace('\n', ' ').replace('\r', ' '));
    }
    return new ApiResponseException(
        m.toString(),
        status,
        method,
        url,
        requestIds,
        rateLimit,
        retryAfter,
        excerpt,
        used == null ? null : used.keyId(),
        used == null ? null : used.version(),
        retryable,
        cause,
        errorCode);
  }

  private static String hint(int status) {
    if (status == 429 || status == 418) {
      return "; the API throttled the call, slow down or retry later";
    }
    if (status >= 500 && status != 501) {
      return "; a server error, the call may succeed if retried";
    }
    return "";
  }

  static boolean isRetryableStatus(int status) {
    return status == 408 || status == 418 || status == 429 || (status >= 500 && status != 501);
  }

  private static String excerpt(Response response, byte[] readBody) {
    // Redact a window well past the cut, then cut: cutting first would leave the start of a
    // secret that crosses the cut, which the redactor (matching whole values) no longer sees.
    byte[] bytes;
    if (readBody != null) {
      bytes = readBody.length > REDACTION_WINDOW_BYTES ? Arrays.copyOf(readBody, REDACTION_WINDOW_BYTES) : readBody;
    } else {
      try {
        bytes = response.peekBody(REDACTION_WINDOW_BYTES).bytes();
      } catch (IOException | IllegalStateException e) {
        return "";
      }
    }
    // malformed bytes become U+FFFD
    String text = new String(bytes, StandardCharsets.UTF_8);
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      clean.append(Character.isISOControl(c) && c != '\n' && c != '\t' ? '?' : c);
    }
    return truncateUtf8(Redactor.global().redact(clean.toString().strip()), MAX_EXCERPT_BYTES).strip();
  }

  /** The longest prefix of {@code text} that is at most {@code maxBytes} in UTF-8, whole code points. */
  private static String truncateUtf8(String text, int maxBytes) {
    int bytes = 0;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      i += Character.charCount(cp);
    }
    return i == text.length() ? text : text.substring(0, i);
  }

  private static String firstRequestId(Map<String, String> requestIds) {
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
   * All request-id headers the response had ({@code X-Request-Id}, {@code X-Amzn-RequestId},
   * {@code CF-Ray}, …).
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
   * characters replaced, known secrets redacted.
   *
   * @return the excerpt, empty if the body was empty or unreadable
   */
  public String bodyExcerpt() {
    return bodyExcerpt;
  }

  /**
   * The API's error code that made the client treat this response as a rejected credential, when
   * the rejection was recognised in the body rather than by status (such as {@code EAPI:Invalid
   * key} from Kraken with HTTP 200); see {@link
   * KeyGuardClient.Builder#rejectionErrorCodes(String, String...)}. It is one of the configured
   * codes, never other text from the body.
   *
   * @return the code, or empty
   */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }
}
