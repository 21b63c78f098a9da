package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.Redactor;
import dev.keyguard.internal.ExceptionTexts;
import java.io.IOException;
import java.net.UnknownServiceException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Failure translation for one client: turns a response the caller cannot use into an {@link
 * ApiResponseException} (status, request ids, rate-limit headers, {@code Retry-After} and the
 * redacted body excerpt are extracted here, so the exception only carries values), and an OkHttp
 * {@link IOException} into the {@link KeyGuardException} a caller can act on.
 */
final class ResponseFailures {

  private static final int MESSAGE_EXCERPT_CHARS = 200;

  private final ClientSettings settings;

  ResponseFailures(ClientSettings settings) {
    this.settings = settings;
  }

  /** A response whose status is not a success. */
  ApiResponseException forStatus(Response response) {
    String noProblem = null;
    String noErrorCode = null;
    return build(response, peekExcerpt(response), noProblem, noErrorCode);
  }

  /** A 2xx response whose body, already read as {@code body}, could not be decoded. */
  ApiResponseException forUndecodableBody(Response response, byte[] body, String problem) {
    boolean whole = body.length <= BodyPeek.REDACTION_WINDOW;
    byte[] window = whole ? body : Arrays.copyOf(body, BodyPeek.REDACTION_WINDOW);
    String noErrorCode = null;
    return build(response, excerpt(window, whole), problem, noErrorCode);
  }

  /**
   * A 2xx response whose body is larger than the client reads ({@code maxResponseBytes}): nothing
   * of the body goes into the exception, which the caller cannot fix by retrying.
   *
   * @param declaredBytes the body's {@code Content-Length}, or -1 if it has none (the body grew
   *     past the limit while it was read)
   */
  ApiResponseException forOversizedBody(Response response, long maxBytes, long declaredBytes) {
    String noErrorCode = null;
    String size =
        declaredBytes >= 0
            ? "declares a Content-Length of " + declaredBytes + " bytes, more than"
            : "has no Content-Length and grew to more than";
    return build(
        response,
        "",
        "the body "
            + size
            + " the client's maxResponseBytes of "
            + maxBytes
            + " bytes; it was not read further. Raise KeyGuardClient.Builder.maxResponseBytes if"
            + " the API does send bodies this large",
        noErrorCode);
  }

  /** A response whose body carries {@code errorCode}, one of the API's rejection codes. */
  ApiResponseException forRejectionCode(Response response, String errorCode) {
    return build(
        response,
        peekExcerpt(response),
        "the body carries error code "
            + errorCode
            + ", which means the API rejected the"
            + " credential",
        errorCode);
  }

