package dev.keyguard.auth;

import dev.keyguard.MalformedSecretException;
import dev.keyguard.TimeSource;
import java.time.Duration;
import java.util.Objects;

/**
 * The built-in {@link AuthScheme}s: how a credential is put on a request.
 *
 * <table>
 *   <caption>Schemes</caption>
 *   <tr><th>factory</th><th>what it adds</th><th>credential parts</th></tr>
 *   <tr><td>{@link #header(String)}</td><td>{@code <name>: <api key>}</td><td>API key</td></tr>
 *   <tr><td>{@link #bearer()}</td><td>{@code Authorization: Bearer <api key>}</td><td>API key</td></tr>
 *   <tr><td>{@link #queryParameter(String)}</td><td>{@code ?<name>=<api key>}</td><td>API key</td></tr>
 *   <tr><td>{@link #binanceHmac(TimeSource, Duration)}</td><td>{@code X-MBX-APIKEY} header;
 *       {@code recvWindow}, {@code timestamp}, {@code signature} parameters</td>
 *       <td>API key and API secret</td></tr>
 *   <tr><td>{@link #krakenHmac(TimeSource)}</td><td>{@code API-Key} and {@code API-Sign} headers;
 *       {@code nonce} in the form body</td><td>API key and base64 API secret</td></tr>
 *   <tr><td>{@link #coinbaseJwt(TimeSource)}</td><td>{@code Authorization: Bearer <ES256 JWT>}, a new
 *       JWT per request</td><td>API key name and PEM EC private key</td></tr>
 * </table>
 *
 * <p>Every scheme is called once per attempt on the request as the application built it, so each
 * retry is signed afresh (new timestamp, nonce or JWT). Schemes keep no credential: the signing
 * schemes read the secret, use it and wipe their copies. All returned schemes are thread-safe.
 *
 * <p>Each scheme declares the parts it needs ({@link AuthScheme#requirement()}: the API key for the
 * first three, the API key and API secret for the others). A client registers it with its managed
 * key, and {@code KeyManager.key(id, scheme.requirement())} hands it to the key before {@code
 * awaitReady}, so that a credential without the API secret (say a Binance secret stored as {@code
 * {"apiKey": …, "secretKey": …}}) fails where it is loaded, with a message that names the expected
 * field and the fields found:
 *
 * <pre>{@code
 * AuthScheme binance = AuthSchemes.binanceHmac();
 * ManagedKey key = keyManager.key("binance", binance.requirement());
 * key.awaitReady(Duration.ofSeconds(10)); // MalformedSecretException: ... has no API secret ...
 * }</pre>
 *
 * <p>Errors: a credential that lacks a part the scheme needs (no API secret for an HMAC scheme), or
 * whose part cannot be used (an API key with a newline, a secret that is not base64, a PEM that is
 * not a P-256 key) fails with a {@link MalformedSecretException} that names the key id, version and
 * the problem, never the value. A request the scheme cannot sign (a one-shot body, a JSON body for
 * a form-signing API) fails with an {@link IllegalArgumentException}.
 *
 * <pre>{@code
 * AuthScheme tokenMetrics = AuthSchemes.header("x-api-key");
 * AuthScheme binance = AuthSchemes.binanceHmac(TimeSource.system(), Duration.ofSeconds(5));
 * }</pre>
 *
 * <h2>Custom schemes</h2>
 *
 * {@link AuthScheme} has one abstract method, so a lambda is a scheme. Declare the header and query
 * parameter names your scheme sets by overriding {@link AuthScheme#headerNames()} and {@link
 * AuthScheme#queryParameterNames()}: the HTTP logger never logs them and errors scrub them, which a
 * bare lambda (declaring nothing) cannot get. A scheme that needs the API secret overrides {@link
 * AuthScheme#requirement()} too, so that a credential without it fails when it is loaded.
 *
 * <pre>{@code
 * AuthScheme custom = new AuthScheme() {
 *   public Request apply(Request request, VersionedCredential credential) {
 *     String key = credential.apiKey().value(InsecureSecretAccess.get()); // reviewed: sent as header
 *     return request.newBuilder().header("Authorization", "Token " + key).build();
 *   }
 *   public Set<String> headerNames() {
 *     return Set.of("authorization");
 *   }
 * };
 * }</pre>
 *
 * <p>A custom scheme must be thread-safe, must not log or keep the credential, and should throw
 * {@link MalformedSecretException} (naming the key id and version, never the value) when the
 * credential lacks a part it needs.
 */
public final class AuthSchemes {

  private static final Duration MAX_RECV_WINDOW = Duration.ofSeconds(60);

  /** RFC 7230 token punctuation: with letters and digits, what a header name may contain. */
  private static final String HEADER_NAME_PUNCTUATION = "!#$%&'*+-.^_`|~";

  /** RFC 3986 unreserved punctuation: a query name that needs no encoding. */
  private static final String QUERY_NAME_PUNCTUATION = "-._~";

  private AuthSchemes() {}

  /**
   * Sends the API key as the value of a header, such as {@code x-api-key}.
   *
   * @param name the header name, a valid HTTP token such as {@code x-api-key}
   * @return the scheme
   * @throws IllegalArgumentException if the name is empty or not a valid header name
   */
  public static AuthScheme header(String name) {
    return new HeaderAuthScheme(checkName(name, "header name", HEADER_NAME_PUNCTUATION));
  }

  /**
   * Sends the API key as a bearer token: {@code Authorization: Bearer <api key>}.
   *
   * @return the scheme
   */
  public static AuthScheme bearer() {
    return new BearerAuthScheme(); // one per client: it keeps the header value of its key
  }

