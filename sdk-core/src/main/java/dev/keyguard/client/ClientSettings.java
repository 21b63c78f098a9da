package dev.keyguard.client;

import dev.keyguard.auth.AuthScheme;
import dev.keyguard.key.ManagedKey;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/** What the interceptors of one client share. Immutable. */
final class ClientSettings {

  private final HttpUrl baseUrl;
  private final ManagedKey managedKey;
  private final AuthScheme authScheme;
  private final HttpsPolicy httpsPolicy;
  private final RetryOptions retryOptions;
  private final Set<Integer> rejectionStatuses;
  private final ResponseHeaderSelector headerSelector;
  private final Set<String> credentialHeaderNames;
  private final Set<String> credentialQueryNames;
  private final TimeSource time;
  private final ClientRateLimiter limiter;
  private final BodyRejectionMatcher bodyRejectionMatcher;

  ClientSettings(
      HttpUrl baseUrl,
      ManagedKey managedKey,
      AuthScheme authScheme,
      HttpsPolicy httpsPolicy,
      RetryOptions retryOptions,
      Set<Integer> rejectionStatuses,
      ResponseHeaderSelector headerSelector,
      TimeSource time,
      ClientRateLimiter limiter,
      BodyRejectionMatcher bodyRejectionMatcher) {
    this.baseUrl = baseUrl;
    this.managedKey = managedKey;
    this.authScheme = authScheme;
    this.httpsPolicy = httpsPolicy;
    this.retryOptions = retryOptions;
    this.rejectionStatuses = Set.copyOf(rejectionStatuses);
    this.headerSelector = headerSelector;
    this.credentialHeaderNames = lowerCase(authScheme.headerNames());
    this.credentialQueryNames = lowerCase(authScheme.queryParameterNames());
    this.time = time;
    this.limiter = limiter;
    this.bodyRejectionMatcher = bodyRejectionMatcher;
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

  ClientRateLimiter limiter() {
    return limiter;
  }

  /** Recognises a rejection in a response body; null when the API reports rejections by status only. */
  BodyRejectionMatcher bodyRejectionMatcher() {
    return bodyRejectionMatcher;
  }

  boolean isRejection(int status) {
    return rejectionStatuses.contains(status);
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
