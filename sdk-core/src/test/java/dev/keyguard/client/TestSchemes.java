package dev.keyguard.client;

import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.HttpUrl;
import okhttp3.Request;

/** Small AuthSchemes for transport tests (the real ones live in AuthSchemes). */
final class TestSchemes {

  static final String KEY_HEADER = "X-Api-Key";
  static final String KEY_PARAM = "apikey";
  static final String SIGNATURE_PARAM = "signature";

  private TestSchemes() {}

  /** Puts the key in {@code X-Api-Key}. */
  static AuthScheme header() {
    return new AuthScheme() {
      @Override
      public Request apply(Request request, VersionedCredential credential) {
        return request
            .newBuilder()
            .header(KEY_HEADER, TestCredentials.apiKeyOf(credential))
            .build();
      }

      @Override
      public Set<String> headerNames() {
        return Set.of("x-api-key");
      }
    };
  }

  /** Puts the key in the query parameter {@code apikey}. */
  static AuthScheme query() {
    return new AuthScheme() {
      @Override
      public Request apply(Request request, VersionedCredential credential) {
        HttpUrl url =
            request
                .url()
                .newBuilder()
                .addQueryParameter(KEY_PARAM, TestCredentials.apiKeyOf(credential))
                .build();
        return request.newBuilder().url(url).build();
      }

      @Override
      public Set<String> queryParameterNames() {
        return Set.of(KEY_PARAM);
      }
    };
  }

  /**
   * Sets all three kinds: the key in {@code X-Api-Key} and as a bearer token, the key in the query
   * parameter {@code apikey}, and {@code signature} = HMAC-SHA256(apiSecret, path + "?" + query).
   */
  static AuthScheme headerQueryAndSignature() {
    return new AuthScheme() {
      @Override
      public Request apply(Request request, VersionedCredential credential) {
        String key = TestCredentials.apiKeyOf(credential);
        HttpUrl withKey = request.url().newBuilder().addQueryParameter(KEY_PARAM, key).build();
        String signature = sign(TestCredentials.apiSecretOf(credential), signedText(withKey));
        return request
            .newBuilder()
            .url(withKey.newBuilder().addQueryParameter(SIGNATURE_PARAM, signature).build())
            .header(KEY_HEADER, key)
            .header("Authorization", "Bearer " + key)
            .build();
      }

      @Override
      public Set<String> headerNames() {
        return Set.of("x-api-key", "authorization");
      }

      @Override
      public Set<String> queryParameterNames() {
        return Set.of(KEY_PARAM, SIGNATURE_PARAM);
      }
    };
  }

  /** The text the signature covers: the URL without its signature parameter. */
  static String signedText(HttpUrl url) {
    HttpUrl unsigned = url.newBuilder().removeAllQueryParameters(SIGNATURE_PARAM).build();
    return unsigned.encodedPath() + "?" + unsigned.encodedQuery();
  }

  static String sign(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
