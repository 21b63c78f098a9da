package dev.keyguard.client;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.Redactor;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.UnknownServiceException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Authenticator;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Calls one HTTP API with a managed key: HTTPS only, the credential applied per request by an
 * {@link AuthScheme}, a single retry with a rotated key when the API rejects the current one,
 * throttling and {@code Retry-After} handled, JSON decoded with Jackson.
 *
 * <p>Every protection lives in the {@link OkHttpClient} the client is built on ({@link
 * #okHttpClient()}), in this order of interceptors: the {@link HttpsPolicy} (refuses cleartext
 * before a connection is opened, follows redirects itself and strips every credential from a hop
 * to another origin, refuses https→http), the rate limit and retry ({@link RetryOptions}, optional
 * client-side limit), the authenticator ({@link ManagedKey#current()}, {@link AuthScheme}; on a
 * rejection status {@link ManagedKey#rejected(VersionedCredential)} and at most one retry), then
 * the optional logging interceptor; a network interceptor checks, below OkHttp's own retries, that
 * a signed request goes nowhere but the base URL's origin. Credentials are only ever applied to
 * requests for the base URL's origin. OkHttp's own redirect following, response cache and 401
 * authenticator are off.
 *
 * <p>Instances are immutable and thread-safe; share one per API. No thread is created per request:
 * the synchronous methods run on the caller's thread, the asynchronous ones on OkHttp's dispatcher.
 *
 * <pre>{@code
 * KeyGuardClient client = KeyGuardClient.builder()
 *     .baseUrl("https://api.example.com/v2")
 *     .managedKey(keyManager.key(KeyId.of("example-api")))
 *     .authScheme((request, credential) -> request.newBuilder()
 *         .header("x-api-key", credential.apiKey().value(InsecureSecretAccess.get()))
 *         .build())
 *     .retryOptions(RetryOptions.defaults())
 *     .build();
 *
 * Price price = client.get("/price", Map.of("symbol", "BTC"), Price.class);
 * }</pre>
 *
 * <p>Failures are unchecked {@link KeyGuardException}s: {@link ApiResponseException} for a non-2xx
 * response, {@link KeyRejectedException} when the API refused the key and no other version helped,
 * {@link InsecureTransportException} for anything the HTTPS policy or TLS refused, {@link
 * ApiTransportException} for network failures and timeouts, and the {@link ManagedKey}'s own
 * exceptions when no credential can be had. None carries a secret or a URL with a query credential.
 */
public final class KeyGuardClient {

  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  private static final ObjectMapper DEFAULT_MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private final Builder settingsSnapshot;
  private final ClientSettings settings;
  private final OkHttpClient okHttp;
  private final ObjectMapper mapper;

  private KeyGuardClient(Builder b, ClientSettings settings, OkHttpClient okHttp) {
    this.settingsSnapshot = b;
    this.settings = settings;
    this.okHttp = okHttp;
    this.mapper = b.objectMapper != null ? b.objectMapper : DEFAULT_MAPPER;
  }

  /**
   * Starts a client.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this client's settings, to derive a variant (another key, another
   * retry policy). A derived client shares this client's underlying OkHttp connection pool and
   * dispatcher; it gets its own client-side rate limiter.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return settingsSnapshot.copy();
  }

  /**
   * Same as {@link #toBuilder()}, named as in OkHttp.
   *
   * @return a new builder
   */
  public Builder newBuilder() {
    return toBuilder();
  }

  /**
   * The base URL every path is resolved against; its origin is the only one credentials go to.
   *
   * @return the base URL
   */
  public HttpUrl baseUrl() {
    return settings.baseUrl();
  }

  /**
   * The key this client authenticates with.
   *
   * @return the key id
   */
  public KeyId keyId() {
    return settings.managedKey().keyId();
  }

  /**
   * The configured OkHttp client, with every protection installed, for callers who want raw
   * OkHttp. Requests to the base URL's origin are authenticated; requests to other origins are
   * sent without a credential. A refusal or rejection surfaces as an {@link IOException} whose
   * {@link IOException#getCause() cause} is the {@link KeyGuardException} (OkHttp delivers only
   * {@code IOException}s); TLS failures surface as OkHttp reports them.
   *
   * <p>Deriving from it with {@code newBuilder()} keeps the interceptors, but settings changed on
   * the derived builder (connection specs, redirects, cache) are the caller's responsibility.
   *
   * @return the OkHttp client
   */
  public OkHttpClient okHttpClient() {
    return okHttp;
  }

  /**
   * Resolves a path and query parameters against the base URL. The path is appended to the base
   * URL's path ({@code https://api.example.com/v2} + {@code /price} gives {@code /v2/price}); it
   * cannot change the origin.
   *
   * @param path a relative path such as {@code /price} or {@code price/latest}; already
   *     percent-encoded segments are kept
   * @param queryParameters query parameters in iteration order (use a {@code LinkedHashMap} where
   *     order matters); values are rendered with {@code String.valueOf}
   * @return the URL
   * @throws IllegalArgumentException if the path is absolute, holds a query, a fragment or a
   *     {@code .} / {@code ..} segment, or a parameter value is null
   */
  public HttpUrl url(String path, Map<String, ?> queryParameters) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(queryParameters, "queryParameters");
    if (path.contains("://") || path.startsWith("//")) {
      throw new IllegalArgumentException(
          "path must be relative to the base URL " + settings.baseUrl() + ", not an absolute URL");
    }
    if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "path must not contain '?' or '#'; pass query parameters in the map");
    }
    HttpUrl.Builder b = settings.baseUrl().newBuilder();
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (!p.isEmpty()) {
      for (String segment : p.split("/", -1)) {
        String dots = segment.replace("%2e", ".").replace("%2E", ".");
        if (dots.equals(".") || dots.equals("..")) {
          throw new IllegalArgumentException("path must not contain '.' or '..' segments");
        }
        b.addEncodedPathSegment(segment);
      }
    }
    for (Map.Entry<String, ?> e : queryParameters.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException("query parameter names and values must not be null");
      }
      b.addQueryParameter(e.getKey(), String.valueOf(e.getValue()));
    }
    return b.build();
  }

  // ---------------------------------------------------------------------------------- sync calls

  /**
   * Sends a GET and decodes the JSON response.
   *
   * @param path the path relative to the base URL
   * @param type the type to decode into ({@code String} gives the raw body, {@code Void} none)
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws ApiResponseException if the status is not 2xx or the body cannot be decoded
   * @throws KeyRejectedException if the API rejected the key and no other version helped
   * @throws InsecureTransportException if the HTTPS policy or TLS refused the call
   * @throws ApiTransportException on a network failure or timeout
   */
  public <T> T get(String path, Class<T> type) {
    return get(path, Map.of(), type);
  }

  /**
   * Sends a GET with query parameters and decodes the JSON response.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type to decode into
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #get(String, Class)}
   */
  public <T> T get(String path, Map<String, ?> queryParameters, Class<T> type) {
    return getResponse(path, queryParameters, type).body();
  }

  /**
   * Sends a GET and decodes the JSON response into a generic type.
   *
   * @param path the path relative to the base URL
   * @param type the type, such as {@code new TypeReference<List<Price>>() {}}
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #get(String, Class)}
   */
  public <T> T get(String path, TypeReference<T> type) {
    return get(path, Map.of(), type);
  }

  /**
   * Sends a GET with query parameters and decodes the JSON response into a generic type.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #get(String, Class)}
   */
  public <T> T get(String path, Map<String, ?> queryParameters, TypeReference<T> type) {
    return this.<T>execute("GET", url(path, queryParameters), null, javaType(type)).body();
  }

  /**
   * Sends a GET and returns the decoded body with the status, headers and rate-limit headers.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type to decode into
   * @param <T> the result type
   * @return the response
   * @throws KeyGuardException as for {@link #get(String, Class)}
   */
  public <T> ApiResponse<T> getResponse(String path, Map<String, ?> queryParameters, Class<T> type) {
    return execute("GET", url(path, queryParameters), null, javaType(type));
  }

  /**
   * Sends a POST with a JSON body and decodes the JSON response. POST is not idempotent: it is not
   * retried (neither on throttling nor with a rotated key) unless {@link
   * RetryOptions.Builder#retryNonIdempotent(boolean)} allows it.
   *
   * @param path the path relative to the base URL
   * @param body the body: serialized with Jackson, or sent as is if it is an OkHttp {@link
   *     RequestBody} (a form, say); null sends an empty body. A {@code String} is serialized as a
   *     JSON string.
   * @param type the type to decode into
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws IllegalArgumentException if the body cannot be serialized
   * @throws KeyGuardException as for {@link #get(String, Class)}
   */
  public <T> T post(String path, Object body, Class<T> type) {
    return postResponse(path, body, type).body();
  }

  /**
   * Sends a POST and decodes the JSON response into a generic type; see {@link #post(String,
   * Object, Class)}.
   *
   * @param path the path relative to the base URL
   * @param body the body
   * @param type the type
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #get(String, Class)}
   */
  public <T> T post(String path, Object body, TypeReference<T> type) {
    return this.<T>execute("POST", url(path, Map.of()), body, javaType(type)).body();
  }

  /**
   * Sends a POST and returns the decoded body with the status, headers and rate-limit headers;
   * see {@link #post(String, Object, Class)}.
   *
   * @param path the path relative to the base URL
   * @param body the body
   * @param type the type to decode into
   * @param <T> the result type
   * @return the response
   * @throws KeyGuardException as for {@link #get(String, Class)}
   */
  public <T> ApiResponse<T> postResponse(String path, Object body, Class<T> type) {
    return execute("POST", url(path, Map.of()), body, javaType(type));
  }

  /**
   * Sends a request with any method. Only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE,
   * TRACE) are retried unless the retry options allow others.
   *
   * @param method the HTTP method, such as {@code PUT} or {@code DELETE}
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param body the body as for {@link #post(String, Object, Class)}; null for none (an empty
   *     body for methods that need one)
   * @param type the type to decode into
   * @param <T> the result type
   * @return the response
   * @throws KeyGuardException as for {@link #get(String, Class)}
   */
  public <T> ApiResponse<T> exchange(
      String method, String path, Map<String, ?> queryParameters, Object body, Class<T> type) {
    return execute(normalizeMethod(method), url(path, queryParameters), body, javaType(type));
  }

  // --------------------------------------------------------------------------------- async calls

  /**
   * Sends a GET on OkHttp's dispatcher and decodes the JSON response. The future fails with the
   * exceptions {@link #get(String, Class)} throws; cancelling it cancels the call.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type to decode into
   * @param <T> the result type
   * @return a future of the decoded body
   */
  public <T> CompletableFuture<T> getAsync(String path, Map<String, ?> queryParameters, Class<T> type) {
    return this.<T, T>executeAsync("GET", url(path, queryParameters), null, javaType(type), ApiResponse::body);
  }

  /**
   * Sends a GET on OkHttp's dispatcher and decodes the JSON response into a generic type.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type
   * @param <T> the result type
   * @return a future of the decoded body
   */
  public <T> CompletableFuture<T> getAsync(
      String path, Map<String, ?> queryParameters, TypeReference<T> type) {
    return this.<T, T>executeAsync("GET", url(path, queryParameters), null, javaType(type), ApiResponse::body);
  }

  /**
   * Sends a GET on OkHttp's dispatcher and completes with the full response.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type to decode into
   * @param <T> the result type
   * @return a future of the response
   */
  public <T> CompletableFuture<ApiResponse<T>> getResponseAsync(
      String path, Map<String, ?> queryParameters, Class<T> type) {
    return executeAsync(
        "GET", url(path, queryParameters), null, javaType(type), Function.<ApiResponse<T>>identity());
  }

  /**
   * Sends a POST on OkHttp's dispatcher and decodes the JSON response; see {@link #post(String,
   * Object, Class)}.
   *
   * @param path the path relative to the base URL
   * @param body the body
   * @param type the type to decode into
   * @param <T> the result type
   * @return a future of the decoded body
   */
  public <T> CompletableFuture<T> postAsync(String path, Object body, Class<T> type) {
    return this.<T, T>executeAsync("POST", url(path, Map.of()), body, javaType(type), ApiResponse::body);
  }

  /**
   * Sends a POST on OkHttp's dispatcher and completes with the full response.
   *
   * @param path the path relative to the base URL
   * @param body the body
   * @param type the type to decode into
   * @param <T> the result type
   * @return a future of the response
   */
  public <T> CompletableFuture<ApiResponse<T>> postResponseAsync(String path, Object body, Class<T> type) {
    return executeAsync(
        "POST", url(path, Map.of()), body, javaType(type), Function.<ApiResponse<T>>identity());
  }

  /**
   * Sends a request with any method on OkHttp's dispatcher; see {@link #exchange(String, String,
   * Map, Object, Class)}.
   *
   * @param method the HTTP method
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param body the body, or null
   * @param type the type to decode into
   * @param <T> the result type
   * @return a future of the response
   */
  public <T> CompletableFuture<ApiResponse<T>> exchangeAsync(
      String method, String path, Map<String, ?> queryParameters, Object body, Class<T> type) {
    return executeAsync(
        normalizeMethod(method),
        url(path, queryParameters),
        body,
        javaType(type),
        Function.<ApiResponse<T>>identity());
  }

  // ------------------------------------------------------------------------------------ plumbing

  private <T> ApiResponse<T> execute(String method, HttpUrl url, Object body, JavaType type) {
    Request request = request(method, url, body);
    try (Response response = okHttp.newCall(request).execute()) {
      return toApiResponse(response, type);
    } catch (IOException e) {
      throw translate(e, request);
    }
  }

  private <T, R> CompletableFuture<R> executeAsync(
      String method, HttpUrl url, Object body, JavaType type, Function<ApiResponse<T>, R> finish) {
    Request request = request(method, url, body);
    CompletableFuture<R> future = new CompletableFuture<>();
    Call call = okHttp.newCall(request);
    future.whenComplete(
        (r, t) -> {
          if (future.isCancelled()) {
            call.cancel();
          }
        });
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            future.completeExceptionally(translate(e, request));
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              ApiResponse<T> decoded = toApiResponse(response, type);
              future.complete(finish.apply(decoded));
            } catch (IOException e) {
              future.completeExceptionally(translate(e, request));
            } catch (RuntimeException e) {
              future.completeExceptionally(e);
            }
          }
        });
    return future;
  }

  private Request request(String method, HttpUrl url, Object body) {
    Request.Builder b = new Request.Builder().url(url).header("Accept", "application/json");
    RequestBody requestBody;
    if (body instanceof RequestBody) {
      requestBody = (RequestBody) body;
    } else if (body != null) {
      try {
        requestBody = RequestBody.create(mapper.writeValueAsBytes(body), JSON);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            Redactor.global().redact(
                "the request body (" + body.getClass().getSimpleName()
                    + ") cannot be serialized as JSON: " + e.getOriginalMessage()));
      }
    } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      requestBody = RequestBody.create(new byte[0], null);
    } else {
      requestBody = null;
    }
    return b.method(method, requestBody).build();
  }

  private <T> ApiResponse<T> toApiResponse(Response response, JavaType type) throws IOException {
    if (!response.isSuccessful()) {
      throw ApiResponseException.from(response, settings, null, null, null);
    }
    ResponseBody body = response.body();
    byte[] bytes = body.bytes();
    T value = decode(response, bytes, body.contentType(), type);
    return new ApiResponse<>(
        response.code(),
        response.headers(),
        value,
        settings.headerSelector().rateLimitHeaders(response.headers()),
        ResponseHeaderSelector.requestId(response.headers()));
  }

  @SuppressWarnings("unchecked")
  private <T> T decode(Response response, byte[] bytes, MediaType contentType, JavaType type) {
    Class<?> raw = type.getRawClass();
    if (raw == Void.class || raw == void.class || bytes.length == 0) {
      return null;
    }
    if (raw == byte[].class) {
      return (T) bytes;
    }
    if (raw == String.class) {
      Charset charset = contentType == null ? null : contentType.charset(null);
      return (T) new String(bytes, charset != null ? charset : StandardCharsets.UTF_8);
    }
    try {
      return mapper.readValue(bytes, type);
    } catch (JsonProcessingException e) {
      throw ApiResponseException.from(
          response,
          settings,
          bytes,
          "the body could not be decoded as " + type.toCanonical() + " (" + e.getOriginalMessage() + ")",
          null);
    } catch (IOException e) {
      throw ApiResponseException.from(
          response, settings, bytes, "the body could not be read as JSON", null);
    }
  }

  /** Maps an OkHttp failure to the KeyGuard exception a caller can act on. */
  private KeyGuardException translate(IOException e, Request request) {
    KeyGuardException carried = KeyGuardIOException.find(e);
    if (carried != null) {
      return carried;
    }
    String target = request.method() + " " + settings.safeUrl(request.url());
    KeyId keyId = settings.managedKey().keyId();
    if (e instanceof SSLPeerUnverifiedException) {
      return new InsecureTransportException(
          target + ": the server's certificate was refused (certificate pin or host name"
              + " mismatch); no request was sent. " + firstLine(e.getMessage()),
          e,
          keyId,
          null);
    }
    if (e instanceof SSLHandshakeException) {
      return new InsecureTransportException(
          target + ": the TLS handshake failed and no request was sent; KeyGuard requires TLS 1.2"
              + " or 1.3 with a trusted certificate (" + firstLine(e.getMessage()) + ")",
          e,
          keyId,
          null);
    }
    if (e instanceof UnknownServiceException) {
      return new InsecureTransportException(
          target + ": refused by the connection policy, no request was sent ("
              + firstLine(e.getMessage()) + ")",
          e,
          keyId,
          null);
    }
    String message = e.getMessage();
    return new ApiTransportException(
        target + " failed: " + e.getClass().getSimpleName()
            + (message == null ? "" : " (" + firstLine(message) + ")")
            + "; the call may succeed if retried",
        e,
        keyId,
        null,
        true);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  private JavaType javaType(Class<?> type) {
    Objects.requireNonNull(type, "type");
    return mapper.getTypeFactory().constructType(type);
  }

  private JavaType javaType(TypeReference<?> type) {
    Objects.requireNonNull(type, "type");
    return mapper.getTypeFactory().constructType(type);
  }

  private static String normalizeMethod(String method) {
    Objects.requireNonNull(method, "method");
    String m = method.trim().toUpperCase(Locale.ROOT);
    if (m.isEmpty() || !m.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
      throw new IllegalArgumentException("method must be an HTTP method name such as PUT");
    }
    return m;
  }

  /** Shows the base URL, key id and policies; never a credential. */
  @Override
  public String toString() {
    return "KeyGuardClient[baseUrl=" + settings.baseUrl()
        + ", keyId=" + keyId()
        + ", authScheme=" + settings.authScheme().getClass().getSimpleName()
        + ", " + settings.httpsPolicy()
        + ", " + settings.retryOptions() + "]";
  }

  /** The OkHttp client used when the caller gives none; shared so clients share one pool. */
  private static final class DefaultOkHttp {
    static final OkHttpClient INSTANCE = new OkHttpClient();
  }

  /**
   * Builds a {@link KeyGuardClient}. Each setting is checked when it is set; {@link #build()}
   * names a missing or conflicting one. Not thread-safe.
   */
  public static final class Builder {
    private HttpUrl baseUrl;
    private ManagedKey managedKey;
    private AuthScheme authScheme;
    private HttpsPolicy httpsPolicy = HttpsPolicy.strict();
    private RetryOptions retryOptions = RetryOptions.defaults();
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration writeTimeout;
    private Duration callTimeout;
    private OkHttpClient okHttpClient;
    private ObjectMapper objectMapper;
    private int rateLimitRequests;
    private Duration rateLimitInterval;
    private Set<Integer> rejectionStatuses = Set.of(401, 403);
    private BodyRejectionMatcher bodyRejectionMatcher;
    private List<String> rateLimitHeaderPrefixes = ResponseHeaderSelector.DEFAULT_RATE_LIMIT_PREFIXES;
    private Interceptor loggingInterceptor;
    private TimeSource timeSource = TimeSource.SYSTEM;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.baseUrl = baseUrl;
      b.managedKey = managedKey;
      b.authScheme = authScheme;
      b.httpsPolicy = httpsPolicy;
      b.retryOptions = retryOptions;
      b.connectTimeout = connectTimeout;
      b.readTimeout = readTimeout;
      b.writeTimeout = writeTimeout;
      b.callTimeout = callTimeout;
      b.okHttpClient = okHttpClient;
      b.objectMapper = objectMapper;
      b.rateLimitRequests = rateLimitRequests;
      b.rateLimitInterval = rateLimitInterval;
      b.rejectionStatuses = rejectionStatuses;
      b.bodyRejectionMatcher = bodyRejectionMatcher;
      b.rateLimitHeaderPrefixes = rateLimitHeaderPrefixes;
      b.loggingInterceptor = loggingInterceptor;
      b.timeSource = timeSource;
      return b;
    }

    /**
     * Sets the base URL (required). It must be https; paths given to the calls are appended to
     * its path, and its origin is the only one credentials are sent to.
     *
     * @param baseUrl such as {@code https://api.example.com/v2}
     * @return this builder
     * @throws IllegalArgumentException if it is not an http(s) URL, or has user info, a query or
     *     a fragment (the URL is not echoed: it might hold a key)
     */
    public Builder baseUrl(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      HttpUrl parsed = HttpUrl.parse(baseUrl.trim());
      if (parsed == null) {
        throw new IllegalArgumentException("baseUrl is not a valid http(s) URL");
      }
      return baseUrl(parsed);
    }

    /**
     * Sets the base URL (required); see {@link #baseUrl(String)}.
     *
     * @param baseUrl the URL
     * @return this builder
     * @throws IllegalArgumentException if it has user info, a query or a fragment
     */
    public Builder baseUrl(HttpUrl baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      if (!baseUrl.username().isEmpty() || !baseUrl.password().isEmpty()) {
        throw new IllegalArgumentException(
            "baseUrl must not contain user info: credentials belong in a managed key");
      }
      if (baseUrl.query() != null) {
        throw new IllegalArgumentException(
            "baseUrl must not contain a query: pass query parameters per call (a query key belongs"
                + " in a managed key with a query-parameter AuthScheme)");
      }
      if (baseUrl.fragment() != null) {
        throw new IllegalArgumentException("baseUrl must not contain a fragment");
      }
      this.baseUrl = baseUrl;
      return this;
    }

    /**
     * Applies an API preset: its base URL, a new instance of its auth scheme, its rejection
     * statuses, its rejection error codes if it names the body field they are in ({@link
     * ApiPreset#rejectionErrorField()}; otherwise body matching is turned off), and its rate-limit
     * headers (added to the default prefixes). Settings made after this call override the preset's.
     *
     * <pre>{@code
     * KeyGuardClient client = KeyGuardClient.builder()
     *     .preset(ApiPresets.TOKEN_METRICS)
     *     .managedKey(keyManager.key(KeyId.of("token-metrics")))
     *     .build();
     * }</pre>
     *
     * @param preset the preset
     * @return this builder
     */
    public Builder preset(ApiPreset preset) {
      Objects.requireNonNull(preset, "preset");
      baseUrl(preset.baseUrl());
      authScheme(preset.authScheme());
      rejectionStatuses(preset.rejectionStatuses().stream().mapToInt(Integer::intValue).toArray());
      this.bodyRejectionMatcher =
          preset
              .rejectionErrorField()
              .map(field -> new BodyRejectionMatcher(field, preset.rejectionErrorCodes()))
              .orElse(null);
      if (!preset.rateLimitHeaders().isEmpty()) {
        Set<String> prefixes = new LinkedHashSet<>(ResponseHeaderSelector.DEFAULT_RATE_LIMIT_PREFIXES);
        preset.rateLimitHeaders().forEach(h -> prefixes.add(h.toLowerCase(Locale.ROOT)));
        this.rateLimitHeaderPrefixes = List.copyOf(prefixes);
      }
      return this;
    }

    /**
     * Sets the key to authenticate with (required), typically from a {@code KeyManager}.
     *
     * @param managedKey the key
     * @return this builder
     */
    public Builder managedKey(ManagedKey managedKey) {
      this.managedKey = Objects.requireNonNull(managedKey, "managedKey");
      return this;
    }

    /**
     * Sets how the credential is put on each request (required).
     *
     * @param authScheme the scheme
     * @return this builder
     */
    public Builder authScheme(AuthScheme authScheme) {
      this.authScheme = Objects.requireNonNull(authScheme, "authScheme");
      return this;
    }

    /**
     * Sets the transport rules (default {@link HttpsPolicy#strict()}).
     *
     * @param httpsPolicy the policy
     * @return this builder
     */
    public Builder httpsPolicy(HttpsPolicy httpsPolicy) {
      this.httpsPolicy = Objects.requireNonNull(httpsPolicy, "httpsPolicy");
      return this;
    }

    /**
     * Sets the retry policy for throttled and unavailable responses (default {@link
     * RetryOptions#defaults()}).
     *
     * @param retryOptions the options
     * @return this builder
     */
    public Builder retryOptions(RetryOptions retryOptions) {
      this.retryOptions = Objects.requireNonNull(retryOptions, "retryOptions");
      return this;
    }

    /**
     * Sets the connect timeout (default: the OkHttp client's, 10 s).
     *
     * @param timeout zero for none
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the read timeout, per read (default: the OkHttp client's, 10 s).
     *
     * @param timeout zero for none
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = timeout(timeout, "readTimeout");
      return this;
    }

    /**
     * Sets the write timeout, per write (default: the OkHttp client's, 10 s).
     *
     * @param timeout zero for none
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = timeout(timeout, "writeTimeout");
      return this;
    }

    /**
     * Sets the timeout of a whole call: redirects, retries and waits between them included
     * (default: the OkHttp client's, none).
     *
     * @param timeout zero for none
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout(timeout, "callTimeout");
      return this;
    }

    /**
     * Builds on the caller's OkHttp client (derived with {@code newBuilder()}, so connection pool
     * and dispatcher are shared). Its TLS trust, DNS, event listener and interceptors are kept;
     * KeyGuard then turns off OkHttp's redirect following, response cache and 401 authenticator,
     * replaces the connection specs (TLS 1.2+, no cleartext) and, if the policy has any, the
     * certificate pins and proxy. Its network interceptors see authenticated requests: they must
     * not log header or URL values. Default: one OkHttp client shared by all KeyGuard clients.
     *
     * @param okHttpClient the client to derive from; not one returned by {@link
     *     KeyGuardClient#okHttpClient()}
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      this.okHttpClient = Objects.requireNonNull(okHttpClient, "okHttpClient");
      return this;
    }

    /**
     * Sets the Jackson mapper for request and response bodies (default: a mapper that ignores
     * unknown properties).
     *
     * @param objectMapper the mapper
     * @return this builder
     */
    public Builder objectMapper(ObjectMapper objectMapper) {
      this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
      return this;
    }

    /**
     * Limits this client to at most {@code requests} requests in any window of {@code interval}
     * (each attempt, retry and redirect hop counts). A request over the limit waits for its turn,
     * bounded only by the call timeout. Off by default.
     *
     * @param requests 1 to 100 000
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder clientRateLimit(int requests, Duration interval) {
      if (requests < 1 || requests > ClientRateLimiter.MAX_REQUESTS) {
        throw new IllegalArgumentException(
            "clientRateLimit requests must be 1 to " + ClientRateLimiter.MAX_REQUESTS + ", was " + requests);
      }
      Objects.requireNonNull(interval, "interval");
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException("clientRateLimit interval must be positive, was " + interval);
      }
      this.rateLimitRequests = requests;
      this.rateLimitInterval = interval;
      return this;
    }

    /**
     * Sets the statuses with which the API says it refuses the credential (default 401 and 403).
     * On one of them the key is reported to {@link ManagedKey#rejected(VersionedCredential)} and
     * the request is retried once with a different version, if there is one.
     *
     * @param statuses HTTP statuses from 400 to 499; none turns rotation-aware retry off
     * @return this builder
     * @throws IllegalArgumentException if a status is outside 400 to 499
     */
    public Builder rejectionStatuses(int... statuses) {
      Set<Integer> s = new LinkedHashSet<>();
      for (int status : statuses) {
        if (status < 400 || status > 499) {
          throw new IllegalArgumentException("a rejection status must be 400 to 499, was " + status);
        }
        s.add(status);
      }
      this.rejectionStatuses = Set.copyOf(s);
      return this;
    }

    /**
     * Makes the client also recognise a rejected credential by an error code in the response body,
     * for APIs that do not say it with a status (Kraken answers HTTP 200 with {@code
     * {"error":["EAPI:Invalid key"]}}). A 2xx or 4xx response (except 408, 418 and 429) whose
     * top-level JSON field {@code field} holds one of the codes, as a string or number or as an
     * element of an array, is handled like a rejection status: the key is reported to {@link
     * ManagedKey#rejected(VersionedCredential)} and the request retried once with a different
     * version, or the call fails with {@link KeyRejectedException} carrying the status and the
     * code.
     *
     * <p>Only the first {@value BodyRejectionMatcher#PEEK_LIMIT} bytes are peeked at, without
     * consuming the body the caller reads; a client without codes never looks at bodies. List
     * only codes with which the API refuses the credential <em>before processing the request</em>:
     * because such a request was not carried out, it is retried once with the other version even
     * if it is not idempotent (a POST), unlike a rejection status (see {@link
     * RetryOptions.Builder#retryNonIdempotent(boolean)}). A request with a one-shot body is never
     * repeated.
     *
     * @param field the top-level JSON field the API puts its error codes in, such as {@code error}
     * @param codes the codes as the API writes them, such as {@code EAPI:Invalid key}; none turns
     *     body matching off
     * @return this builder
     * @throws IllegalArgumentException if the field or a code is blank
     */
    public Builder rejectionErrorCodes(String field, String... codes) {
      Objects.requireNonNull(field, "field");
      if (field.isBlank()) {
        throw new IllegalArgumentException("the rejection error field must not be blank");
      }
      Set<String> s = new LinkedHashSet<>();
      for (String code : codes) {
        Objects.requireNonNull(code, "code");
        if (code.isBlank()) {
          throw new IllegalArgumentException("a rejection error code must not be blank");
        }
        s.add(code);
      }
      this.bodyRejectionMatcher = s.isEmpty() ? null : new BodyRejectionMatcher(field, s);
      return this;
    }

    /**
     * Replaces the prefixes of the response headers exposed as rate-limit headers (matched
     * ignoring case). Default: {@code X-MBX-USED-WEIGHT}, {@code X-MBX-ORDER-COUNT}, {@code
     * X-RateLimit-}, {@code RateLimit}, {@code X-Rate-Limit-}, {@code Retry-After}.
     *
     * @param prefixes header name prefixes
     * @return this builder
     * @throws IllegalArgumentException if a prefix is blank
     */
    public Builder rateLimitHeaderPrefixes(String... prefixes) {
      List<String> list = new ArrayList<>();
      for (String p : prefixes) {
        Objects.requireNonNull(p, "prefix");
        if (p.isBlank()) {
          throw new IllegalArgumentException("a rate-limit header prefix must not be blank");
        }
        list.add(p.trim().toLowerCase(Locale.ROOT));
      }
      this.rateLimitHeaderPrefixes = List.copyOf(list);
      return this;
    }

    /**
     * Sets the HTTP logging interceptor, which runs last: it sees each attempt as sent,
     * authenticated. It must redact credential headers and query values (KeyGuard's redacting
     * logger does). An {@link HttpLogger} is installed as {@link HttpLogger#forAuthScheme(AuthScheme)
     * forAuthScheme(authScheme)}, so the names the auth scheme puts credentials in stay redacted
     * and {@link #build()} refuses an allowlist that names one of them.
     *
     * @param loggingInterceptor the interceptor
     * @return this builder
     */
    public Builder loggingInterceptor(Interceptor loggingInterceptor) {
      this.loggingInterceptor = Objects.requireNonNull(loggingInterceptor, "loggingInterceptor");
      return this;
    }

    /** Replaces the time source (tests: fake clock and sleeper). */
    Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Builds the client.
     *
     * @return the client
     * @throws IllegalStateException if baseUrl, managedKey or authScheme is missing, if the base
     *     URL is not https (http is accepted only for a loopback host with {@link
     *     HttpsPolicy.Builder#allowLoopbackCleartextForTesting()}), if the given OkHttp client
     *     already carries KeyGuard's interceptors, or if the logging interceptor is an {@link
     *     HttpLogger} that allow-lists a header or query parameter the auth scheme carries
     *     credentials in (the message names it)
     */
    public KeyGuardClient build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl is required");
      }
      if (managedKey == null) {
        throw new IllegalStateException("managedKey is required");
      }
      if (authScheme == null) {
        throw new IllegalStateException("authScheme is required");
      }
      if (!baseUrl.isHttps()) {
        if (!httpsPolicy.allowsLoopbackCleartextForTesting()) {
          throw new IllegalStateException(
              "baseUrl must be https, was " + baseUrl + ": KeyGuard never sends a key in cleartext"
                  + (HttpsPolicy.isLoopbackHost(baseUrl.host())
                      ? " (for a local test server only, use an HttpsPolicy with"
                          + " allowLoopbackCleartextForTesting())"
                      : ""));
        }
        if (!HttpsPolicy.isLoopbackHost(baseUrl.host())) {
          throw new IllegalStateException(
              "baseUrl must be https, was " + baseUrl + ": allowLoopbackCleartextForTesting only"
                  + " permits http to localhost, 127.0.0.0/8 and ::1");
        }
      }
      // an HttpLogger keeps the scheme's credential names redacted; an allowlist naming one fails here
      Interceptor logging =
          loggingInterceptor instanceof HttpLogger httpLogger
              ? httpLogger.forAuthScheme(authScheme)
              : loggingInterceptor;
      OkHttpClient base = okHttpClient != null ? okHttpClient : DefaultOkHttp.INSTANCE;
      List<Interceptor> existing = new ArrayList<>(base.interceptors());
      existing.addAll(base.networkInterceptors());
      for (Interceptor i : existing) {
        if (i instanceof HttpsPolicyInterceptor
            || i instanceof TransportGuardInterceptor
            || i instanceof RetryInterceptor
            || i instanceof AuthenticationInterceptor
            || i instanceof NoSilentResendInterceptor) {
          throw new IllegalStateException(
              "okHttpClient already carries KeyGuard interceptors (it came from"
                  + " KeyGuardClient.okHttpClient()); pass a plain OkHttpClient, or derive with"
                  + " KeyGuardClient.toBuilder()");
        }
      }
      ClientRateLimiter limiter =
          rateLimitRequests > 0
              ? new ClientRateLimiter(rateLimitRequests, rateLimitInterval, timeSource)
              : null;
      ClientSettings settings =
          new ClientSettings(
              baseUrl,
              managedKey,
              authScheme,
              httpsPolicy,
              retryOptions,
              rejectionStatuses,
              new ResponseHeaderSelector(rateLimitHeaderPrefixes),
              timeSource,
              limiter,
              bodyRejectionMatcher);

      OkHttpClient.Builder ob =
          base.newBuilder()
              .followRedirects(false)
              .followSslRedirects(false)
              .authenticator(Authenticator.NONE)
              .cache(null);
      httpsPolicy.applyTo(ob, base.dns());
      if (connectTimeout != null) {
        ob.connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      if (readTimeout != null) {
        ob.readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      if (writeTimeout != null) {
        ob.writeTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      if (callTimeout != null) {
        ob.callTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      // The request path of DESIGN.md, outermost first.
      ob.addInterceptor(new HttpsPolicyInterceptor(settings)); // 1. HTTPS policy, redirects
      // 2. the usage monitor goes here, when it exists
      ob.addInterceptor(new RetryInterceptor(settings)); // 3. rate limit and retry
      ob.addInterceptor(new AuthenticationInterceptor(settings)); // 4. credential, rotation retry
      if (logging != null) {
        ob.addInterceptor(logging); // 5. redacting logger
      }
      // above OkHttp's own retries: no silent resend of a POST that may have been processed
      ob.addInterceptor(new NoSilentResendInterceptor(settings));
      // below OkHttp's retries and follow-ups: a signed request leaves only for the base origin
      ob.addNetworkInterceptor(new TransportGuardInterceptor(settings));
      Builder snapshot = copy();
      snapshot.okHttpClient = base;
      return new KeyGuardClient(snapshot, settings, ob.build());
    }

    private static Duration timeout(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + d);
      }
      return d;
    }
  }
}
