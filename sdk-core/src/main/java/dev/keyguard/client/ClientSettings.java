package dev.keyguard.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.TimeSource;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.key.ManagedKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The immutable settings of one client, taken from its builder at {@link
 * KeyGuardClient.Builder#build()}: what the interceptors share, and what {@link
 * KeyGuardClient#toBuilder()} derives a new builder from. Optional settings are null when unset
 * (the timeouts then stay the OkHttp client's, no logging interceptor, no client-side limit).
 */
final class ClientSettings {

  private final HttpUrl baseUrl;
  private final ManagedKey managedKey;
  private final AuthScheme authScheme;
  private final HttpsPolicy httpsPolicy;
  private final RetryOptions retryOptions;
  private final @Nullable Duration connectTimeout;
  private final @Nullable Duration readTimeout;
  private final @Nullable Duration writeTimeout;
  private final @Nullable Duration callTimeout;
  private final OkHttpClient baseOkHttp;
  private final @Nullable ObjectMapper objectMapper;
  private final int rateLimitRequests;
  private final @Nullable Duration rateLimitInterval;
  private final RejectionRule rejectionRule;
  private final List<String> rateLimitHeaderPrefixes;
  private final @Nullable Interceptor loggingInterceptor;
  private final long maxResponseBytes;
  private final TimeSource time;
  private final UsageOptions usageOptions;
  private final List<RateLimitHeadroom> presetHeadroom;

  // derived
  private final ResponseHeaderSelector headerSelector;
  private final Set<String> credentialHeaderNames;
  private final Set<String> credentialQueryNames;
  private final @Nullable ClientRateLimiter limiter;
  private final @Nullable BodyRejectionMatcher bodyRejectionMatcher;
  private final ResponseFailures failures;
  private final @Nullable UsageMonitor usageMonitor;
  private final KeyAccess access;
  private final KeySelector selector;
  private final @Nullable KeyAuditor auditor;

  /**
   * Takes the builder's settings; the required ones are passed checked ({@link
   * KeyGuardClient.Builder#build()} fails without them).
   */
  ClientSettings(
      KeyGuardClient.Builder b,
      HttpUrl baseUrl,
      ManagedKey managedKey,
      AuthScheme authScheme,
      OkHttpClient baseOkHttp) {
    this.baseUrl = baseUrl;
    this.managedKey = managedKey;
    this.authScheme = authScheme;
    this.httpsPolicy = b.httpsPolicy;
    this.retryOptions = b.retryOptions;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.writeTimeout = b.writeTimeout;
    this.callTimeout = b.callTimeout;
    this.baseOkHttp = baseOkHttp;
    this.objectMapper = b.objectMapper;
    this.rateLimitRequests = b.rateLimitRequests;
    this.rateLimitInterval = b.rateLimitInterval;
    this.rejectionRule = b.rejectionRule;
    this.rateLimitHeaderPrefixes = List.copyOf(b.rateLimitHeaderPrefixes);
    this.loggingInterceptor = b.loggingInterceptor;
    this.maxResponseBytes = b.maxResponseBytes;
    this.time = b.timeSource;
    this.usageOptions = b.usageOptions;
    this.presetHeadroom = List.copyOf(b.presetHeadroom);

    this.headerSelector = new ResponseHeaderSelector(rateLimitHeaderPrefixes);
    this.credentialHeaderNames = lowerCase(authScheme.headerNames());
    this.credentialQueryNames = lowerCase(authScheme.queryParameterNames());
    // clientRateLimit(requests, interval) sets both
    this.limiter =
        rateLimitRequests > 0 && rateLimitInterval != null
            ? new ClientRateLimiter(rateLimitRequests, rateLimitInterval, time)
            : null;
    this.bodyRejectionMatcher =
        rejectionRule.inspectsBodies() ? BodyRejectionMatcher.of(rejectionRule) : null;
    this.failures = new ResponseFailures(this);
    this.access = b.access.copy();
    List<ManagedKey> keys = new ArrayList<>();
    keys.add(managedKey);
    keys.addAll(access.extraKeys);
    this.selector =
        new KeySelector(
            keys,
            access.keyScopes,
            access.routes(),
            access.effectiveVocabulary(),
            access.publicScope,
            access.unmapped,
            access.sensitivePrefixes,
            baseUrl.encodedPath(),
            access.endpointEnvironment(baseUrl),
            baseUrl.scheme() + "://" + baseUrl.host() + ":" + baseUrl.port());
    this.auditor =
        access.audit != null && access.auditMode != KeyAuditMode.OFF
            ? new KeyAuditor(this, access.audit)
            : null;
    this.usageMonitor =
        usageOptions.enabled() ? new UsageMonitor(this, usageOptions, presetHeadroom) : null;
  }

  /** Copies every setting into a new builder. */
  void copyTo(KeyGuardClient.Builder b) {
    b.baseUrl = baseUrl;
    b.managedKey = managedKey;
    b.authScheme = authScheme;
    b.httpsPolicy = httpsPolicy;
    b.retryOptions = retryOptions;
    b.connectTimeout = connectTimeout;
    b.readTimeout = readTimeout;
    b.writeTimeout = writeTimeout;
    b.callTimeout = callTimeout;
    b.okHttpClient = baseOkHttp;
    b.objectMapper = objectMapper;
    b.rateLimitRequests = rateLimitRequests;
    b.rateLimitInterval = rateLimitInterval;
    b.rejectionRule = rejectionRule;
    b.rateLimitHeaderPrefixes = rateLimitHeaderPrefixes;
    b.loggingInterceptor = loggingInterceptor;
    b.maxResponseBytes = maxResponseBytes;
    b.timeSource = time;
    b.usageOptions = usageOptions;
    b.presetHeadroom = presetHeadroom;
    b.access = access.copy();
  }

  private static Set<String> lowerCase(Set<String> names) {
    Set<String> out = new HashSet<>();
    for (String n : names) {
      out.add(n.toLowerCase(Locale.ROOT));
    }
    return Set.copyOf(out);
  }

  HttpUrl baseUrl() {
    return baseUrl;
  }

  ManagedKey managedKey() {
    return managedKey;
  }

  AuthScheme authScheme() {
    return authScheme;
  }

  HttpsPolicy httpsPolicy() {
    return httpsPolicy;
  }

  RetryOptions retryOptions() {
    return retryOptions;
  }

  /** The connect timeout; null to keep the OkHttp client's. */
  @Nullable Duration connectTimeout() {
    return connectTimeout;
  }

  /** The read timeout; null to keep the OkHttp client's. */
  @Nullable Duration readTimeout() {
    return readTimeout;
  }

  /** The write timeout; null to keep the OkHttp client's. */
  @Nullable Duration writeTimeout() {
    return writeTimeout;
  }

  /** The call timeout; null to keep the OkHttp client's. */
  @Nullable Duration callTimeout() {
    return callTimeout;
  }

  /** The OkHttp client the client's own is derived from (the caller's, or the shared default). */
  OkHttpClient baseOkHttp() {
    return baseOkHttp;
  }

  /** The caller's mapper, or the default one. */
  ObjectMapper objectMapper() {
    return objectMapper != null ? objectMapper : JsonCodec.DEFAULT_MAPPER;
  }

  /** The logging interceptor as the caller gave it; null for none. */
  @Nullable Interceptor loggingInterceptor() {
    return loggingInterceptor;
  }

  /** The largest 2xx body the client reads into memory. */
  long maxResponseBytes() {
    return maxResponseBytes;
  }

  RejectionRule rejectionRule() {
    return rejectionRule;
  }

  ResponseHeaderSelector headerSelector() {
    return headerSelector;
  }

  Set<String> credentialHeaderNames() {
    return credentialHeaderNames;
  }

  Set<String> credentialQueryNames() {
    return credentialQueryNames;
  }

  TimeSource time() {
    return time;
  }

  /** The client-side rate limit; null when there is none. */
  @Nullable ClientRateLimiter limiter() {
    return limiter;
  }

  /**
   * Recognises a rejection in a response body; null when the API reports rejections by status only.
   */
  @Nullable BodyRejectionMatcher bodyRejectionMatcher() {
    return bodyRejectionMatcher;
  }

  /** The usage monitor; null when monitoring is off. */
  @Nullable UsageMonitor usageMonitor() {
    return usageMonitor;
  }

  /** The least-privilege and environment settings, as the builder had them. */
  KeyAccess access() {
    return access;
  }

  /** Picks the key of each request. */
  KeySelector selector() {
    return selector;
  }

  /** The key hygiene audit; null when off or the API has none. */
  @Nullable KeyAuditor auditor() {
    return auditor;
  }

  /** Turns unusable responses and OkHttp failures into KeyGuard exceptions. */
  ResponseFailures failures() {
    return failures;
  }

  boolean isRejection(int status) {
    return rejectionRule.isRejectionStatus(status);
  }

  /** Whether a URL has the base URL's origin: same scheme, host and port. */
  boolean isCredentialOrigin(HttpUrl url) {
    return url.scheme().equals(baseUrl.scheme())
        && url.host().equals(baseUrl.host())
        && url.port() == baseUrl.port();
  }

  String safeUrl(HttpUrl url) {
    return SafeUrl.of(url, credentialQueryNames);
  }
}
