package dev.keyguard.client;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import okhttp3.CipherSuite;
import okhttp3.Connection;
import okhttp3.Handshake;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.TlsVersion;

/**
 * Network interceptor, the last line of defence below OkHttp's own retry and redirect machinery: a
 * request that carries a credential (it was signed by the authenticator) may go on the wire only to
 * the base URL's origin, and no request may go in cleartext against the policy. It catches a caller
 * who derives a client from {@link KeyGuardClient#okHttpClient()} and turns OkHttp's redirect
 * following back on: OkHttp would then resend the signed request to the redirect target, stripping
 * only {@code Authorization}. It also checks what the connection negotiated: TLS 1.2 or 1.3 and a
 * cipher suite that is not NULL, anonymous, export-grade, RC4, DES, 3DES or MD5, so a derived
 * client whose connection specs (or a JDK whose settings) allow an old protocol cannot carry a
 * request over it. The connection to that host is open at this point, but no byte of the request
 * has been written.
 */
final class TransportGuardInterceptor implements Interceptor {

  /** Words of a cipher suite name (split at '_') that make it unacceptable. */
  private static final Set<String> BROKEN_CIPHER_WORDS =
      Set.of("NULL", "ANON", "RC4", "DES", "DES40", "3DES", "MD5");

  private static final Pattern UNDERSCORE = Pattern.compile("_");

  /**
   * The verdict of {@link #isBroken} per suite (OkHttp interns them): decided once, not per call.
   */
  private static final Map<CipherSuite, Boolean> BROKEN = new ConcurrentHashMap<>();

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
              "Refused to send a cleartext request to "
                  + settings.safeUrl(request.url())
                  + "; nothing was written. KeyGuard sends requests over HTTPS only.",
              settings.managedKey().keyId()));
    }
    UsedCredential used = request.tag(UsedCredential.class);
    if (request.isHttps()) {
      refuseIfWeakTls(chain.connection(), request, used);
    }
    if (used != null && !settings.isCredentialOrigin(request.url())) {
      throw new KeyGuardIOException(
          new InsecureTransportException(
              "Refused to send key '"
                  + used.keyId()
                  + "' version "
                  + used.version()
                  + " to "
                  + settings.safeUrl(request.url())
                  + ", which is not the origin of the base URL "
                  + settings.safeUrl(settings.baseUrl())
                  + "; nothing was written. This happens"
                  + " when OkHttp's own redirect following is turned back on in a client derived"
                  + " from KeyGuardClient.okHttpClient(); leave it off, KeyGuard follows"
                  + " redirects itself.",
              used.keyId()));
    }
    return chain.proceed(request);
  }

  /**
   * Fails closed: an https request whose connection has no handshake to inspect is refused like one
   * whose handshake is too weak.
   */
  private void refuseIfWeakTls(Connection connection, Request request, UsedCredential used)
      throws KeyGuardIOException {
    Handshake handshake = connection == null ? null : connection.handshake();
    String problem;
    if (handshake == null) {
      problem = "its TLS handshake could not be inspected";
    } else if (handshake.tlsVersion() != TlsVersion.TLS_1_3
        && handshake.tlsVersion() != TlsVersion.TLS_1_2) {
      problem = "the connection negotiated " + handshake.tlsVersion().javaName();
    } else if (BROKEN.computeIfAbsent(handshake.cipherSuite(), s -> isBroken(s.javaName()))) {
      problem = "the connection negotiated the cipher suite " + handshake.cipherSuite().javaName();
    } else {
      return;
    }
    String what =
        used == null ? "a request" : "key '" + used.keyId() + "' version " + used.version();
    throw new KeyGuardIOException(
        new InsecureTransportException(
            "Refused to send "
                + what
                + " to "
                + settings.safeUrl(request.url())
                + ": "
                + problem
                + ", and KeyGuard requires TLS 1.2 or 1.3 with a cipher suite that is not NULL,"
                + " anonymous, export-grade, RC4, DES, 3DES or MD5; nothing was written. This"
                + " happens when the connection specs of a client derived from"
                + " KeyGuardClient.okHttpClient() are replaced, or the JDK's TLS settings allow"
                + " old protocols; keep the ones the HttpsPolicy sets, and ask the API provider for"
                + " a current TLS configuration.",
            used == null ? settings.managedKey().keyId() : used.keyId()));
  }

  /** A suite with a NULL, anonymous, export, RC4, DES/3DES cipher or an MD5 MAC. */
  static boolean isBroken(String cipherSuite) {
    for (String word : UNDERSCORE.split(cipherSuite.toUpperCase(Locale.ROOT))) {
      if (BROKEN_CIPHER_WORDS.contains(word) || word.startsWith("EXPORT")) {
        return true;
      }
    }
    return false;
  }
}
