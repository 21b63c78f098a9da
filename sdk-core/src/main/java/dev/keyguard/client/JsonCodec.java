package dev.keyguard.client;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.keyguard.Redactor;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import org.jspecify.annotations.Nullable;

/**
 * JSON in and out of one client: request bodies serialized with the client's mapper, response
 * bodies decoded into the caller's type ({@code String} and {@code byte[]} raw, {@code Void} none).
 *
 * <p>Nothing Jackson says about a response body leaves this class: its messages quote the bad token
 * or value (cut at 256 or 500 chars, so a key longer than the cut, or one the cut falls inside,
 * survives as a prefix that whole-value redaction cannot recognise), and its location may hold the
 * source. A decoding failure is rethrown as a {@link JsonProcessingException} that says what was
 * expected and where (line and column), with no cause and no location object.
 */
final class JsonCodec {

  static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  /** The mapper a client uses when the caller gives none: unknown properties are ignored. */
  static final ObjectMapper DEFAULT_MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private final ObjectMapper mapper;

  JsonCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  JavaType type(Type type) {
    Objects.requireNonNull(type, "type");
    return mapper.getTypeFactory().constructType(type);
  }

  JavaType type(TypeReference<?> type) {
    Objects.requireNonNull(type, "type");
    return mapper.getTypeFactory().constructType(type);
  }

  /**
   * The body to send: an OkHttp body as is, anything else serialized as JSON.
   *
   * @throws IllegalArgumentException if the body cannot be serialized (the message is redacted)
   */
  RequestBody encode(Object body) {
    if (body instanceof RequestBody requestBody) {
      return requestBody;
    }
    try {
      return RequestBody.create(mapper.writeValueAsBytes(body), JSON);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          Redactor.global()
              .redact(
                  "the request body ("
                      + body.getClass().getSimpleName()
                      + ") cannot be serialized as JSON: "
                      + e.getOriginalMessage()));
    }
  }

  /**
   * Decodes a response body; null for an empty body or {@code Void}.
   *
   * @throws JsonProcessingException if the body is not JSON of that type; its message names the
   *     expected type and the line and column, never content of the body, and it has no cause
   * @throws IOException if it cannot be read as JSON
   */
  @SuppressWarnings("unchecked")
  <T> @Nullable T decode(byte[] bytes, @Nullable MediaType contentType, JavaType type)
      throws IOException {
    Class<?> raw = type.getRawClass();
    if (raw == Void.class || raw == void.class || bytes.length == 0) {
      return null;
    }
    if (raw == byte[].class) {
      return (T) bytes;
    }
    if (raw == String.class) {
      Charset charset = contentType == null ? null : contentType.charset(null);
      return (T) new String(bytes, charset != null ? charset : StandardCharsets.UTF_8);
    }
    try {
      return mapper.readValue(bytes, type);
    } catch (JsonProcessingException e) {
      throw new UndecodableBodyException(describe(e, type));
    }
  }

  /** What was expected and where, from types and numbers only: never Jackson's message text. */
  private static String describe(JsonProcessingException e, JavaType requested) {
    String what;
    if (e instanceof DatabindException) {
      Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
      what = "expected " + (target != null ? target.getTypeName() : requested.toCanonical());
    } else if (e instanceof StreamConstraintsException) {
      what = "JSON beyond the parser's size limits";
    } else {
      what = "not well-formed JSON";
    }
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      what += " at line " + at.getLineNr();
      if (at.getColumnNr() > 0) {
        what += ", column " + at.getColumnNr();
      }
    }
    return what;
  }

  /** A decoding failure with a content-free message, no cause and no location. */
  private static final class UndecodableBodyException extends JsonProcessingException {
    private static final long serialVersionUID = 1L;

    UndecodableBodyException(String message) {
      super(message);
    }
  }
}
