package dev.keyguard.client;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Network interceptor, the last line of defence below OkHttp's own retry and redirect machinery:
 * a request that carries a credential (it was signed by the authenticator) may go on the wire only
 * to the base URL's origin, and no request may go in cleartext against the policy. It catches a
 * caller who derives a client from {@link KeyGuardClient#okHttpClient()} and turns OkHttp's
 * redirect following back on: OkHttp would then resend the signed request to the redirect target,
 * stripping only {@code Authorization}. The connection to that host is open at this point, but no
 * byte of the request has been written.
 */
final class TransportGuardInterceptor implements Interceptor {

  private final ClientSettings settings;

  TransportGuardInterceptor(ClientSettings settings) {
    this.settings = settings;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (!settings.httpsPolicy().permits(request.url())) {
      throw new KeyGuardIOException(
          new InsecureTransportException(
              "Refused to send a cleartext request to " + settings.safeUrl(request.url())
                  + "; nothing was written. KeyGuard sends requests over HTTPS only.",
              settings.managedKey().keyId()));
    }
    UsedCredential used = request.tag(UsedCredential.class);
    if (used != null && !settings.isCredentialOrigin(request.url())) {
      throw new KeyGuardIOException(
          new InsecureTransportException(
              "Refused to send key '" + used.keyId() + "' version " + used.version() + " to "
                  + settings.safeUrl(request.url()) + ", which is not the origin of the base URL "
                  + settings.safeUrl(settings.baseUrl()) + "; nothing was written. This happens when OkHttp's own"
                  + " redirect following is turned back on in a client derived from"
                  + " KeyGuardClient.okHttpClient(); leave it off, KeyGuard follows redirects"
                  + " itself.",
              used.keyId()));
    }
    return chain.proceed(request);
  }
}