  private ApiResponseException build(
      Response response, String excerpt, @Nullable String problem, @Nullable String errorCode) {
    int status = response.code();
    String method = response.request().method();
    String url = settings.safeUrl(response.request().url());
    UsedCredential used = response.request().tag(UsedCredential.class);
    Map<String, String> requestIds = ResponseHeaderSelector.requestIds(response.headers());
    Map<String, String> rateLimit = settings.headerSelector().rateLimitHeaders(response.headers());
    Duration retryAfter = RetryAfter.parse(response.headers(), settings.time().now());
    boolean retryable = problem == null && ApiResponseException.isRetryableStatus(status);

    StringBuilder m = new StringBuilder();
    m.append(method).append(' ').append(url).append(' ');
    if (problem == null) {
      m.append("returned HTTP ").append(status);
    } else {
      m.append("returned HTTP ").append(status).append(" but ").append(problem);
    }
    if (used != null) {
      m.append(" (key '")
          .append(used.keyId())
          .append("' version ")
          .append(used.version())
          .append(')');
    }
    if (!requestIds.isEmpty()) {
      m.append(" [request id ").append(ApiResponseException.firstRequestId(requestIds)).append(']');
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
    ResponseFacts facts =
        new ResponseFacts(
            status,
            method,
            url,
            requestIds,
            rateLimit,
            retryAfter,
            excerpt,
            used == null ? null : used.keyId(),
            used == null ? null : used.version(),
            errorCode);
    return new ApiResponseException(m.toString(), facts, retryable);
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

  /** The excerpt of a body peeked at without consuming it. */
  private static String peekExcerpt(Response response) {
    byte[] window = BodyPeek.peekOrEmpty(response, BodyPeek.REDACTION_WINDOW);
    return excerpt(window, window.length < BodyPeek.REDACTION_WINDOW);
  }

  /**
   * The redacted start of a body, correct by construction: everything read is redacted before the
   * excerpt is cut from it (cutting first would leave the start of a secret that crosses the cut,
   * which the redactor, matching whole values, no longer sees). When the window is not the whole
   * body, its own end is a cut too: {@link Redactor#redactTruncated} leaves out the part of it that
   * could hold a cut secret, which would otherwise reach the excerpt once the text before it
   * shrinks under redaction.
   *
   * @param whole whether {@code window} is the whole body
   */
  private static String excerpt(byte[] window, boolean whole) {
    // malformed bytes become U+FFFD
    String text = new String(window, StandardCharsets.UTF_8);
    String redacted =
        whole ? Redactor.global().redact(text) : Redactor.global().redactTruncated(text);
    StringBuilder clean = new StringBuilder(redacted.length());
    for (int i = 0; i < redacted.length(); i++) {
      char c = redacted.charAt(i);
      clean.append(Character.isISOControl(c) && c != '\n' && c != '\t' ? '?' : c);
    }
    return truncateUtf8(clean.toString().strip(), ApiResponseException.MAX_EXCERPT_BYTES).strip();
  }

  /**
   * The longest prefix of {@code text} that is at most {@code maxBytes} in UTF-8, whole code
   * points.
   */
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

  /** Maps an OkHttp failure to the KeyGuard exception a caller can act on. */
  KeyGuardException forIOException(IOException e, Request request) {
    KeyGuardException carried = KeyGuardIOException.find(e);
    if (carried != null) {
      return carried;
    }
    String target = request.method() + " " + settings.safeUrl(request.url());
    KeyId keyId = settings.managedKey().keyId();
    if (e instanceof SSLPeerUnverifiedException) {
      return InsecureTransportException.noRequestSent(
          target
              + ": the server's certificate was refused (certificate pin or host name"
              + " mismatch); no request was sent ("
              + ExceptionTexts.named(e)
              + ")"
              + HOST_OR_PIN_HINT,
          e,
          keyId);
    }
    if (e instanceof SSLHandshakeException) {
      return InsecureTransportException.noRequestSent(
          target
              + ": the TLS handshake failed and no request was sent; KeyGuard requires TLS 1.2"
              + " or 1.3 with a trusted certificate ("
              + ExceptionTexts.named(e)
              + ")"
              + (refusedCertificate(e) ? UNTRUSTED_HINT : ""),
          e,
          keyId);
    }
    if (e instanceof UnknownServiceException) {
      return InsecureTransportException.noRequestSent(
          target
              + ": refused by the connection policy, no request was sent ("
              + ExceptionTexts.named(e)
              + ")",
          e,
          keyId);
    }
    return ApiTransportException.retryable(
        target + " failed (" + ExceptionTexts.named(e) + "); the call may succeed if retried",
        e,
        keyId);
  }

  /** What to do when the server's certificate chain does not lead to a trusted CA. */
  static final String UNTRUSTED_HINT =
      "; if the server's certificate comes from a private CA, trust that CA with"
          + " HttpsPolicy.builder().trustCertificates(...) (it alone) or"
          + " .addTrustedCertificates(...) (it and the system CAs)";

  /** What to do when the certificate does not name the host or does not match a pin. */
  static final String HOST_OR_PIN_HINT =
      "; the certificate must name the host of the base URL and, if the host is pinned, match one"
          + " of the HttpsPolicy pins; a certificate from a private CA is trusted with"
          + " HttpsPolicy.builder().trustCertificates(...) or .addTrustedCertificates(...)";

  /** Whether a handshake failed on the server's certificate, not on the protocol or a cipher. */
  private static boolean refusedCertificate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // the JDK's PKIX checks throw CertificateException subtypes, or CertPath* exceptions
      if (t instanceof CertificateException
          || t instanceof CertPathValidatorException
          || t instanceof CertPathBuilderException) {
        return true;
      }
    }
    return false;
  }
}