  /**
   * Sends the API key as a query parameter, replacing any parameter of that name. Use it only for
   * APIs that accept nothing else: a key in the URL ends up in the access logs of proxies, servers
   * and CDNs. The first time a scheme is created for a parameter name in this JVM, a WARN is logged
   * (once per name). The name is declared by {@link AuthScheme#queryParameterNames()}, so KeyGuard
   * redacts it from its own logs and errors.
   *
   * @param name the query parameter name, such as {@code x_cg_demo_api_key}
   * @return the scheme
   * @throws IllegalArgumentException if the name is empty or has characters other than letters,
   *     digits and {@code - . _ ~}
   */
  public static AuthScheme queryParameter(String name) {
    return new QueryParameterAuthScheme(
        checkName(name, "query parameter name", QUERY_NAME_PUNCTUATION));
  }

  /**
   * Binance HMAC-SHA256 signing with the system clock and Binance's default {@code recvWindow}
   * (5000 ms, not sent); see {@link #binanceHmac(TimeSource, Duration)}.
   *
   * @return the scheme
   */
  public static AuthScheme binanceHmac() {
    return new BinanceHmacAuthScheme(TimeSource.system(), null);
  }

  /**
   * Binance HMAC-SHA256 signing of {@code SIGNED} (TRADE, USER_DATA) endpoints, as documented at
   * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security. The scheme
   * appends {@code recvWindow} and {@code timestamp} (milliseconds from {@code time}) to the
   * parameters, computes {@code signature} = hex(HMAC-SHA256(API secret, query string + request
   * body)) over them exactly as sent, appends it, and sends the API key in {@code X-MBX-APIKEY}.
   * The parameters go in the form body if the request has a non-empty one, otherwise in the query
   * string. The credential needs its API secret (the Binance "Secret Key").
   *
   * @param time the time source for {@code timestamp}; Binance rejects requests more than {@code
   *     recvWindow} behind its own time, so keep the host clock synchronised
   * @param recvWindow how long after {@code timestamp} the request stays valid, at most 60 s with
   *     millisecond precision; null to send none (Binance then uses 5000 ms)
   * @return the scheme
   * @throws IllegalArgumentException if {@code recvWindow} is not positive, over 60 s or finer than
   *     a millisecond
   */
  public static AuthScheme binanceHmac(TimeSource time, Duration recvWindow) {
    Objects.requireNonNull(time, "time");
    if (recvWindow != null) {
      if (recvWindow.isNegative()
          || recvWindow.isZero()
          || recvWindow.compareTo(MAX_RECV_WINDOW) > 0
          || recvWindow.toNanos() % 1_000_000 != 0) {
        throw new IllegalArgumentException(
            "recvWindow must be between 1 ms and 60 s in whole milliseconds, was " + recvWindow);
      }
    }
    return new BinanceHmacAuthScheme(time, recvWindow);
  }

  /**
   * Kraken HMAC-SHA512 signing with the system clock; see {@link #krakenHmac(TimeSource)}.
   *
   * @return the scheme
   */
  public static AuthScheme krakenHmac() {
    return krakenHmac(TimeSource.system());
  }

  /**
   * Kraken Spot REST private-endpoint signing, as documented at
   * https://docs.kraken.com/api/docs/guides/spot-rest-auth. The scheme puts {@code nonce} first in
   * the form body, computes {@code API-Sign} = base64(HMAC-SHA512(base64decode(API secret), URI
   * path + SHA-256(nonce + POST data))) and sends the API key in {@code API-Key}. The request must
   * be a POST with a form body (possibly empty). The nonce is milliseconds since the epoch from
   * {@code time}, strictly increasing per scheme instance; Kraken requires it to increase per API
   * key, so share one scheme instance (one client) per key in a process, and do not share a key
   * between processes unless Kraken's nonce window is configured for it.
   *
   * @param time the time source for the nonce
   * @return the scheme
   */
  public static AuthScheme krakenHmac(TimeSource time) {
    return new KrakenAuthScheme(Objects.requireNonNull(time, "time"));
  }

  /**
   * Coinbase Advanced Trade JWT authentication with the system time; see {@link
   * #coinbaseJwt(TimeSource)}.
   *
   * @return the scheme
   */
  public static AuthScheme coinbaseJwt() {
    return coinbaseJwt(TimeSource.system());
  }

  /**
   * Coinbase Advanced Trade (Coinbase Developer Platform key) authentication, as documented at
   * https://docs.cdp.coinbase.com/get-started/authentication/jwt-authentication: for every request
   * a new ES256 JWT with header {@code kid} = key name and a random {@code nonce}, claims {@code
   * iss="cdp"}, {@code sub} = key name, {@code nbf} = now, {@code exp} = now + 120 s and {@code
   * uri} = {@code "<METHOD> <host><path>"}, sent as {@code Authorization: Bearer <jwt>}. The
   * credential's API key is the key name ({@code organizations/{org_id}/apiKeys/{key_id}}) and its
   * API secret is the ECDSA P-256 private key in PEM, SEC1 ({@code BEGIN EC PRIVATE KEY}) as
   * Coinbase issues it or PKCS#8; escaped {@code \n} sequences are accepted. Ed25519 CDP keys are
   * not supported.
   *
   * @param time the time source for {@code nbf} and {@code exp}
   * @return the scheme
   */
  public static AuthScheme coinbaseJwt(TimeSource time) {
    return new CoinbaseJwtAuthScheme(Objects.requireNonNull(time, "time"));
  }

  private static String checkName(String name, String what, String punctuation) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("the " + what + " must not be empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || punctuation.indexOf(c) >= 0;
      if (!ok) {
        throw new IllegalArgumentException(
            "the " + what + " '" + name + "' has a character that is not allowed at position " + i);
      }
    }
    return name;
  }
}
