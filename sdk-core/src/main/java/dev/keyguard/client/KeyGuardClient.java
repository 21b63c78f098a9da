package dev.keyguard.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.key.ManagedKey;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Calls one HTTP API with a managed key: HTTPS only, the credential applied per request by an
 * {@link AuthScheme} (the built-in ones are in {@link AuthSchemes}), a single retry with a rotated
 * key when the API rejects the current one, throttling and {@code Retry-After} handled, JSON
 * decoded with Jackson.
 *
 * <p>Every protection lives in the {@link OkHttpClient} the client is built on ({@link
 * #okHttpClient()}), in this order of interceptors: the {@link HttpsPolicy} (refuses cleartext
 * before a connection is opened, follows redirects itself and strips every credential from a hop to
 * another origin, refuses such a hop if its URL still carries a live secret, refuses https→http),
 * the rate limit and retry ({@link RetryOptions}, optional client-side limit), the authenticator
 * ({@link ManagedKey#current()}, {@link AuthScheme}; on a rejection status {@link
 * ManagedKey#rejected(VersionedCredential)} and at most one retry), the usage monitor (each attempt
 * counted per key version and route, {@link UsageOptions}), then the optional logging interceptor;
 * a network interceptor checks, below OkHttp's own retries, that a signed request goes nowhere but
 * the base URL's origin, over TLS 1.2+ with a strong cipher suite as negotiated. Credentials are
 * only ever applied to requests for the base URL's origin. OkHttp's own redirect following,
 * response cache and 401 authenticator are off.
 *
 * <p>Instances are immutable and thread-safe; share one per API. No thread is created per request:
 * the synchronous methods run on the caller's thread, the asynchronous ones on OkHttp's dispatcher.
 *
 * <pre>{@code
 * KeyGuardClient client = KeyGuardClient.builder()
 *     .baseUrl("https://api.example.com/v2")
 *     .managedKey(keyManager.key(KeyId.of("example-api")))
 *     .authScheme(AuthSchemes.header("x-api-key"))
 *     .retryOptions(RetryOptions.defaults())
 *     .build();
 *
 * Price price = client.get("/price", Map.of("symbol", "BTC"), Price.class);
 * ApiResponse<Order> placed = client.send(ApiRequest.post("/orders", order), Order.class);
 * }</pre>
 *
 * <p>Every call is an {@link ApiRequest} sent with {@link #send(ApiRequest, Class)} or {@link
 * #sendAsync(ApiRequest, Class)}; {@code get} and {@code post} are shorthands for it. Response
 * types are a {@link Class}, a {@link Type} or a Jackson {@link TypeReference}.
 *
 * <p>A 2xx body is read into memory whole before it is decoded, up to {@link
 * Builder#maxResponseBytes(long)} ({@value #DEFAULT_MAX_RESPONSE_BYTES} bytes, 16 MiB, by default).
 *
 * <p>Failures are unchecked {@link KeyGuardException}s: {@link ApiResponseException} for a non-2xx
 * response or a 2xx body that cannot be used (undecodable, or larger than the limit), {@link
 * KeyRejectedException} when the API refused the key and no other version helped, {@link
 * InsecureTransportException} for anything the HTTPS policy or TLS refused, {@link
 * ApiTransportException} for network failures and timeouts, and the {@link ManagedKey}'s own
 * exceptions when no credential can be had. None carries a secret or a URL with a query credential.
 */
public final class KeyGuardClient {

  /**
   * The default of {@link Builder#maxResponseBytes(long)}: 16 MiB, far above what a price, an order
   * book or an account answer takes, far below what would strain a heap.
   */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

  /** The largest {@link Builder#maxResponseBytes(long)}: 1 GiB, to stay within one byte array. */
  static final long MAX_RESPONSE_BYTES_LIMIT = 1L << 30;

  private final ClientSettings settings;
  private final OkHttpClient okHttp;
  private final JsonCodec codec;
  private final ClientCalls calls;

  private KeyGuardClient(ClientSettings settings, OkHttpClient okHttp) {
    this.settings = settings;
    this.okHttp = okHttp;
    this.codec = new JsonCodec(settings.objectMapper());
    this.calls = new ClientCalls(settings, okHttp, codec);
    if (settings.auditor() != null) {
      settings.auditor().attach(okHttp);
    }
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
    Builder b = new Builder();
    settings.copyTo(b);
    return b;
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
   * What the usage monitor has counted so far: attempts, outcomes, latency and bytes per key
   * version and route template, per-key rates, budget and rate-limit headroom, and the anomalies in
   * progress. Also evaluates the detectors that are due. Cheap enough to call every few seconds (it
   * copies counters, it does not block requests); empty when monitoring is off ({@link
   * UsageOptions#disabled()}).
   *
   * <pre>{@code
   * log.info("{}", client.usage());            // one line
   * log.info("{}", client.usage().summary());  // a few lines for people
   * String json = client.usage().toJson();
   * }</pre>
   *
   * @return an immutable snapshot; never holds a secret
   */
  public UsageSnapshot usage() {
    UsageMonitor monitor = settings.usageMonitor();
    return monitor == null ? UsageSnapshot.empty(settings.time().now()) : monitor.snapshot();
  }

  /**
   * The ids of every key this client may sign with: the {@linkplain Builder#managedKey(ManagedKey)
   * first key}, then those added with {@link Builder#addManagedKey(ManagedKey)}.
   *
   * @return an unmodifiable list
   */
  public List<KeyId> keyIds() {
    List<KeyId> ids = new ArrayList<>();
    for (int i = 0; i < settings.selector().keyCount(); i++) {
      ids.add(settings.selector().key(i).keyId());
    }
    return List.copyOf(ids);
  }

  /**
   * Runs the key hygiene audit now: for each key, one request to the preset's {@linkplain
   * ApiPreset#keyAudit() audit endpoint} (Binance {@code GET /sapi/v1/account/apiRestrictions},
   * Coinbase {@code GET /api/v3/brokerage/key_permissions}), signed with that key, compared with
   * the routes the key is used for. A key holding a {@linkplain ApiPreset#sensitiveScopes()
   * sensitive scope} that none of its routes needs fires {@link
   * dev.keyguard.key.KeyEvent.KeyTooPowerful}; a key the API says is usable from any IP address
   * fires {@link dev.keyguard.key.KeyEvent.KeyNotIpRestricted}; both are logged at WARN. An
   * endpoint answering 401/403/404/5xx, or something unreadable, is logged with its status only
   * (never the body). Call it at start-up, after the keys are ready; every later version a request
   * meets is audited in the background.
   *
   * @return one result per key
   * @throws KeyHygieneException with {@link KeyAuditMode#REFUSE_TO_START}, on a finding or a failed
   *     audit
   * @throws IllegalStateException if the audit is off ({@link KeyAuditMode#OFF}, the default) or
   *     the API has no audit endpoint
   * @throws KeyGuardException if a key's current credential cannot be had
   */
  public List<KeyAuditResult> auditKeys() {
    KeyAuditor auditor = settings.auditor();
    if (auditor == null) {
      throw new IllegalStateException(
          settings.access().audit == null
              ? "this client's API has no key audit endpoint (its preset declares none)"
              : "the key audit is off; turn it on with KeyGuardClient.Builder.keyAudit(WARN or"
                  + " REFUSE_TO_START)");
    }
    return auditor.auditAll();
  }

  /**
   * The last key hygiene audit result of each key (from {@link #auditKeys()} or a background audit
   * of a new version).
   *
   * @return an unmodifiable list; empty when the audit is off or has not run
   */
  public List<KeyAuditResult> keyAudits() {
    KeyAuditor auditor = settings.auditor();
    return auditor == null ? List.of() : auditor.results();
  }

  /**
   * The configured OkHttp client, with every protection installed, for callers who want raw OkHttp.
   * Requests to the base URL's origin are authenticated; requests to other origins are sent without
   * a credential. A refusal or rejection surfaces as an {@link IOException} whose {@link
   * IOException#getCause() cause} is the {@link KeyGuardException} (OkHttp delivers only {@code
   * IOException}s); TLS failures surface as OkHttp reports them.
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
   * @throws IllegalArgumentException if the path is absolute, holds a query, a fragment or a {@code
   *     .} / {@code ..} segment, or a parameter value is null
   */
  public HttpUrl url(String path, Map<String, ?> queryParameters) {
    return RequestUrls.resolve(settings.baseUrl(), path, queryParameters);
  }

  // -------------------------------------------------------------------------------------- send

  /**
   * Sends a request and decodes the JSON response. Only idempotent methods (GET, HEAD, OPTIONS,
   * PUT, DELETE, TRACE) are retried unless the retry options allow others.
   *
   * @param request the request
   * @param type the type to decode into ({@code String} gives the raw body, {@code byte[]} the
   *     bytes, {@code Void} none)
   * @param <T> the result type
   * @return the response: decoded body (null for an empty body), status, headers, rate-limit
   *     headers
   * @throws ApiResponseException if the status is not 2xx or the body cannot be decoded
   * @throws KeyRejectedException if the API rejected the key and no other version helped
   * @throws InsecureTransportException if the HTTPS policy or TLS refused the call
   * @throws ApiTransportException on a network failure or timeout
   */
  public <T> ApiResponse<T> send(ApiRequest request, Class<T> type) {
    return calls.execute(request, codec.type(type));
  }

  /**
   * Sends a request and decodes the JSON response into a generic type, such as one from Guava's
   * {@code TypeToken} or a {@code ParameterizedType} of your own.
   *
   * @param request the request
   * @param type the type
   * @param <T> the result type; the caller vouches that it matches {@code type}
   * @return the response
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> ApiResponse<T> send(ApiRequest request, Type type) {
    return calls.execute(request, codec.type(type));
  }

  /**
   * Sends a request and decodes the JSON response into a generic type.
   *
   * @param request the request
   * @param type the type, such as {@code new TypeReference<List<Price>>() {}}
   * @param <T> the result type
   * @return the response
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> ApiResponse<T> send(ApiRequest request, TypeReference<T> type) {
    return calls.execute(request, codec.type(type));
  }

  /**
   * Sends a request on OkHttp's dispatcher. The future fails with the exceptions {@link
   * #send(ApiRequest, Class)} throws; cancelling it cancels the call.
   *
   * @param request the request
   * @param type the type to decode into
   * @param <T> the result type
   * @return a future of the response
   */
  public <T> CompletableFuture<ApiResponse<T>> sendAsync(ApiRequest request, Class<T> type) {
    return calls.executeAsync(request, codec.type(type));
  }

  /**
   * Sends a request on OkHttp's dispatcher and decodes into a generic type; see {@link
   * #sendAsync(ApiRequest, Class)}.
   *
   * @param request the request
   * @param type the type
   * @param <T> the result type; the caller vouches that it matches {@code type}
   * @return a future of the response
   */
  public <T> CompletableFuture<ApiResponse<T>> sendAsync(ApiRequest request, Type type) {
    return calls.executeAsync(request, codec.type(type));
  }

  /**
   * Sends a request on OkHttp's dispatcher and decodes into a generic type; see {@link
   * #sendAsync(ApiRequest, Class)}.
   *
   * @param request the request
   * @param type the type
   * @param <T> the result type
   * @return a future of the response
   */
  public <T> CompletableFuture<ApiResponse<T>> sendAsync(
      ApiRequest request, TypeReference<T> type) {
    return calls.executeAsync(request, codec.type(type));
  }

  // ------------------------------------------------------------------------------------ sugar

  /**
   * Sends a GET and decodes the JSON response: {@code send(ApiRequest.get(path), type).body()}.
   *
   * @param path the path relative to the base URL
   * @param type the type to decode into ({@code String} gives the raw body, {@code Void} none)
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T get(String path, Class<T> type) {
    return send(ApiRequest.get(path), type).body();
  }

  /**
   * Sends a GET with query parameters and decodes the JSON response.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type to decode into
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T get(String path, Map<String, ?> queryParameters, Class<T> type) {
    return send(ApiRequest.get(path, queryParameters), type).body();
  }

  /**
   * Sends a GET and decodes the JSON response into a generic type.
   *
   * @param path the path relative to the base URL
   * @param type the type, such as {@code new TypeReference<List<Price>>() {}}
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T get(String path, TypeReference<T> type) {
    return send(ApiRequest.get(path), type).body();
  }

  /**
   * Sends a GET with query parameters and decodes the JSON response into a generic type.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T get(String path, Map<String, ?> queryParameters, TypeReference<T> type) {
    return send(ApiRequest.get(path, queryParameters), type).body();
  }

  /**
   * Sends a GET and decodes the JSON response into a {@link Type}.
   *
   * @param path the path relative to the base URL
   * @param type the type
   * @param <T> the result type; the caller vouches that it matches {@code type}
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T get(String path, Type type) {
    return this.<T>send(ApiRequest.get(path), type).body();
  }

  /**
   * Sends a GET with query parameters and decodes the JSON response into a {@link Type}.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type
   * @param <T> the result type; the caller vouches that it matches {@code type}
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T get(String path, Map<String, ?> queryParameters, Type type) {
    return this.<T>send(ApiRequest.get(path, queryParameters), type).body();
  }

  /**
   * Sends a GET and returns the decoded body with the status, headers and rate-limit headers.
   *
   * @param path the path relative to the base URL
   * @param type the type to decode into
   * @param <T> the result type
   * @return the response
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> ApiResponse<T> getResponse(String path, Class<T> type) {
    return send(ApiRequest.get(path), type);
  }

  /**
   * Sends a GET with query parameters and returns the decoded body with the status, headers and
   * rate-limit headers.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type to decode into
   * @param <T> the result type
   * @return the response
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> ApiResponse<T> getResponse(
      String path, Map<String, ?> queryParameters, Class<T> type) {
    return send(ApiRequest.get(path, queryParameters), type);
  }

  /**
   * Sends a POST with a JSON body and decodes the JSON response. POST is not idempotent: it is not
   * retried (neither on throttling nor with a rotated key) unless {@link
   * RetryOptions.Builder#retryNonIdempotent(boolean)} allows it.
   *
   * @param path the path relative to the base URL
   * @param body the body as for {@link ApiRequest.Builder#body(Object)}; null sends an empty body
   * @param type the type to decode into
   * @param <T> the result type
   * @return the decoded body; null for an empty body
   * @throws IllegalArgumentException if the body cannot be serialized
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T post(String path, @Nullable Object body, Class<T> type) {
    return send(postRequest(path, body), type).body();
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
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T post(String path, @Nullable Object body, TypeReference<T> type) {
    return send(postRequest(path, body), type).body();
  }

  /**
   * Sends a POST and decodes the JSON response into a {@link Type}; see {@link #post(String,
   * Object, Class)}.
   *
   * @param path the path relative to the base URL
   * @param body the body
   * @param type the type
   * @param <T> the result type; the caller vouches that it matches {@code type}
   * @return the decoded body; null for an empty body
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> @Nullable T post(String path, @Nullable Object body, Type type) {
    return this.<T>send(postRequest(path, body), type).body();
  }

  /**
   * Sends a POST and returns the decoded body with the status, headers and rate-limit headers; see
   * {@link #post(String, Object, Class)}.
   *
   * @param path the path relative to the base URL
   * @param body the body
   * @param type the type to decode into
   * @param <T> the result type
   * @return the response
   * @throws KeyGuardException as for {@link #send(ApiRequest, Class)}
   */
  public <T> ApiResponse<T> postResponse(String path, @Nullable Object body, Class<T> type) {
    return send(postRequest(path, body), type);
  }

  /**
   * Sends a GET on OkHttp's dispatcher and decodes the JSON response; see {@link
   * #sendAsync(ApiRequest, Class)}.
   *
   * @param path the path relative to the base URL
   * @param type the type to decode into
   * @param <T> the result type
   * @return a future of the decoded body
   */
  public <T> CompletableFuture<T> getAsync(String path, Class<T> type) {
    return calls.<T, T>executeAsync(ApiRequest.get(path), codec.type(type), ApiResponse::body);
  }

  /**
   * Sends a GET with query parameters on OkHttp's dispatcher and decodes the JSON response; see
   * {@link #sendAsync(ApiRequest, Class)}.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type to decode into
   * @param <T> the result type
   * @return a future of the decoded body
   */
  public <T> CompletableFuture<T> getAsync(
      String path, Map<String, ?> queryParameters, Class<T> type) {
    return calls.<T, T>executeAsync(
        ApiRequest.get(path, queryParameters), codec.type(type), ApiResponse::body);
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
    return calls.<T, T>executeAsync(
        ApiRequest.get(path, queryParameters), codec.type(type), ApiResponse::body);
  }

  /**
   * Sends a GET on OkHttp's dispatcher and decodes the JSON response into a {@link Type}.
   *
   * @param path the path relative to the base URL
   * @param queryParameters the query parameters, in iteration order
   * @param type the type
   * @param <T> the result type; the caller vouches that it matches {@code type}
   * @return a future of the decoded body
   */
  public <T> CompletableFuture<T> getAsync(String path, Map<String, ?> queryParameters, Type type) {
    return calls.<T, T>executeAsync(
        ApiRequest.get(path, queryParameters), codec.type(type), ApiResponse::body);
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
    return sendAsync(ApiRequest.get(path, queryParameters), type);
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
  public <T> CompletableFuture<T> postAsync(String path, @Nullable Object body, Class<T> type) {
    return calls.<T, T>executeAsync(postRequest(path, body), codec.type(type), ApiResponse::body);
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
  public <T> CompletableFuture<ApiResponse<T>> postResponseAsync(
      String path, @Nullable Object body, Class<T> type) {
    return sendAsync(postRequest(path, body), type);
  }

  // ------------------------------------------------------------------------------------ plumbing

  private static ApiRequest postRequest(String path, @Nullable Object body) {
    ApiRequest.Builder b = ApiRequest.builder("POST", path);
    if (body != null) {
      b.body(body);
    }
    return b.build();
  }

  /** Shows the base URL, key id and policies; never a credential. */
  @Override
  public String toString() {
    return "KeyGuardClient[baseUrl="
        + settings.baseUrl()
        + ", keyId="
        + keyId()
        + ", authScheme="
        + settings.authScheme().getClass().getSimpleName()
        + ", "
        + settings.httpsPolicy()
        + ", "
        + settings.retryOptions()
        + "]";
  }

  /** The OkHttp client used when the caller gives none; shared so clients share one pool. */
  private static final class DefaultOkHttp {
    static final OkHttpClient INSTANCE = new OkHttpClient();
  }

  /**
   * Builds a {@link KeyGuardClient}, following the {@linkplain dev.keyguard.client builder rules}.
   */
  public static final class Builder {
    // unset (null) until given; build() requires baseUrl, managedKey and authScheme
    @Nullable HttpUrl baseUrl;
    @Nullable ManagedKey managedKey;
    @Nullable AuthScheme authScheme;
    HttpsPolicy httpsPolicy = HttpsPolicy.strict();
    RetryOptions retryOptions = RetryOptions.defaults();
    @Nullable Duration connectTimeout;
    @Nullable Duration readTimeout;
    @Nullable Duration writeTimeout;
    @Nullable Duration callTimeout;
    @Nullable OkHttpClient okHttpClient;
    @Nullable ObjectMapper objectMapper;
    int rateLimitRequests;
    @Nullable Duration rateLimitInterval;
    RejectionRule rejectionRule = RejectionRule.defaults();
    List<String> rateLimitHeaderPrefixes = ResponseHeaderSelector.DEFAULT_RATE_LIMIT_PREFIXES;
    @Nullable Interceptor loggingInterceptor;
    long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    TimeSource timeSource = TimeSource.system();
    UsageOptions usageOptions = UsageOptions.defaults();
    List<RateLimitHeadroom> presetHeadroom = List.of();
    KeyAccess access = new KeyAccess();

    private Builder() {}

    /**
     * Adds another key this client may sign with, for least privilege: a read-only key for market
     * data next to a trading key, say. For each request the client uses the least-privileged key
     * whose scopes cover the scope the request's route requires (fewest scopes; ties go to the
     * scopes earlier in the preset's order, then to the lower key id), so a market-data call never
     * carries the trading key. A key's scopes are {@link #keyScopes(KeyId, String...) configured},
     * or else its credential's ({@link VersionedCredential#scopes()}: JSON {@code scopes}, AWS or
     * Azure tags, Vault metadata); a key with neither is taken to be able to do everything and is
     * chosen last.
     *
     * <pre>{@code
     * KeyGuardClient binance = KeyGuardClient.builder()
     *     .preset(ApiPresets.BINANCE)
     *     .managedKey(keys.key("binance-read"))
     *     .addManagedKey(keys.key("binance-trade"))
     *     .keyScopes(KeyId.of("binance-read"), "USER_DATA")
     *     .keyScopes(KeyId.of("binance-trade"), "TRADE")
     *     .build();
     * }</pre>
     *
     * @param managedKey the key; its id must differ from the other keys'
     * @return this builder
     */
    public Builder addManagedKey(ManagedKey managedKey) {
      access.extraKeys.add(Objects.requireNonNull(managedKey, "managedKey"));
      return this;
    }

    /**
     * Sets the scopes of a key of this client, instead of those its credential carries (for
     * backends that cannot tag a secret). Names are those of the preset ({@link
     * ApiPreset#scopes()}), compared ignoring case; {@link #build()} fails on one the preset does
     * not know, naming the known ones.
     *
     * @param keyId a key of this client
     * @param scopes its scopes; none for a key that may call public routes only
     * @return this builder
     * @throws IllegalArgumentException if a name has other characters than letters, digits and
     *     underscores
     */
    public Builder keyScopes(KeyId keyId, String... scopes) {
      Objects.requireNonNull(keyId, "keyId");
      Set<String> checked = new LinkedHashSet<>();
      for (String scope : scopes) {
        checked.add(Scopes.checkName(scope));
      }
      access.keyScopes.put(keyId, checked);
      return this;
    }

    /**
     * Maps a route to the scope it requires, adding to the preset's route table or overriding a
     * route equal to one of it.
     *
     * @param route the method and template, such as {@code GET /api/v3/myTrades} (see {@link
     *     Route#parse(String)})
     * @param scope a scope of the preset
     * @return this builder
     * @throws IllegalArgumentException if the route or the scope name is malformed
     */
    public Builder route(String route, String scope) {
      access.overrides.put(Route.parse(route), Scopes.checkName(scope));
      return this;
    }

    /**
     * Sets what happens to a request that matches no route (default {@link
     * UnmappedRoutes#LEAST_PRIVILEGED_KEY}). Under the preset's {@linkplain
     * ApiPreset#sensitivePathPrefixes() sensitive path prefixes} such a request is refused either
     * way.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder unmappedRoutes(UnmappedRoutes policy) {
      access.unmapped = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Declares the environment of the base URL ({@code prod}, {@code testnet}, {@code sandbox}),
     * for a base URL the preset does not know (a proxy, a local test server). Default: the
     * environment of the preset's endpoint with the base URL's origin, or none, in which case keys
     * are not checked against it. A production key (tagged {@code prod}, or untagged in an
     * application whose key manager runs in {@code prod}) is never sent to a non-production
     * endpoint, nor a non-production key to production: the request fails with {@link
     * dev.keyguard.EnvironmentMismatchException} before anything is sent.
     *
     * @param environment the environment name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder endpointEnvironment(String environment) {
      Objects.requireNonNull(environment, "environment");
      if (environment.isBlank()) {
        throw new IllegalArgumentException("endpointEnvironment must not be blank");
      }
      access.endpointEnvironment = environment.strip().toLowerCase(Locale.ROOT);
      return this;
    }

    /**
     * Turns the key hygiene audit on (default {@link KeyAuditMode#OFF}); see {@link
     * KeyGuardClient#auditKeys()}. Only presets with an audit endpoint (Binance, Coinbase Advanced
     * Trade) can audit.
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder keyAudit(KeyAuditMode mode) {
      access.auditMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Sets the base URL (required). It must be https; paths given to the calls are appended to its
     * path, and its origin is the only one credentials are sent to.
     *
     * @param baseUrl such as {@code https://api.example.com/v2}
     * @return this builder
     * @throws IllegalArgumentException if it is not an http(s) URL, or has user info, a query or a
     *     fragment (the URL is not echoed: it might hold a key)
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
     * Applies an API preset: its base URL, a new instance of its auth scheme (on the time source
     * set so far), its {@link ApiPreset#rejectionRule() rejection rule}, its rate-limit headers
     * (added to the default prefixes), its {@linkplain ApiPreset#routes() route table}, scope
     * names, sensitive path prefixes, endpoint environments and key audit. Settings made after this
     * call override the preset's.
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
      authScheme(preset.authScheme(timeSource));
      rejectionRule(preset.rejectionRule());
      access.applyPreset(preset);
      if (!preset.rateLimitHeaders().isEmpty()) {
        Set<String> prefixes =
            new LinkedHashSet<>(ResponseHeaderSelector.DEFAULT_RATE_LIMIT_PREFIXES);
        preset.rateLimitHeaders().forEach(h -> prefixes.add(h.toLowerCase(Locale.ROOT)));
        this.rateLimitHeaderPrefixes = List.copyOf(prefixes);
      }
      this.presetHeadroom = preset.rateLimitHeadroom();
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
     * Sets the largest response body this client reads (default {@link
     * KeyGuardClient#DEFAULT_MAX_RESPONSE_BYTES}, 16 MiB), counted as the body arrives after any
     * transparent gzip decoding, so a small compressed answer that unpacks to gigabytes is stopped
     * too. A 2xx body is read whole before it is decoded; with this limit a hostile or misrouted
     * answer is never buffered beyond the limit (plus one read segment):
     *
     * <ul>
     *   <li>a {@code Content-Length} over the limit fails before any of the body is read;
     *   <li>a body without one (chunked, or unpacked from gzip) fails as soon as more than the
     *       limit has arrived.
     * </ul>
     *
     * <p>Either way the call fails with an {@link ApiResponseException} that names the limit (not
     * retryable, no body excerpt), the body is never decoded, and the response is closed, which
     * releases its connection. The bodies of non-2xx responses are only peeked at (at most 64 KiB,
     * for the exception's redacted excerpt), so the limit concerns 2xx answers.
     *
     * @param bytes 1 to 1 GiB (1,073,741,824)
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxResponseBytes(long bytes) {
      if (bytes < 1 || bytes > MAX_RESPONSE_BYTES_LIMIT) {
        throw new IllegalArgumentException(
            "maxResponseBytes must be 1 to " + MAX_RESPONSE_BYTES_LIMIT + ", was " + bytes);
      }
      this.maxResponseBytes = bytes;
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
            "clientRateLimit requests must be 1 to "
                + ClientRateLimiter.MAX_REQUESTS
                + ", was "
                + requests);
      }
      Objects.requireNonNull(interval, "interval");
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException(
            "clientRateLimit interval must be positive, was " + interval);
      }
      this.rateLimitRequests = requests;
      this.rateLimitInterval = interval;
      return this;
    }

    /**
     * Sets how the API says it refuses the credential (default {@link RejectionRule#defaults()}:
     * 401 and 403). On such a response the key is reported to {@link
     * ManagedKey#rejected(VersionedCredential)} and the request is retried once with a different
     * version, if there is one; see {@link RejectionRule}.
     *
     * @param rule the rule; {@link RejectionRule#none()} turns rotation-aware retry off
     * @return this builder
     */
    public Builder rejectionRule(RejectionRule rule) {
      this.rejectionRule = Objects.requireNonNull(rule, "rule");
      return this;
    }

    /**
     * Sets the statuses with which the API says it refuses the credential (default 401 and 403),
     * keeping the rest of the {@linkplain #rejectionRule(RejectionRule) rejection rule}. On one of
     * them the key is reported to {@link ManagedKey#rejected(VersionedCredential)} and the request
     * is retried once with a different version, if there is one.
     *
     * @param statuses HTTP statuses from 400 to 499; none turns rotation-aware retry by status off
     * @return this builder
     * @throws IllegalArgumentException if a status is outside 400 to 499
     */
    public Builder rejectionStatuses(int... statuses) {
      this.rejectionRule = rejectionRule.withStatuses(statuses);
      return this;
    }

    /**
     * Makes the client also recognise a rejected credential by an error code in the response body,
     * for APIs that do not say it with a status (Kraken answers HTTP 200 with {@code
     * {"error":["EAPI:Invalid key"]}}), keeping the rejection statuses. A 2xx or 4xx response
     * (except 408, 418 and 429) whose top-level JSON field {@code field} holds one of the codes, as
     * a string or number or as an element of an array, is handled like a rejection status: the key
     * is reported to {@link ManagedKey#rejected(VersionedCredential)} and the request retried once
     * with a different version, or the call fails with {@link KeyRejectedException} carrying the
     * status and the code.
     *
     * <p>Only the first 16 KiB are peeked at, without consuming the body the caller reads; a client
     * without codes never looks at bodies. List only codes with which the API refuses the
     * credential <em>before processing the request</em>: because such a request was not carried
     * out, it is retried once with the other version even if it is not idempotent (a POST), unlike
     * a rejection status (see {@link RetryOptions.Builder#retryNonIdempotent(boolean)}). A request
     * with a one-shot body is never repeated.
     *
     * @param field the top-level JSON field the API puts its error codes in, such as {@code error}
     * @param codes the codes as the API writes them, such as {@code EAPI:Invalid key}; none turns
     *     body matching off
     * @return this builder
     * @throws IllegalArgumentException if the field or a code is blank
     */
    public Builder rejectionErrorCodes(String field, String... codes) {
      RejectionRule withField = rejectionRule.withErrorField(field);
      this.rejectionRule =
          codes.length == 0
              ? withField.withoutErrorField().withErrorCodes()
              : withField.withErrorCodes(codes);
      return this;
    }

    /**
     * Replaces the prefixes of the response headers exposed as rate-limit headers (matched ignoring
     * case). Default: {@code X-MBX-USED-WEIGHT}, {@code X-MBX-ORDER-COUNT}, {@code X-RateLimit-},
     * {@code RateLimit}, {@code X-Rate-Limit-}, {@code Retry-After}.
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
     * Sets the time source for backoff, {@code Retry-After} dates, the client-side rate limit and
     * the auth schemes of presets applied after this call (default {@link TimeSource#system()}).
     * Tests pass {@code dev.keyguard.testing.FakeClock} to check waits without waiting.
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Sets the HTTP logging interceptor, which runs last: it sees each attempt as sent,
     * authenticated. It must redact credential headers and query values (KeyGuard's redacting
     * logger does). An {@link HttpLogger} is installed as {@link
     * HttpLogger#forAuthScheme(AuthScheme) forAuthScheme(authScheme)}, so the names the auth scheme
     * puts credentials in stay redacted and {@link #build()} refuses an allowlist that names one of
     * them.
     *
     * @param loggingInterceptor the interceptor
     * @return this builder
     */
    public Builder loggingInterceptor(Interceptor loggingInterceptor) {
      this.loggingInterceptor = Objects.requireNonNull(loggingInterceptor, "loggingInterceptor");
      return this;
    }

    /**
     * Sets what the usage monitor counts and when it alerts (default {@link
     * UsageOptions#defaults()}: on, every detector with its default, no daily budget); {@link
     * UsageOptions#disabled()} turns it off. The rate-limit headroom headers of a {@link
     * #preset(ApiPreset) preset} are read in addition to the options' own. Alerts are logged at
     * WARN (logger {@code dev.keyguard.usage}) and handed to the managed key's listeners ({@link
     * ManagedKey#report(dev.keyguard.key.KeyEvent)}); {@link KeyGuardClient#usage()} reads the
     * figures. A client derived with {@link KeyGuardClient#toBuilder()} counts afresh.
     *
     * @param options the options
     * @return this builder
     */
    public Builder usageOptions(UsageOptions options) {
      this.usageOptions = Objects.requireNonNull(options, "usageOptions");
      return this;
    }

    /**
     * Builds the client.
     *
     * @return the client
     * @throws IllegalStateException if two routes overlap (the message names both), a route or
     *     {@link #keyScopes(KeyId, String...)} names a scope the preset does not know (the message
     *     lists the known ones), a key is given twice or {@code keyScopes} names a key the client
     *     has not; if baseUrl, managedKey or authScheme is missing, if the base URL is not https
     *     (http is accepted only for a loopback host with {@link
     *     HttpsPolicy.Builder#allowLoopbackCleartextForTesting()}), if the given OkHttp client
     *     already carries KeyGuard's interceptors, or if the logging interceptor is an {@link
     *     HttpLogger} that allow-lists a header or query parameter the auth scheme carries
     *     credentials in (the message names it), or if the class path holds an OkHttp older than 5
     *     (such as the okhttp 3.14 Retrofit 2 brings) next to or instead of KeyGuard's okhttp-jvm
     *     (the message names the jars and the exclusion to add)
     * @throws dev.keyguard.MalformedSecretException if the managed key already holds a credential
     *     that lacks a part the auth scheme needs ({@link AuthScheme#requirement()}, registered
     *     with the key by {@link ManagedKey#require}); the message names the part, the expected
     *     field and the fields found
     */
    public KeyGuardClient build() {
      OkHttpCheck.requireSupportedOkHttp();
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
              "baseUrl must be https, was "
                  + baseUrl
                  + ": KeyGuard never sends a key in cleartext"
                  + (HttpsPolicy.isLoopbackHost(baseUrl.host())
                      ? " (for a local test server only, use an HttpsPolicy with"
                          + " allowLoopbackCleartextForTesting())"
                      : ""));
        }
        if (!HttpsPolicy.isLoopbackHost(baseUrl.host())) {
          throw new IllegalStateException(
              "baseUrl must be https, was "
                  + baseUrl
                  + ": allowLoopbackCleartextForTesting only"
                  + " permits http to localhost, 127.0.0.0/8 and ::1");
        }
      }
      // The key learns what the scheme needs: a loaded credential that lacks a part fails here,
      // and every later fetch that lacks one is treated like a malformed secret.
      List<ManagedKey> keys = new ArrayList<>();
      keys.add(managedKey);
      keys.addAll(access.extraKeys);
      access.checkScopes(keys);
      for (ManagedKey key : keys) {
        key.require(
            Objects.requireNonNull(
                authScheme.requirement(), "the auth scheme's requirement() returned null"));
      }
      ClientSettings settings =
          new ClientSettings(
              this,
              baseUrl,
              managedKey,
              authScheme,
              okHttpClient != null ? okHttpClient : DefaultOkHttp.INSTANCE);
      return new KeyGuardClient(settings, RequestChain.assemble(settings));
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
