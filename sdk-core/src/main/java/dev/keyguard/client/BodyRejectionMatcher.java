package dev.keyguard.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Recognises a credential rejection that an API reports in the response body rather than by status,
 * as Kraken does ({@code {"error":["EAPI:Invalid key"],"result":{}}} with HTTP 200): the top-level
 * JSON field {@link #field} holds one of {@link #codes}, either as a string or number or as an
 * element of an array of them.
 *
 * <p>It peeks at most {@link BodyPeek#REJECTION_CODE} bytes of the body ({@link BodyPeek}), so the
 * caller still reads the whole body; a field past the limit, or a body that is not a JSON object,
 * is no match. Only 2xx and non-retryable 4xx responses are looked at: 3xx stay with the redirect
 * rules, and 408/418/429/5xx with the retry rules. Immutable and thread-safe.
 */
final class BodyRejectionMatcher {

  private static final JsonFactory JSON = new JsonFactory();

  private final String field;
  private final Set<String> codes;

  /** The matcher of a rule that {@linkplain RejectionRule#inspectsBodies() inspects bodies}. */
  static BodyRejectionMatcher of(RejectionRule rule) {
    return new BodyRejectionMatcher(rule.errorField().orElseThrow(), rule.errorCodes());
  }

  BodyRejectionMatcher(String field, Set<String> codes) {
    this.field = Objects.requireNonNull(field, "field");
    this.codes = Set.copyOf(codes);
    if (field.isBlank() || this.codes.isEmpty()) {
      throw new IllegalArgumentException("a body rejection matcher needs a field and codes");
    }
  }

  String field() {
    return field;
  }

  Set<String> codes() {
    return codes;
  }

  /** Whether a response with this status is looked at. */
  static boolean inspects(int status) {
    return (status >= 200 && status < 300)
        || (status >= 400 && status < 500 && !ApiResponseException.isRetryableStatus(status));
  }

  /**
   * Returns the configured code (never text taken from the body) that the response's body carries,
   * or null if it carries none, the status is not looked at, or the body cannot be peeked.
   */
  @Nullable String match(Response response) {
    if (!inspects(response.code())) {
      return null;
    }
    return match(BodyPeek.peekOrEmpty(response, BodyPeek.REJECTION_CODE));
  }

  /** The configured code found in a (possibly truncated) JSON body, or null. */
  @Nullable String match(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals(name)) {
          return matchValue(p, value);
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      // not JSON, or cut off by the peek limit before the field was complete
      return null;
    }
  }

  private @Nullable String matchValue(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.START_ARRAY) {
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
        String code = scalar(p, t);
        if (code != null) {
          return code;
        }
        p.skipChildren();
      }
      return null;
    }
    return scalar(p, value);
  }

  private @Nullable String scalar(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
      String text = p.getText();
      for (String code : codes) {
        if (code.equals(text)) {
          return code;
        }
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "BodyRejectionMatcher[" + field + " in " + codes + "]";
  }
}
