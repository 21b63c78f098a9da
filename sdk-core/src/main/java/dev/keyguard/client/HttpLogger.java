package dev.keyguard.client;

import dev.keyguard.Redactor;
import dev.keyguard.TimeSource;
import dev.keyguard.auth.AuthScheme;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OkHttp interceptor that logs requests and responses with nothing secret in them: an allowlist
 * decides which header and query-parameter values are shown (as the Azure SDK's {@code
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
 *   <li>Bodies: only textual content types, up to {@link Builder#maxBodyBytes(long)} bytes (default
 *       4 KiB, read without consuming the response), never one-shot, duplex, compressed or
 *       server-sent-event bodies; then the {@code Redactor}. What is read is redacted whole before
 *       it is cut to size, and when a response body is longer than what is read, the end of the
 *       read (where a secret could be cut in two) is left out first, so no part of a live secret is
 *       shown wherever it falls.
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

  private final Level level;
  private final Set<String> allowedHeaders;
  private final Set<String> allowedQueryParameters;
  private final Set<String> schemeHeaders;
  private final Set<String> schemeQueryParameters;
  private final long maxBodyBytes;
  private final TimeSource time;
  private final Logger logger;
  private final org.slf4j.event.Level logLevel;
  private final HttpLogText text;

  private HttpLogger(
      Level level,
      Set<String> allowedHeaders,
      Set<String> allowedQueryParameters,
      Set<String> schemeHeaders,
      Set<String> schemeQueryParameters,
      long maxBodyBytes,
      TimeSource time,
      Logger logger,
      org.slf4j.event.Level logLevel) {
    this.level = level;
    this.allowedHeaders = Set.copyOf(allowedHeaders);
    this.allowedQueryParameters = Set.copyOf(allowedQueryParameters);
    this.schemeHeaders = Set.copyOf(schemeHeaders);
    this.schemeQueryParameters = Set.copyOf(schemeQueryParameters);
    this.maxBodyBytes = maxBodyBytes;
    this.time = time;
    this.logger = logger;
    this.logLevel = logLevel;
    this.text =
        new HttpLogText(
            level, maxBodyBytes, this::headerAllowed, this::queryParameterAllowed, this::url);
  }

  /**
   * Starts a logger configuration: level {@link Level#BASIC}, default header allowlist, no query
   * parameter allowed, 4 KiB bodies, the system time source, SLF4J logger {@code dev.keyguard.http}
   * at {@code INFO}.
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
        level,
        allowedHeaders,
        allowedQueryParameters,
        headers,
        query,
        maxBodyBytes,
        time,
        logger,
        logLevel);
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
    log(text.requestText(request, url));
    long start = time.nanoTime();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException | RuntimeException e) {
      String failure = String.valueOf(e).replace(request.url().toString(), url);
      log("<-- HTTP FAILED " + request.method() + " " + url + ": " + failure);
      throw e;
    }
    long tookMs = TimeUnit.NANOSECONDS.toMillis(time.nanoTime() - start);
    log(text.responseText(response, tookMs));
    return response;
  }

  /** Returns the configuration, never a value. */
  @Override
  public String toString() {
    return "HttpLogger[level="
        + level
        + ", allowedHeaders="
        + allowedHeaders.size()
        + ", allowedQueryParameters="
        + allowedQueryParameters.size()
        + "]";
  }

  private void log(String event) {
    logger.atLevel(logLevel).log(Redactor.global().redact(event));
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
          "HttpLogger allow-lists "
              + String.join(", ", conflicts)
              + ", which the AuthScheme uses for credentials: remove it from the allowlist");
    }
  }

  /**
   * Configures an {@link HttpLogger}, following the {@linkplain dev.keyguard.client builder rules};
   * {@link #build()} checks the allowlists against the auth schemes.
   */
  public static final class Builder {
    private Level level = Level.BASIC;
    private final Set<String> allowedHeaders = new LinkedHashSet<>(DEFAULT_ALLOWED_HEADERS);
    private final Set<String> allowedQueryParameters = new LinkedHashSet<>();
    private final Set<String> schemeHeaders = new LinkedHashSet<>();
    private final Set<String> schemeQueryParameters = new LinkedHashSet<>();
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private TimeSource time = TimeSource.system();
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
      allowedQueryParameters.add(
          checkName(name, ALWAYS_REDACTED_QUERY_PARAMETERS, "query parameter"));
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
      if (maxBodyBytes < 0 || maxBodyBytes > BodyPeek.MAX_BUFFERED_BODY) {
        throw new IllegalArgumentException(
            "maxBodyBytes must be between 0 and 1048576: " + maxBodyBytes);
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * The time source that measures how long each call took. Default {@link TimeSource#system()}.
     *
     * @param time the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource time) {
      this.time = Objects.requireNonNull(time, "time");
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
          time,
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
