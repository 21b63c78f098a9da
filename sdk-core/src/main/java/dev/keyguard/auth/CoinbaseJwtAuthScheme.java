package dev.keyguard.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.CredentialRequirement;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Secret;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.EcPrivateKeys;
import dev.keyguard.internal.EcdsaSignatures;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Authenticates a Coinbase Advanced Trade (Coinbase Developer Platform, CDP) request with a JWT
 * made for that request alone, as Coinbase documents it
 * (https://docs.cdp.coinbase.com/get-started/authentication/jwt-authentication):
 *
 * <ul>
 *   <li>header: {@code alg=ES256}, {@code kid} = API key name, {@code nonce} = random hex, {@code
 *       typ=JWT};
 *   <li>claims: {@code iss="cdp"}, {@code sub} = API key name, {@code nbf} = now, {@code exp} = now
 *       + 120 s, {@code uri} = {@code "<METHOD> <host><path>"} (no scheme, no query string);
 *   <li>signature: ECDSA P-256 with SHA-256, in JOSE {@code r || s} form;
 *   <li>sent as {@code Authorization: Bearer <jwt>}.
 * </ul>
 *
 * <p>The credential's API key is the key name ({@code organizations/{org}/apiKeys/{id}}) and its
 * API secret is the EC private key in PEM (SEC1 as Coinbase issues it, or PKCS#8). The key is
 * parsed on every request and not kept.
 */
final class CoinbaseJwtAuthScheme implements AuthScheme {

  static final Duration LIFETIME = Duration.ofSeconds(120);
  private static final String SCHEME = "Coinbase JWT (ES256)";
  private static final CredentialRequirement REQUIREMENT =
      CredentialRequirement.apiKeyAndSecret(
          "the " + SCHEME + " scheme", "EC private key (the API secret, in PEM)");
  private static final int NONCE_BYTES = 16;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final TimeSource time;
  private final SecureRandom random = new SecureRandom();

  CoinbaseJwtAuthScheme(TimeSource time) {
    this.time = time;
  }

  @Override
  public Request apply(Request request, VersionedCredential credential) {
    String keyName = credential.apiKey().value(InsecureSecretAccess.get());
    Secret pem = AuthSupport.requireApiSecret(credential, REQUIREMENT);
    ECPrivateKey privateKey = parse(pem, credential);

    long now = time.now().getEpochSecond();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);

    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "ES256");
    header.put("kid", keyName);
    header.put("nonce", HexFormat.of().formatHex(nonce));
    header.put("typ", "JWT");
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", "cdp");
    claims.put("sub", keyName);
    claims.put("nbf", now);
    claims.put("exp", now + LIFETIME.toSeconds());
    claims.put("uri", request.method() + " " + hostAndPath(request.url()));

    String signingInput = base64Json(header) + "." + base64Json(claims);
    String jwt = signingInput + "." + BASE64URL.encodeToString(sign(privateKey, signingInput));
    return request.newBuilder().header("Authorization", "Bearer " + jwt).build();
  }

  /** {@code host/path}, with {@code :port} only when the port is not the scheme's default. */
  static String hostAndPath(HttpUrl url) {
    boolean defaultPort = url.port() == HttpUrl.defaultPort(url.scheme());
    return url.host() + (defaultPort ? "" : ":" + url.port()) + url.encodedPath();
  }

  private static ECPrivateKey parse(Secret pem, VersionedCredential credential) {
    byte[] bytes = pem.bytes(InsecureSecretAccess.get());
    try {
      return EcPrivateKeys.parseP256(bytes);
    } catch (IllegalArgumentException e) {
      // EcPrivateKeys' messages describe the format only, never the content.
      throw AuthSupport.malformedSecret(
          credential, Objects.requireNonNullElse(e.getMessage(), "not a P-256 private key"));
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private static byte[] sign(ECPrivateKey key, String signingInput) {
    try {
      Signature signature = Signature.getInstance("SHA256withECDSA");
      signature.initSign(key);
      signature.update(signingInput.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return EcdsaSignatures.derToJose(signature.sign(), 32);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA256withECDSA on P-256 is unavailable in this JDK", e);
    }
  }

  private static String base64Json(Map<String, Object> value) {
    try {
      return BASE64URL.encodeToString(JSON.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not encode the JWT as JSON", e);
    }
  }

  /** The key name (the API key) and the EC private key in PEM (the API secret). */
  @Override
  public CredentialRequirement requirement() {
    return REQUIREMENT;
  }

  @Override
  public Set<String> headerNames() {
    return Set.of("authorization");
  }

  @Override
  public String toString() {
    return "CoinbaseJwtAuthScheme[ES256, lifetime=" + LIFETIME + "]";
  }
}
