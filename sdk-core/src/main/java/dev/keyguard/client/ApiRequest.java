package dev.keyguard.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import okhttp3.RequestBody;
import org.jspecify.annotations.Nullable;

/**
 * One call to the API, as a value: the method, a path relative to the client's base URL, query
 * parameters, an optional body and extra headers. {@link KeyGuardClient#send(ApiRequest, Class)}
 * sends it; {@code get} and {@code post} on the client are shorthands for the common cases.
 *
 * <p>The credential is never part of the request: the client's {@link dev.keyguard.auth.AuthScheme}
 * adds it to each attempt. Instances are immutable and thread-safe if the body is; {@link
 * #toString()} shows the method, path and parameter names, never a value.
 *
 * <pre>{@code
 * ApiRequest cancel = ApiRequest.builder("DELETE", "/orders/7")
 *     .queryParameter("symbol", "BTCUSDT")
 *     .header("X-Idempotency-Key", idempotencyKey)
 *     .build();
 * ApiResponse<Order> response = client.send(cancel, Order.class);
 * }</pre>
 */
public final class ApiRequest {

  private final String method;
  private final String path;
  private final Map<String, String> queryParameters;
  private final @Nullable Object body;
  private final Map<String, String> headers;

  private static final Map<String, String> EMPTY_HEADERS =
      Collections.unmodifiableMap(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));

  private ApiRequest(Builder b) {
    this.method = b.method;
    this.path = b.path;
    // a request without query or headers (most GETs) shares the empty maps
    this.queryParameters =
        b.queryParameters.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(b.queryParameters));
    this.body = b.body;
    if (b.headers.isEmpty()) {
      this.headers = EMPTY_HEADERS;
    } else {
      Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      h.putAll(b.headers);
      this.headers = Collections.unmodifiableMap(h);
    }
  }

  /**
   * Starts a request.
   *
   * @param method the HTTP method, such as {@code GET} or {@code delete} (any case)
   * @param path a path relative to the base URL, such as {@code /price} or {@code price/latest};
   *     already percent-encoded segments are kept
   * @return a builder
   * @throws IllegalArgumentException if the method is not a method name, or the path is absolute,
   *     holds a query, a fragment or a {@code .} / {@code ..} segment
   */
  public static Builder builder(String method, String path) {
    return new Builder(method, path);
  }

  /**
   * A GET of a path, without query parameters.
   *
   * @param path the path relative to the base URL
   * @return the request
   * @throws IllegalArgumentException as for {@link #builder(String, String)}
   */
  public static ApiRequest get(String path) {
    return builder("GET", path).build();
  }

  /**
   * A GET of a path with query parameters.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the parameters, in iteration order
   * @return the request
   * @throws IllegalArgumentException as for {@link #builder(String, String)}, or if a parameter
   *     name or value is null
   */
  public static ApiRequest get(String path, Map<String, ?> queryParameters) {
    return builder("GET", path).queryParameters(queryParameters).build();
  }

  /**
   * A POST of a body to a path.
   *
   * @param path the path relative to the base URL
   * @param body the body, see {@link Builder#body(Object)}
   * @return the request
   * @throws IllegalArgumentException as for {@link #builder(String, String)}
   */
  public static ApiRequest post(String path, Object body) {
    return builder("POST", path).body(body).build();
  }

  /**
   * Returns a builder holding this request's values, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(method, path);
    b.queryParameters.putAll(queryParameters);
    b.body = body;
    b.headers.putAll(headers);
    return b;
  }

  /**
   * The HTTP method, upper case.
   *
   * @return the method
   */
  public String method() {
    return method;
  }

  /**
   * The path relative to the base URL.
   *
   * @return the path, as given
   */
  public String path() {
    return path;
  }

  /**
   * The query parameters.
   *
   * @return an unmodifiable map in the order given
   */
  public Map<String, String> queryParameters() {
    return queryParameters;
  }

  /**
   * The body.
   *
   * @return the body object (serialized as JSON when sent) or OkHttp {@link RequestBody}, if any
   */
  public Optional<Object> body() {
    return Optional.ofNullable(body);
  }

  /**
   * The extra request headers.
   *
   * @return an unmodifiable map, case-insensitive keys
   */
  public Map<String, String> headers() {
    return headers;
  }

  /** Shows the method, path and the names of the query parameters and headers; never a value. */
  @Override
  public String toString() {
    return "ApiRequest["
        + method
        + " "
        + path
        + (queryParameters.isEmpty() ? "" : ", query=" + queryParameters.keySet())
        + (headers.isEmpty() ? "" : ", headers=" + headers.keySet())
        + (body == null ? "" : ", body=" + body.getClass().getSimpleName())
        + "]";
  }

  /** Builds an {@link ApiRequest}, following the {@linkplain dev.keyguard.client builder rules}. */
  public static final class Builder {
    private final String method;
    private final String path;
    private final Map<String, String> queryParameters = new LinkedHashMap<>();
    private @Nullable Object body;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    private Builder(String method, String path) {
      this.method = normalizeMethod(method);
      this.path = RequestUrls.checkPath(path);
    }

    /**
     * Sets a query parameter, replacing an earlier value of that name; parameters keep the order in
     * which their names were first set.
     *
     * @param name the name
     * @param value the value, rendered with {@code String.valueOf}
     * @return this builder
     */
    public Builder queryParameter(String name, Object value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      queryParameters.put(name, String.valueOf(value));
      return this;
    }

    /**
     * Replaces all query parameters.
     *
     * @param parameters the parameters, in iteration order (use a {@code LinkedHashMap} where order
     *     matters); values are rendered with {@code String.valueOf}
     * @return this builder
     * @throws IllegalArgumentException if a name or value is null
     */
    public Builder queryParameters(Map<String, ?> parameters) {
      Objects.requireNonNull(parameters, "parameters");
      for (Map.Entry<String, ?> e : parameters.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("query parameter names and values must not be null");
        }
      }
      queryParameters.clear();
      for (Map.Entry<String, ?> e : parameters.entrySet()) {
        queryParameters.put(e.getKey(), String.valueOf(e.getValue()));
      }
      return this;
    }

    /**
     * Sets the body: serialized with the client's Jackson mapper, or sent as is if it is an OkHttp
     * {@link RequestBody} (a form, say). A {@code String} is serialized as a JSON string. Without a
     * body, POST, PUT and PATCH send an empty one.
     *
     * @param body the body
     * @return this builder
     */
    public Builder body(Object body) {
      this.body = Objects.requireNonNull(body, "body");
      return this;
    }

    /**
     * Sets a request header, replacing an earlier value of that name. The auth scheme's own headers
     * are set after it and win.
     *
     * @param name a header name
     * @param value the value; printed by the HTTP logger only if the name is allow-listed
     * @return this builder
     * @throws IllegalArgumentException if the name is not a valid header name or the value holds a
     *     control character (the value is not echoed)
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
        throw new IllegalArgumentException("'" + name + "' is not a valid header name");
      }
      if (!value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f))) {
        throw new IllegalArgumentException(
            "the value of header '" + name + "' holds a control character");
      }
      headers.put(name, value);
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     */
    public ApiRequest build() {
      return new ApiRequest(this);
    }

    private static String normalizeMethod(String method) {
      Objects.requireNonNull(method, "method");
      switch (method) {
        case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS":
          return method; // the usual spelling: nothing to normalise
        default:
          break;
      }
      String m = method.trim().toUpperCase(Locale.ROOT);
      if (m.isEmpty() || !m.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
        throw new IllegalArgumentException("method must be an HTTP method name such as PUT");
      }
      return m;
    }
  }
}
