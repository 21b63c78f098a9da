package dev.keyguard.client;

import dev.keyguard.Redactor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import okhttp3.MediaType;
import okhttp3.RequestBody;

/**
 * JSON in and out of one client: request bodies serialized with the client's mapper, response
 * bodies decoded into the caller's type ({@code String} and {@code byte[]} raw, {@code Void} none).
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
          Redactor.global().redact(
              "the request body (" + body.getClass().getSimpleName()
                  + ") cannot be serialized as JSON: " + e.getOriginalMessage()));
    }
  }

  /**
   * Decodes a response body; null for an empty body or {@code Void}.
   *
   * @throws JsonProcessingException if the body is not JSON of that type
   * @throws IOException if it cannot be read as JSON
   */
  @SuppressWarnings("unchecked")
  <T> T decode(byte[] bytes, MediaType contentType, JavaType type) throws IOException {
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
    return mapper.readValue(bytes, type);
  }
}
