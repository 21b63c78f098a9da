package dev.keyguard.client;

import java.io.IOException;
import java.net.UnknownServiceException;
import java.util.Locale;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First interceptor of the chain: refuses cleartext before a connection is opened, and follows
 * redirects itself (OkHttp's own following is off) so that it decides, per hop, whether the hop may
 * carry a credential. The request it holds is the one the application made, without credentials;
 * the authenticator further down adds them to each hop that keeps the base URL's origin. A hop to
 * another origin whose URL still carries a live secret once the scheme's parameters are stripped (a
 * server that echoed the key into the redirect) is refused, never sent.
 */
final class HttpsPolicyInterceptor implements Interceptor {

  private static final Logger log = LoggerFactory.getLogger(KeyGuardClient.class);

  private final ClientSettings settings;

  HttpsPolicyInterceptor(ClientSettings settings) {
    this.settings = settings;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request hop = chain.request();
    refuseIfCleartext(hop);
    boolean mayCarryCredential = settings.isCredentialOrigin(hop.url());
    if (!mayCarryCredential) {
      // another origin than the base URL's (raw OkHttp use): sent as the caller built it, unsigned
      hop = hop.newBuilder().tag(NoCredentials.class, NoCredentials.LEFT_ORIGIN).build();
    }
    HttpsPolicy policy = settings.httpsPolicy();
    int redirects = 0;
    while (true) {
      Response response = proceed(chain, hop);
      if (policy.maxRedirects() == 0 || !isRedirect(response.code())) {
        return response;
      }
      String location = response.header("Location");
      HttpUrl target = location == null ? null : hop.url().resolve(location);
      if (target == null) {
        return response; // nothing (or nothing http-like) to follow: the caller gets the 3xx
      }
      if (redirects == policy.maxRedirects()) {
        response.close();
        throw new KeyGuardIOException(
            ApiTransportException.notRetryable(
                hop.method()
                    + " "
                    + settings.safeUrl(chain.request().url())
                    + ": more than "
                    + policy.maxRedirects()
                    + " redirects; raise HttpsPolicy maxRedirects if the API really needs them",
                settings.managedKey().keyId()));
      }
      if (hop.isHttps() && !target.isHttps()) {
        response.close();
        throw new KeyGuardIOException(
            new InsecureTransportException(
                "Refused a redirect from "
                    + settings.safeUrl(hop.url())
                    + " to the cleartext URL "
                    + settings.safeUrl(target)
                    + ": a redirect from https to http would expose the request; nothing was sent"
                    + " to the http URL. Ask the API provider for an https endpoint.",
                settings.managedKey().keyId()));
      }
      Request next = redirectRequest(hop, response.code(), target);
      if (next == null) {
        return response; // a one-shot body cannot be sent again: the caller gets the 3xx
      }
      response.close();
      refuseIfCleartext(next);
      redirects++;
      if (mayCarryCredential && !settings.isCredentialOrigin(target)) {
        mayCarryCredential = false;
        log.debug(
            "Redirect from {} to another origin {}: that hop and later ones carry no credential",
            settings.safeUrl(hop.url()),
            settings.safeUrl(target));
      }
      Request previous = hop;
      hop = mayCarryCredential ? next : withoutCredentials(next);
      if (!settings.isCredentialOrigin(hop.url()) && SafeUrl.carriesLiveSecret(hop.url())) {
        // stripping by parameter name cannot find a secret the server put elsewhere in the URL
        throw new KeyGuardIOException(
            new InsecureTransportException(
                "Refused a redirect from "
                    + settings.safeUrl(previous.url())
                    + " to another origin, "
                    + settings.safeUrl(hop.url())
                    + ": the target URL carries a live secret (in its path, query or fragment,"
                    + " under a name the auth scheme does not use), so following it would hand"
                    + " that secret to the other origin; nothing was sent there. The server put"
                    + " a credential into the redirect: ask the API provider why, and rotate the"
                    + " key if the redirect may have been seen by others.",
                settings.managedKey().keyId()));
      }
    }
  }

