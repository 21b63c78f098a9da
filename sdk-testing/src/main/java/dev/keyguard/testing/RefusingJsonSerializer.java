package dev.keyguard.testing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Jackson serializer for the fixtures that hold secrets: it refuses, whatever the mapper's
 * settings. The same rule as core's own (not exported) serializer, kept here so that this module
 * needs nothing but the public API of {@code dev.keyguard.core}.
 */
final class RefusingJsonSerializer extends StdSerializer<Object> {

  private static final long serialVersionUID = 1L;

  /** Creates the serializer; Jackson calls this. */
  RefusingJsonSerializer() {
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
