package dev.keyguard.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Authenticator;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * Assembles the OkHttp client of a {@link KeyGuardClient}: the request path of DESIGN.md, in one
 * place and in its order. OkHttp's own redirect following, response cache and 401 authenticator are
 * turned off; the HTTPS policy sets the connection specs, pins and proxy.
 */
final class RequestChain {

  private RequestChain() {}

  /**
   * The OkHttp client with every protection installed.
   *
   * @throws IllegalStateException if the base client already carries KeyGuard's interceptors, or an
   *     {@link HttpLogger} allow-lists a name the auth scheme carries credentials in
   */
  static OkHttpClient assemble(ClientSettings settings) {
    OkHttpClient base = settings.baseOkHttp();
    refuseKeyGuardInterceptors(base);
    // an HttpLogger keeps the scheme's credential names redacted; an allowlist naming one fails
    // here
    Interceptor logging =
        settings.loggingInterceptor() instanceof HttpLogger httpLogger
            ? httpLogger.forAuthScheme(settings.authScheme())
            : settings.loggingInterceptor();

    OkHttpClient.Builder ob =
        base.newBuilder()
            .followRedirects(false)
            .followSslRedirects(false)
            .authenticator(Authenticator.NONE)
            .cache(null);
    settings.httpsPolicy().applyTo(ob, base.dns());
    if (settings.connectTimeout() != null) {
      ob.connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (settings.readTimeout() != null) {
      ob.readTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (settings.writeTimeout() != null) {
      ob.writeTimeout(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (settings.callTimeout() != null) {
      ob.callTimeout(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
    // The request path of DESIGN.md, outermost first.
    ob.addInterceptor(new HttpsPolicyInterceptor(settings)); // 1. HTTPS policy, redirects
    // 2. the usage monitor: one interceptor below the authenticator, where each attempt carries
    // its credential tag (it tells retries from calls itself)
    UsageMonitor usage = settings.usageMonitor();
    ob.addInterceptor(new RetryInterceptor(settings)); // 3. rate limit and retry
    ob.addInterceptor(new AuthenticationInterceptor(settings)); // 4. credential, rotation retry
    if (usage != null) {
      ob.addInterceptor(usage.attempts()); // 2. usage monitor: each signed attempt
    }
    if (logging != null) {
      ob.addInterceptor(logging); // 5. redacting logger
    }
    // above OkHttp's own retries: no silent resend of a POST that may have been processed
    ob.addInterceptor(new NoSilentResendInterceptor(settings));
    // below OkHttp's retries and follow-ups: a signed request leaves only for the base origin
    ob.addNetworkInterceptor(new TransportGuardInterceptor(settings));
    return ob.build();
  }

  private static void refuseKeyGuardInterceptors(OkHttpClient base) {
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
  }
}