  /**
   * Proceeds with one hop. OkHttp refuses a connection its connection specs do not allow with an
   * {@link UnknownServiceException} of its own, below this interceptor: a redirect to http that
   * OkHttp's own following (turned back on in a client derived from {@link
   * KeyGuardClient#okHttpClient()}) tried to follow, or replaced specs with nothing in common with
   * the server. That is a refusal of an insecure transport, so it surfaces as the documented one.
   */
  private Response proceed(Chain chain, Request hop) throws IOException {
    try {
      return chain.proceed(hop);
    } catch (UnknownServiceException e) {
      throw new KeyGuardIOException(
          InsecureTransportException.noRequestSent(
              hop.method()
                  + " "
                  + settings.safeUrl(hop.url())
                  + ": OkHttp refused to open a"
                  + " connection its connection specs do not allow (a cleartext http URL, or no"
                  + " TLS version or cipher suite in common with the server); nothing was sent on"
                  + " it. This happens when OkHttp's own redirect following is turned back on in a"
                  + " client derived from KeyGuardClient.okHttpClient() and a redirect leads to"
                  + " http, or when its connection specs are replaced: leave both as KeyGuard sets"
                  + " them (KeyGuard follows redirects itself and refuses https to http).",
              e,
              settings.managedKey().keyId()));
    }
  }

  private void refuseIfCleartext(Request request) throws KeyGuardIOException {
    if (!settings.httpsPolicy().permits(request.url())) {
      throw new KeyGuardIOException(
          new InsecureTransportException(
              "Refused a cleartext request to "
                  + settings.safeUrl(request.url())
                  + ": KeyGuard sends requests over HTTPS only and nothing was sent. Use an https"
                  + " URL (for a local test server only:"
                  + " HttpsPolicy.builder().allowLoopbackCleartextForTesting()).",
              settings.managedKey().keyId()));
    }
  }

  static boolean isRedirect(int code) {
    return code == 300 || code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }

  /**
   * The next hop, rebuilt from the previous (credential-free) hop as OkHttp would: 307 and 308 keep
   * the method and body, the others turn a request with a body into a GET. Credential query
   * parameters are dropped from the target; the authenticator adds fresh ones where allowed.
   */
  private @Nullable Request redirectRequest(Request hop, int code, HttpUrl target) {
    Request.Builder b = hop.newBuilder().url(stripCredentialQuery(target));
    String method = hop.method();
    boolean bodyless = method.equals("GET") || method.equals("HEAD");
    if (!bodyless) {
      if (code == 307 || code == 308) {
        RequestBody body = hop.body();
        if (body != null && body.isOneShot()) {
          return null;
        }
        b.method(method, body);
      } else {
        b.method("GET", null);
        b.removeHeader("Transfer-Encoding");
        b.removeHeader("Content-Length");
        b.removeHeader("Content-Type");
      }
    }
    return b.build();
  }

  private HttpUrl stripCredentialQuery(HttpUrl url) {
    if (url.querySize() == 0 || settings.credentialQueryNames().isEmpty()) {
      return url;
    }
    HttpUrl.Builder b = url.newBuilder();
    for (String name : url.queryParameterNames()) {
      if (settings.credentialQueryNames().contains(name.toLowerCase(Locale.ROOT))) {
        b.removeAllQueryParameters(name);
      }
    }
    return b.build();
  }

  /** A hop to another origin: no scheme header or query parameter, no Authorization, no Cookie. */
  private Request withoutCredentials(Request request) {
    Request.Builder b = request.newBuilder().url(stripCredentialQuery(request.url()));
    for (String name : settings.credentialHeaderNames()) {
      b.removeHeader(name);
    }
    b.removeHeader("Authorization");
    b.removeHeader("Cookie");
    b.tag(NoCredentials.class, NoCredentials.LEFT_ORIGIN);
    return b.build();
  }
}
