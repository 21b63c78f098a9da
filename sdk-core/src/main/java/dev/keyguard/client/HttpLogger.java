package dev.keyguard.client;

import dev.keyguard.Redactor;
import dev.keyguard.auth.AuthScheme;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.FormBody;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OkHttp interceptor that logs requests and responses with nothing secret in them: an
 * allowlist decides which header and query-parameter values are shown (as the Azure SDK's {@code
 * HttpLogOptions} does), and everything written passes through the {@link Redactor}.
 *
 * <pre>{@code
 * HttpLogger httpLogger = HttpLogger.builder()
 *     .level(HttpLogger.Level.HEADERS)
 *     .allowQueryParameter("symbol")
 *     .build();
 * OkHttpClient client = new OkHttpClient.Builder().addInterceptor(httpLogger).build();
 * // --> GET https://api.example.com/v2/price?symbol=BTC&api_key=REDACTED
 * // x-api-key: REDACTED
 * }</pre>
 *
 * <ul>
 *   <li>{@link Level#NONE} logs nothing, {@link Level#BASIC} the request and status lines, {@link
 *       Level#HEADERS} also the headers, {@link Level#BODY} also the bodies.
 *   <li>Only allow-listed header names ({@link #DEFAULT_ALLOWED_HEADERS} plus those added) and
 *       query-parameter names (none by default) show their values; every other value prints as
 *       {@code REDACTED}. Request bodies that are forms (a {@code FormBody}, or any {@code
 *       application/x-www-form-urlencoded} body, as the HMAC schemes send) follow the
 *       query-parameter allowlist. Names are compared ignoring case.
 *   <li>Names that carry credentials can never be allow-listed: {@link #ALWAYS_REDACTED_HEADERS}
 *       and {@link #ALWAYS_REDACTED_QUERY_PARAMETERS} are refused by {@code allowHeader} / {@code
 *       allowQueryParameter} at once, and the names an {@link AuthScheme} declares are refused by
 *       {@link Builder#build()} and {@link #forAuthScheme(AuthScheme)} (an {@link
 *       IllegalStateException} naming the conflict), rather than silently hidden: a configuration
 *       that asks to show a credential is a mistake worth hearing about.
 *   <li>Bodies: only textual content types, up to {@link Builder#maxBodyBytes(long)} bytes
 *       (default 4 KiB, read without consuming the response), never one-shot, duplex, compressed
 *       or server-sent-event bodies; then the {@code Redactor}.
 *   <li>Each request and each response is one SLF4J event (multi-line at HEADERS and BODY), at
 *       {@code INFO} on the logger {@code dev.keyguard.http} unless configured otherwise. The whole
 *       event text goes through the {@code Redactor} last, so a live secret in a path, an
 *       allow-listed value or a body is still scrubbed.
 * </ul>
 *
 * <p>Immutable and thread-safe. Install it as an application interceptor to see what the
 * application sent, or as a network interceptor to see every hop.
 */
public final class HttpLogger implements Interceptor {

  /** What is logged. */
  public enum Level {
    /** Nothing. */
    NONE,
    /** Request line (method, URL with redacted query values), status line, duration, body size. */
    BASIC,
    /** {@link #BASIC} plus request and response headers. */
    HEADERS,
    /** {@link #HEADERS} plus size-capped textual bodies. */
    BODY
  }

  /** The value shown in place of a value that is not allow-listed. */
  public static final String REDACTED = "REDACTED";

  /** The default maximum of body bytes logged: 4 KiB. */
  public static final long DEFAULT_MAX_BODY_BYTES = 4096;

  /** Header names whose values are shown by default (lower case). */
  public static final Set<String> DEFAULT_ALLOWED_HEADERS =
      Set.of(
          "accept",
          "accept-encoding",
          "cache-control",
          "cf-ray",
          "connection",
          "content-encoding",
          "content-length",
          "content-type",
          "date",
          "etag",
          "expires",
          "if-match",
          "if-modified-since",
          "if-none-match",
          "if-unmodified-since",
          "last-modified",
          "pragma",
          "request-id",
          "retry-after",
          "server",
          "traceparent",
          "transfer-encoding",
          "user-agent",
          "vary",
          "x-correlation-id",
          "x-mbx-used-weight",
          "x-mbx-used-weight-1m",
          "x-ratelimit-limit",
          "x-ratelimit-remaining",
          "x-ratelimit-reset",
          "x-request-id");

  /** Header names that can never be allow-listed (lower case). */
  public static final Set<String> ALWAYS_REDACTED_HEADERS =
      Set.of(
          "authorization",
          "proxy-authorization",
          "cookie",
          "set-cookie",
          "x-api-key",
          "api-key",
          "apikey",
          "x-auth-token",
          "x-access-token",
          "x-amz-security-token",
          "x-vault-token",
          "x-goog-api-key",
          "ocp-apim-subscription-key",
          "x-mbx-apikey",
          "api-sign",
          "cb-access-key",
          "cb-access-sign",
          "cb-access-passphrase",
          "ok-access-key",
          "ok-access-sign",
          "ok-access-passphrase",
          "x-cg-demo-api-key",
          "x-cg-pro-api-key",
          "x-cmc_pro_api_key");

  /** Query-parameter names that can never be allow-listed (lower case). */
  public static final Set<String> ALWAYS_REDACTED_QUERY_PARAMETERS =
      Set.of(
          "api_key",
          "apikey",
          "api-key",
          "key",
          "token",
          "access_token",
          "refresh_token",
          "id_token",
          "auth",
          "code",
          "signature",
          "sig",
          "secret",
          "client_secret",
          "password",
          "x-amz-signature",
          "x-amz-credential",
          "x-amz-security-token",
          "x_cg_demo_api_key",
          "x_cg_pro_api_key",
          "cmc_pro_api_key");

  private static final long MAX_BUFFERED_REQUEST_BODY = 1 << 20;

  /**
   * Body bytes read past the cap: the text is redacted before it is cut, so a secret that crosses
   * the cap is replaced whole instead of leaving its start (the redactor matches whole values).
   */
  static final long REDACTION_WINDOW_BYTES = 64 * 1024;

  private final Level level;
  private final Set<String> allowedHeaders;
  private final Set<String> allowedQueryParameters;
  private final Set<String> schemeHeaders;
  private final Set<String> schemeQueryParameters;
  private final long maxBodyBytes;
  private final Redactor redactor;
  private final Logger logger;
  private final org.slf4j.event.Level logLevel;

  private HttpLogger(
      Level level,
      Set<String> allowedHeaders,
      Set<String> allowedQueryParameters,
      Set<String> schemeHeaders,
      Set<String> schemeQueryParameters,
      long maxBodyBytes,
      Redactor redactor,
      Logger logger,
      org.slf4j.event.Level logLevel) {
    this.level = level;
    this.allowedHeaders = Set.copyOf(allowedHeaders);
    this.allowedQueryParameters = Set.copyOf(allowedQueryParameters);
    this.schemeHeaders = Set.copyOf(schemeHeaders);
    this.schemeQueryParameters = Set.copyOf(schemeQueryParameters);
    this.maxBodyBytes = maxBodyBytes;
    this.redactor = redactor;
    this.logger = logger;
    this.logLevel = logLevel;
  }

  /**
   * Starts a logger configuration: level {@link Level#BASIC}, default header allowlist, no query
   * parameter allowed, 4 KiB bodies, {@link Redactor#global()}, SLF4J logger {@code
   * dev.keyguard.http} at {@code INFO}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a logger that also keeps the names {@code scheme} declares redacted: what a client
   * calls when this logger is installed together with an {@link AuthScheme}.
   *
   * @param scheme the scheme whose header and query names carry credentials
   * @return a new logger, or this one if the scheme adds nothing
   * @throws IllegalStateException if one of the scheme's names is allow-listed here (the message
   *     names it)
   */
  public HttpLogger forAuthScheme(AuthScheme scheme) {
    Objects.requireNonNull(scheme, "scheme");
    Set<String> headers = new LinkedHashSet<>(schemeHeaders);
    Set<String> query = new LinkedHashSet<>(schemeQueryParameters);
    headers.addAll(lower(scheme.headerNames()));
    query.addAll(lower(scheme.queryParameterNames()));
    checkNoConflict(allowedHeaders, headers, allowedQueryParameters, query);
    if (headers.equals(schemeHeaders) && query.equals(schemeQueryParameters)) {
      return this;
    }
    return new HttpLogger(
        level, allowedHeaders, allowedQueryParameters, headers, query, maxBodyBytes, redactor, logger, logLevel);
  }

  /**
   * The level.
   *
   * @return what is logged
   */
  public Level level() {
    return level;
  }

  /**
   * Logs the request, proceeds, logs the response (or the failure) and returns the response
   * unchanged, its body unconsumed.
   *
   * @param chain the OkHttp chain
   * @return the response
   * @throws IOException as thrown by the rest of the chain
   */
  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (level == Level.NONE || !logger.isEnabledForLevel(logLevel)) {
      return chain.proceed(request);
    }
    String url = url(request.url());
    log(requestText(request, url));
    long start = System.nanoTime();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException | RuntimeException e) {
      String failure = String.valueOf(e).replace(request.url().toString(), url);
      log("<-- HTTP FAILED " + request.method() + " " + url + ": " + failure);
      throw e;
    }
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    log(responseText(response, tookMs));
    return response;
  }

  /** Returns the configuration, never a value. */
  @Override
  public String toString() {
    return "HttpLogger[level=" + level + ", allowedHeaders=" + allowedHeaders.size()
        + ", allowedQueryParameters=" + allowedQueryParameters.size() + "]";
  }

  private void log(String text) {
    logger.atLevel(logLevel).log(redactor.redact(text));
  }

  private String requestText(Request request, String url) {
    StringBuilder b = new StringBuilder("--> ").append(request.method()).append(' ').append(url);
    RequestBody body = request.body();
    long length = contentLength(body);
    if (level == Level.BASIC && length >= 0) {
      b.append(" (").append(length).append("-byte body)");
    }
    if (level.compareTo(Level.HEADERS) >= 0) {
      if (body != null && body.contentType() != null && request.header("Content-Type") == null) {
        b.append("\nContent-Type: ").append(body.contentType());
      }
      if (length >= 0 && request.header("Content-Length") == null) {
        b.append("\nContent-Length: ").append(length);
      }
      appendHeaders(b, request.headers());
      if (level == Level.BODY && body != null) {
        b.append("\n\n").append(requestBody(body, request.headers()));
      }
      b.append("\n--> END ").append(request.method());
    }
    return b.toString();
  }

  private String responseText(Response response, long tookMs) {
    StringBuilder b =
        new StringBuilder("<-- ")
            .append(response.code())
            .append(response.message().isEmpty() ? "" : " " + response.message())
            .append(' ')
            .append(url(response.request().url()))
            .append(" (")
            .append(tookMs)
            .append(" ms");
    long length = response.body().contentLength();
    if (level == Level.BASIC && length >= 0) {
      b.append(", ").append(length).append("-byte body");
    }
    b.append(')');
    if (level.compareTo(Level.HEADERS) >= 0) {
      appendHeaders(b, response.headers());
      if (level == Level.BODY) {
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
      b.append('\n').append(name).append(": ").append(headerAllowed(name) ? headers.value(i) : REDACTED);
    }
  }

  private boolean headerAllowed(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return allowedHeaders.contains(lower)
        && !schemeHeaders.contains(lower)
        && !ALWAYS_REDACTED_HEADERS.contains(lower);
  }

  private boolean queryParameterAllowed(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return allowedQueryParameters.contains(lower)
        && !schemeQueryParameters.contains(lower)
        && !ALWAYS_REDACTED_QUERY_PARAMETERS.contains(lower);
  }

  /** The URL without user info or fragment, each query value shown only if allow-listed. */
  String url(HttpUrl url) {
    return SafeUrl.render(url, this::queryParameterAllowed, REDACTED);
  }

  private String requestBody(RequestBody body, Headers headers) {
    if (body instanceof FormBody form) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < form.size(); i++) {
        if (i > 0) {
          b.append('&');
        }
        b.append(form.encodedName(i)).append('=')
            .append(queryParameterAllowed(form.name(i)) ? form.encodedValue(i) : REDACTED);
      }
      return cap(redactor.redact(b.toString()));
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
    if (length < 0 || length > MAX_BUFFERED_REQUEST_BODY) {
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
        return cap(redactor.redact(maskForm(buffer.readString(charset))));
      }
      return decode(buffer, body.contentType(), length);
    } catch (IOException e) {
      return "(body unavailable: " + e.getClass().getSimpleName() + ")";
    }
  }

  private String responseBody(Response response) {
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
    long peek = maxBodyBytes + REDACTION_WINDOW_BYTES;
    try (ResponseBody peeked = response.peekBody(peek)) {
      Buffer buffer = new Buffer();
      peeked.source().readAll(buffer);
      long total = length >= 0 ? length : buffer.size() < peek ? buffer.size() : -1;
      return decode(buffer, type, total);
    } catch (IOException e) {
      return "(body unavailable: " + e.getClass().getSimpleName() + ")";
    }
  }

  /**
   * Decodes the buffer, redacts it, then keeps at most {@link #maxBodyBytes} chars; notes a
   * truncation.
   */
  private String decode(Buffer buffer, MediaType type, long total) throws IOException {
    Charset charset = type == null ? StandardCharsets.UTF_8 : type.charset(StandardCharsets.UTF_8);
    long shown = Math.min(buffer.size(), maxBodyBytes);
    String text = redactor.redact(buffer.readString(charset));
    if (total < 0 || total > shown) {
      return prefix(text, shown)
          + "\n...(truncated at " + shown + " bytes" + (total > 0 ? " of " + total : "") + ")";
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

  /** An encoded form with each value whose name is not allow-listed replaced by {@link #REDACTED}. */
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
      b.append(name != null && queryParameterAllowed(name) ? pair.substring(eq + 1) : REDACTED);
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

  private static Set<String> lower(Collection<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (String n : names) {
      out.add(n.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private static void checkNoConflict(
      Set<String> allowedHeaders,
      Set<String> schemeHeaders,
      Set<String> allowedQuery,
      Set<String> schemeQuery) {
    List<String> conflicts = new ArrayList<>();
    for (String h : schemeHeaders) {
      if (allowedHeaders.contains(h)) {
        conflicts.add("header '" + h + "'");
      }
    }
    for (String q : schemeQuery) {
      if (allowedQuery.contains(q)) {
        conflicts.add("query parameter '" + q + "'");
      }
    }
    if (!conflicts.isEmpty()) {
      Collections.sort(conflicts);
      throw new IllegalStateException(
          "HttpLogger allow-lists " + String.join(", ", conflicts)
              + ", which the AuthScheme uses for credentials: remove it from the allowlist");
    }
  }

  /**
   * Configures an {@link HttpLogger}. Each setting is checked when it is set; {@link #build()}
   * checks the allowlists against the auth schemes. Not thread-safe.
   */
  public static final class Builder {
    private Level level = Level.BASIC;
    private final Set<String> allowedHeaders = new LinkedHashSet<>(DEFAULT_ALLOWED_HEADERS);
    private final Set<String> allowedQueryParameters = new LinkedHashSet<>();
    private final Set<String> schemeHeaders = new LinkedHashSet<>();
    private final Set<String> schemeQueryParameters = new LinkedHashSet<>();
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private Redactor redactor = Redactor.global();
    private Logger logger = LoggerFactory.getLogger("dev.keyguard.http");
    private org.slf4j.event.Level logLevel = org.slf4j.event.Level.INFO;

    private Builder() {}

    /**
     * What is logged. Default {@link Level#BASIC}.
     *
     * @param level the level
     * @return this builder
     */
    public Builder level(Level level) {
      this.level = Objects.requireNonNull(level, "level");
      return this;
    }

    /**
     * Shows the values of a header.
     *
     * @param name the header name, any case
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or in {@link #ALWAYS_REDACTED_HEADERS}
     */
    public Builder allowHeader(String name) {
      allowedHeaders.add(checkName(name, ALWAYS_REDACTED_HEADERS, "header"));
      return this;
    }

    /**
     * Replaces the header allowlist (the defaults included) with the given names.
     *
     * @param names the header names, any case; empty shows no header value
     * @return this builder
     * @throws IllegalArgumentException if a name is blank or in {@link #ALWAYS_REDACTED_HEADERS}
     */
    public Builder allowedHeaders(Collection<String> names) {
      Set<String> checked = new LinkedHashSet<>();
      for (String n : Objects.requireNonNull(names, "names")) {
        checked.add(checkName(n, ALWAYS_REDACTED_HEADERS, "header"));
      }
      allowedHeaders.clear();
      allowedHeaders.addAll(checked);
      return this;
    }

    /**
     * Shows the values of a query parameter (and of the form field of that name).
     *
     * @param name the parameter name, any case
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or in {@link
     *     #ALWAYS_REDACTED_QUERY_PARAMETERS}
     */
    public Builder allowQueryParameter(String name) {
      allowedQueryParameters.add(checkName(name, ALWAYS_REDACTED_QUERY_PARAMETERS, "query parameter"));
      return this;
    }

    /**
     * Declares an auth scheme whose header and query names must stay redacted; {@link #build()}
     * fails if one of them is allow-listed.
     *
     * @param scheme the scheme
     * @return this builder
     */
    public Builder authScheme(AuthScheme scheme) {
      Objects.requireNonNull(scheme, "scheme");
      schemeHeaders.addAll(lower(scheme.headerNames()));
      schemeQueryParameters.addAll(lower(scheme.queryParameterNames()));
      return this;
    }

    /**
     * The maximum number of body bytes logged at {@link Level#BODY}. Default {@link
     * #DEFAULT_MAX_BODY_BYTES}.
     *
     * @param maxBodyBytes 0 to 1 MiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxBodyBytes(long maxBodyBytes) {
      if (maxBodyBytes < 0 || maxBodyBytes > MAX_BUFFERED_REQUEST_BODY) {
        throw new IllegalArgumentException("maxBodyBytes must be between 0 and 1048576: " + maxBodyBytes);
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * The redactor every logged text passes through. Default {@link Redactor#global()}.
     *
     * @param redactor the redactor
     * @return this builder
     */
    public Builder redactor(Redactor redactor) {
      this.redactor = Objects.requireNonNull(redactor, "redactor");
      return this;
    }

    /**
     * The SLF4J logger written to. Default {@code dev.keyguard.http}.
     *
     * @param logger the logger
     * @return this builder
     */
    public Builder logger(Logger logger) {
      this.logger = Objects.requireNonNull(logger, "logger");
      return this;
    }

    /**
     * The SLF4J level of the events. Default {@code INFO}.
     *
     * @param logLevel the level
     * @return this builder
     */
    public Builder logLevel(org.slf4j.event.Level logLevel) {
      this.logLevel = Objects.requireNonNull(logLevel, "logLevel");
      return this;
    }

    /**
     * Creates the logger.
     *
     * @return a new, immutable logger
     * @throws IllegalStateException if an allow-listed name is one a declared {@link AuthScheme}
     *     uses
     */
    public HttpLogger build() {
      checkNoConflict(allowedHeaders, schemeHeaders, allowedQueryParameters, schemeQueryParameters);
      return new HttpLogger(
          level,
          allowedHeaders,
          allowedQueryParameters,
          schemeHeaders,
          schemeQueryParameters,
          maxBodyBytes,
          redactor,
          logger,
          logLevel);
    }

    private static String checkName(String name, Set<String> forbidden, String what) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a " + what + " name must not be blank");
      }
      String lower = name.strip().toLowerCase(Locale.ROOT);
      if (forbidden.contains(lower)) {
        throw new IllegalArgumentException(
            "the " + what + " '" + name + "' carries credentials and can never be allow-listed");
      }
      return lower;
    }
  }
}
