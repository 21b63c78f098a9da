package dev.keyguard.auth;

import dev.keyguard.CredentialRequirement;
import dev.keyguard.Secret;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.jspecify.annotations.Nullable;

/**
 * Signs a Binance {@code SIGNED} (TRADE / USER_DATA) request with an HMAC-SHA256 API key, as the
 * Binance Spot API documents it
 * (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security):
 *
 * <ol>
 *   <li>{@code recvWindow} (if configured) and {@code timestamp} (milliseconds from the clock) are
 *       appended to the parameters: to the form body if the request has a non-empty one, otherwise
 *       to the query string;
 *   <li>{@code totalParams} is the query string concatenated with the request body, exactly as sent
 *       (no {@code &} between them);
 *   <li>{@code signature} = hex(HMAC-SHA256(secretKey, totalParams)) is appended after them;
 *   <li>the API key goes in the {@code X-MBX-APIKEY} header.
 * </ol>
 */
final class BinanceHmacAuthScheme implements AuthScheme {

  static final String API_KEY_HEADER = "X-MBX-APIKEY";
  private static final String SCHEME = "Binance HMAC-SHA256";
  private static final CredentialRequirement REQUIREMENT =
      CredentialRequirement.apiKeyAndSecret("the " + SCHEME + " scheme", "API secret");
  private static final Set<String> ADDED_PARAMETERS =
      Set.of("signature", "timestamp", "recvWindow");

  private final TimeSource time;
  private final @Nullable Duration recvWindow;
  private final PreparedValue preparedKey = new PreparedValue();
  private final PreparedMac hmac = new PreparedMac("HmacSHA256");

  BinanceHmacAuthScheme(TimeSource time, @Nullable Duration recvWindow) {
    this.time = time;
    this.recvWindow = recvWindow;
  }

  @Override
  public Request apply(Request request, VersionedCredential credential) {
    String apiKey = preparedKey.get(credential);
    if (apiKey == null) {
      apiKey = preparedKey.put(credential, AuthSupport.headerSafeApiKey(credential, SCHEME));
    }
    Secret secret = AuthSupport.requireApiSecret(credential, REQUIREMENT);
    byte[] body = AuthSupport.bodyBytes(request, SCHEME);
    boolean paramsInBody = body.length > 0;
    if (paramsInBody && !AuthSupport.isFormOrUntyped(request)) {
      throw new IllegalArgumentException(
          "Binance SIGNED endpoints take parameters as a query string or an"
              + " application/x-www-form-urlencoded body; this request has a "
              + request.body().contentType()
              + " body");
    }
    HttpUrl url = request.url();
    for (String name : ADDED_PARAMETERS) {
      if (url.queryParameter(name) != null
          || (paramsInBody && AuthSupport.formHasParameter(body, name))) {
        throw new IllegalArgumentException(
            "the request already has a '"
                + name
                + "' parameter; the "
                + SCHEME
                + " scheme adds recvWindow, timestamp and signature itself");
      }
    }

    String timestamp = Long.toString(time.now().toEpochMilli());
    String timing =
        (recvWindow == null ? "" : "recvWindow=" + recvWindow.toMillis() + "&")
            + "timestamp="
            + timestamp;
    Request.Builder signed = request.newBuilder().header(API_KEY_HEADER, apiKey);
    if (paramsInBody) {
      byte[] query = url.encodedQuery() == null ? new byte[0] : ascii(url.encodedQuery());
      byte[] newBody = AuthSupport.concat(body, ascii("&" + timing));
      String signature = sign(credential, secret, query, newBody);
      byte[] finalBody = AuthSupport.concat(newBody, ascii("&signature=" + signature));
      signed.method(
          request.method(), RequestBody.create(finalBody, AuthSupport.formOrOwnType(request)));
    } else {
      HttpUrl.Builder withTiming = url.newBuilder();
      if (recvWindow != null) {
        withTiming.addEncodedQueryParameter("recvWindow", Long.toString(recvWindow.toMillis()));
      }
      HttpUrl timed = withTiming.addEncodedQueryParameter("timestamp", timestamp).build();
      String totalQuery = timed.encodedQuery();
      String signature = sign(credential, secret, ascii(totalQuery), body);
      HttpUrl finalUrl =
          timed.newBuilder().addEncodedQueryParameter("signature", signature).build();
      if (!(totalQuery + "&signature=" + signature).equals(finalUrl.encodedQuery())) {
        // OkHttp re-encoded the query: what is sent would differ from what was signed.
        throw new IllegalStateException(
            "the signed query string changed while the signature was added");
      }
      signed.url(finalUrl);
      if (request.body() != null) {
        signed.method(request.method(), RequestBody.create(body, request.body().contentType()));
      }
    }
    return signed.build();
  }

  private String sign(VersionedCredential credential, Secret secret, byte[] query, byte[] body) {
    return HexFormat.of().formatHex(hmac.sign(credential, secret, query, body));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** The API key and the API secret (Binance's "Secret Key"), the HMAC key of every signature. */
  @Override
  public CredentialRequirement requirement() {
    return REQUIREMENT;
  }

  @Override
  public Set<String> headerNames() {
    return Set.of("x-mbx-apikey");
  }

  @Override
  public Set<String> queryParameterNames() {
    return ADDED_PARAMETERS;
  }

  @Override
  public String toString() {
    return "BinanceHmacAuthScheme[recvWindow="
        + (recvWindow == null ? "server default" : recvWindow)
        + "]";
  }
}
