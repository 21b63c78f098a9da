package dev.keyguard.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Jackson serializer for types that hold or reach secrets (secret values, credentials, key
 * providers and their sources): it refuses, whatever the mapper's settings. Registered with
 * {@code @JsonSerialize(using = RefusingSerializer.class)}.
 */
public final class RefusingSerializer extends StdSerializer<Object> {

  private static final long serialVersionUID = 1L;

  /** Creates the serializer; Jackson calls this. */
  public RefusingSerializer() {
    super(Object.class);
  }

  @Override
  public void serialize(Object value, JsonGenerator gen, SerializerProvider provider)
      throws IOException {
    throw JsonMappingException.from(
        gen,
        value.getClass().getSimpleName()
            + " holds or reaches secret material and is never serialized; serialize a key id,"
            + " version or fingerprint instead");
  }
}
