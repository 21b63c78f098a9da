package dev.keyguard.client;

import dev.keyguard.Redactor;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import okhttp3.FormBody;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * The text of the {@link HttpLogger}'s events: request and response lines, headers with values
 * shown only where allow-listed, and size-capped textual bodies (forms follow the query allowlist).
 * Body text is redacted whole before it is cut, and a response body read only in part has the end
 * of what was read (where a cut secret could sit) left out by {@link Redactor#redactTruncated}; the
 * logger redacts the whole event again before writing it. Immutable and thread-safe.
 */
final class HttpLogText {

  private final HttpLogger.Level level;
  private final long maxBodyBytes;
  private final Predicate<String> headerShown;
  private final Predicate<String> queryShown;
  private final Function<HttpUrl, String> urls;

  HttpLogText(
      HttpLogger.Level level,
      long maxBodyBytes,
      Predicate<String> headerShown,
      Predicate<String> queryShown,
      Function<HttpUrl, String> urls) {
    this.level = level;
    this.maxBodyBytes = maxBodyBytes;
    this.headerShown = headerShown;
    this.queryShown = queryShown;
    this.urls = urls;
  }

  String requestText(Request request, String url) {
    StringBuilder b = new StringBuilder("--> ").append(request.method()).append(' ').append(url);
    RequestBody body = request.body();
    long length = contentLength(body);
    if (level == HttpLogger.Level.BASIC && length >= 0) {
      b.append(" (").append(length).append("-byte body)");
    }
    if (level.compareTo(HttpLogger.Level.HEADERS) >= 0) {
      if (body != null && body.contentType() != null && request.header("Content-Type") == null) {
        b.append("\nContent-Type: ").append(body.contentType());
      }
      if (length >= 0 && request.header("Content-Length") == null) {
        b.append("\nContent-Length: ").append(length);
      }
      appendHeaders(b, request.headers());
      if (level == HttpLogger.Level.BODY && body != null) {
        b.append("\n\n").append(requestBody(body, request.headers()));
      }
      b.append("\n--> END ").append(request.method());
    }
    return b.toString();
  }

  String responseText(Response response, long tookMs) {
    StringBuilder b =
        new StringBuilder("<-- ")
            .append(response.code())
            .append(response.message().isEmpty() ? "" : " " + response.message())
            .append(' ')
            .append(urls.apply(response.request().url()))
            .append(" (")
            .append(tookMs)
            .append(" ms");
    long length = response.body().contentLength();
    if (level == HttpLogger.Level.BASIC && length >= 0) {
      b.append(", ").append(length).append("-byte body");
    }
    b.append(')');
    if (level.compareTo(HttpLogger.Level.HEADERS) >= 0) {
      appendHeaders(b, response.headers());
      if (level == HttpLogger.Level.BODY) {
        String body = responseBody(response);
        if (body != null) {
          b.append("\n\n").append(body);
        }
      }
      b.append("\n<-- END HTTP");
    }
    return b.toString();
  }

  private void appendHeaders(StringBuilder b, Headers headers) {
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i);
      b.append('\n')
          .append(name)
          .append(": ")
          .append(headerShown.test(name) ? headers.value(i) : HttpLogger.REDACTED);
    }
  }

  private String requestBody(RequestBody body, Headers headers) {
    if (body instanceof FormBody form) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < form.size(); i++) {
        if (i > 0) {
          b.append('&');
        }
        b.append(form.encodedName(i))
            .append('=')
            .append(queryShown.test(form.name(i)) ? form.encodedValue(i) : HttpLogger.REDACTED);
      }
      return cap(Redactor.global().redact(b.toString()));
    }
    if (body.isDuplex()) {
      return "(duplex body omitted)";
    }
    if (body.isOneShot()) {
      return "(one-shot body omitted)";
    }
    if (isEncoded(headers)) {
      return "(encoded body omitted)";
    }
    long length = contentLength(body);
    if (length < 0 || length > BodyPeek.MAX_BUFFERED_BODY) {
      return "(body of unknown or large size omitted)";
    }
    if (!isText(body.contentType())) {
      return "(binary " + length + "-byte body omitted)";
    }
    try (Buffer buffer = new Buffer()) {
      body.writeTo(buffer);
      if (isForm(body.contentType())) {
        // a form built from bytes (as the HMAC schemes send it) follows the allowlist too
        Charset charset = body.contentType().charset(StandardCharsets.UTF_8);
        return cap(Redactor.global().redact(maskForm(buffer.readString(charset))));
      }
      return decode(buffer, body.contentType(), length, true);
    } catch (IOException e) {
      return "(body unavailable: " + e.getClass().getSimpleName() + ")";
    }
  }

  private @Nullable String responseBody(Response response) {
    ResponseBody body = response.body();
    long length = body.contentLength();
    if (length == 0 || "HEAD".equals(response.request().method())) {
      return null;
    }
    MediaType type = body.contentType();
    if (type != null && "event-stream".equals(type.subtype())) {
      return "(event stream omitted)";
    }
    if (isEncoded(response.headers())) {
      return "(encoded body omitted)";
    }
    if (!isText(type)) {
      return "(binary " + (length >= 0 ? length + "-byte " : "") + "body omitted)";
    }
    long peek = maxBodyBytes + BodyPeek.REDACTION_WINDOW;
    try (Buffer buffer = new Buffer().write(BodyPeek.peek(response, peek))) {
      boolean whole = buffer.size() < peek || buffer.size() == length;
      long total = length >= 0 ? length : whole ? buffer.size() : -1;
      return decode(buffer, type, total, whole);
    } catch (IOException e) {
      return "(body unavailable: " + e.getClass().getSimpleName() + ")";
    }
  }

  /**
   * Decodes the buffer, redacts it, then keeps at most {@link #maxBodyBytes} chars; notes a
   * truncation. {@code whole} tells whether the buffer holds the whole body: if not, its end is a
   * cut, and what could hold a cut secret there is left out before anything is shown.
   */
  private String decode(Buffer buffer, MediaType type, long total, boolean whole)
      throws IOException {
    Charset charset = type == null ? StandardCharsets.UTF_8 : type.charset(StandardCharsets.UTF_8);
    long shown = Math.min(buffer.size(), maxBodyBytes);
    String read = buffer.readString(charset);
    String text = whole ? Redactor.global().redact(read) : Redactor.global().redactTruncated(read);
    if (total < 0 || total > shown) {
      return prefix(text, shown)
          + "\n...(truncated at "
          + shown
          + " bytes"
          + (total > 0 ? " of " + total : "")
          + ")";
    }
    return text;
  }

  /** Caps already redacted text. */
  private String cap(String text) {
    return text.length() <= maxBodyBytes
        ? text
        : prefix(text, maxBodyBytes) + "\n...(truncated at " + maxBodyBytes + " chars)";
  }

  /** At most {@code chars} chars of {@code text}, never half of a surrogate pair. */
  private static String prefix(String text, long chars) {
    if (text.length() <= chars) {
      return text;
    }
    int end = (int) chars;
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  /**
   * An encoded form with each value whose name is not allow-listed replaced by {@link
   * HttpLogger#REDACTED}.
   */
  private String maskForm(String form) {
    StringBuilder b = new StringBuilder(form.length());
    String[] pairs = form.split("&", -1);
    for (int i = 0; i < pairs.length; i++) {
      if (i > 0) {
        b.append('&');
      }
      String pair = pairs[i];
      int eq = pair.indexOf('=');
      if (eq < 0) {
        b.append(pair);
        continue;
      }
      String encodedName = pair.substring(0, eq);
      String name;
      try {
        name = URLDecoder.decode(encodedName, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        name = null; // malformed escape: not a name anyone allow-listed
      }
      b.append(encodedName).append('=');
      b.append(
          name != null && queryShown.test(name) ? pair.substring(eq + 1) : HttpLogger.REDACTED);
    }
    return b.toString();
  }

  private static boolean isForm(MediaType type) {
    return type != null
        && type.type().equalsIgnoreCase("application")
        && type.subtype().equalsIgnoreCase("x-www-form-urlencoded");
  }

  private static boolean isEncoded(Headers headers) {
    String encoding = headers.get("Content-Encoding");
    return encoding != null && !encoding.equalsIgnoreCase("identity");
  }

  private static boolean isText(MediaType type) {
    if (type == null) {
      return false;
    }
    String subtype = type.subtype().toLowerCase(Locale.ROOT);
    return type.type().equalsIgnoreCase("text")
        || subtype.contains("json")
        || subtype.contains("xml")
        || subtype.contains("x-www-form-urlencoded")
        || subtype.contains("javascript")
        || subtype.contains("graphql")
        || subtype.contains("yaml");
  }

  private static long contentLength(RequestBody body) {
    if (body == null) {
      return -1;
    }
    try {
      return body.contentLength();
    } catch (IOException e) {
      return -1;
    }
  }
}
