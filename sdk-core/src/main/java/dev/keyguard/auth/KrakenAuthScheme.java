package dev.keyguard.auth;

import dev.keyguard.CredentialRequirement;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Secret;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Signs a Kraken Spot REST private request, as Kraken documents it
 * (https://docs.kraken.com/api/docs/guides/spot-rest-auth):
 *
 * <ul>
 *   <li>{@code nonce} (an always-increasing integer, here milliseconds since the epoch from the
 *       clock, bumped by one if the clock has not advanced) is put first in the form body;
 *   <li>{@code API-Sign} = base64(HMAC-SHA512(base64decode(secret), URI path + SHA-256(nonce + POST
 *       data)));
 *   <li>{@code API-Key} carries the API key.
 * </ul>
 *
 * <p>The nonce counter is the only state; it is updated atomically, so one instance may sign
 * concurrent requests.
 */
final class KrakenAuthScheme implements AuthScheme {

  private static final String SCHEME = "Kraken HMAC-SHA512";
  private static final CredentialRequirement REQUIREMENT =
      CredentialRequirement.apiKeyAndSecret(
          "the " + SCHEME + " scheme", "API secret (base64, the HMAC-SHA512 key)");

  private final TimeSource time;
  private final AtomicLong lastNonce = new AtomicLong();
  private final PreparedValue preparedKey = new PreparedValue();
  private final PreparedMac hmac = new PreparedMac("HmacSHA512", KrakenAuthScheme::decodeSecret);

  KrakenAuthScheme(TimeSource time) {
    this.time = time;
  }

  @Override
  public Request apply(Request request, VersionedCredential credential) {
    String apiKey = preparedKey.get(credential);
    if (apiKey == null) {
      apiKey = preparedKey.put(credential, AuthSupport.headerSafeApiKey(credential, SCHEME));
    }
    Secret secret = AuthSupport.requireApiSecret(credential, REQUIREMENT);
    if (request.body() == null) {
      throw new IllegalArgumentException(
          "Kraken private endpoints are POST requests with a form body; a "
              + request.method()
              + " request without a body cannot carry the nonce (public endpoints need no key)");
    }
    if (!AuthSupport.isFormOrUntyped(request)) {
      throw new IllegalArgumentException(
          "Kraken private endpoints take an application/x-www-form-urlencoded body; this request"
              + " has a "
              + request.body().contentType()
              + " body");
    }
    byte[] postData = AuthSupport.bodyBytes(request, SCHEME);
    if (AuthSupport.formHasParameter(postData, "nonce")) {
      throw new IllegalArgumentException(
          "the request body already has a 'nonce' parameter; the " + SCHEME + " scheme adds it");
    }
    String nonce = Long.toString(nextNonce());
    byte[] nonceBytes = nonce.getBytes(StandardCharsets.US_ASCII);
    byte[] body =
        postData.length == 0
            ? AuthSupport.concat("nonce=".getBytes(StandardCharsets.US_ASCII), nonceBytes)
            : AuthSupport.concat(
                "nonce=".getBytes(StandardCharsets.US_ASCII),
                nonceBytes,
                new byte[] {'&'},
                postData);
    byte[] path = request.url().encodedPath().getBytes(StandardCharsets.UTF_8);
    byte[] digest = sha256(nonceBytes, body);
    String signature =
        Base64.getEncoder().encodeToString(hmac.sign(credential, secret, path, digest));

    return request
        .newBuilder()
        .header("API-Key", apiKey)
        .header("API-Sign", signature)
        .method(request.method(), RequestBody.create(body, AuthSupport.formOrOwnType(request)))
        .build();
  }

  /** Milliseconds since the epoch, strictly increasing across calls on this instance. */
  long nextNonce() {
    while (true) {
      long previous = lastNonce.get();
      long next = Math.max(time.now().toEpochMilli(), previous + 1);
      if (lastNonce.compareAndSet(previous, next)) {
        return next;
      }
    }
  }

  private static byte[] decodeSecret(VersionedCredential credential, Secret secret) {
    byte[] raw = secret.bytes(InsecureSecretAccess.get());
    byte[] text = trimmed(raw);
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      // The JDK's message quotes the offending character: keep neither message nor cause.
      throw AuthSupport.malformedSecret(
          credential, "a Kraken private key is base64 text, as shown in Kraken's API settings");
    } finally {
      Arrays.fill(raw, (byte) 0);
      Arrays.fill(text, (byte) 0);
    }
  }

  private static byte[] trimmed(byte[] raw) {
    int start = 0;
    int end = raw.length;
    while (start < end && raw[start] <= ' ') {
      start++;
    }
    while (end > start && raw[end - 1] <= ' ') {
      end--;
    }
    return start == 0 && end == raw.length ? raw : Arrays.copyOfRange(raw, start, end);
  }

  private static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(part);
      }
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** The API key and the base64 API secret, whose decoded value is the HMAC-SHA512 key. */
  @Override
  public CredentialRequirement requirement() {
    return REQUIREMENT;
  }

  @Override
  public Set<String> headerNames() {
    return Set.of("api-key", "api-sign");
  }

  @Override
  public String toString() {
    return "KrakenAuthScheme";
  }
}
