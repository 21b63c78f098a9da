package dev.keyguard;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.keyguard.internal.SecretForms;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Maps a stored secret to the parts of a {@link VersionedCredential}; the one facility every
 * backend shares.
 *
 * <p>A stored value is either a plain string (the whole value, stripped of surrounding whitespace,
 * is the API key) or a JSON object:
 *
 * <pre>{@code
 * {"apiKey": "…", "apiSecret": "…", "scopes": ["read"], "environment": "prod", "version": "7",
 *  "notBefore": "2026-01-01T00:00:00Z", "expiresAt": "2026-04-01T00:00:00Z", "createdAt": "…"}
 * }</pre>
 *
 * <p>Only {@code apiKey} is required here; what a user of the key needs besides (an API secret for
 * a signing scheme) is a {@link CredentialRequirement}, checked where the key is loaded. The
 * returned builder records the names of the fields found (JSON object keys, or the fact that the
 * value was a plain string; never a value), so that a message about a missing field can list them.
 * The field names are configurable for secrets that were stored under other names. {@code scopes}
 * may be an array of strings or a comma-separated string. {@code version} (a string or an integer)
 * sets the version id; without it the version is derived from the fingerprints of the secret parts,
 * and a backend that has its own version ids sets them on the returned builder, which overrides the
 * field. Unknown fields are ignored. A leading UTF-8 byte order mark is ignored. A value that
 * starts with an opening brace is always parsed as JSON: a malformed object is an error, never an
 * API key. Parsing either returns a complete builder or throws: nothing half-parsed is returned.
 *
 * <p>Errors are {@link MalformedSecretException}s that name the key and the expected field and
 * never echo the content (Jackson's own messages, which quote the input, are not kept).
 *
 * <p>Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * CredentialFieldMapping mapping = CredentialFieldMapping.builder()
 *     .apiKeyField("key")
 *     .apiSecretField("secret")
 *     .build();
 * }</pre>
 */
public final class CredentialFieldMapping {

  /**
   * The longest stored value parsed, in characters (or bytes, for a binary value): 64 KiB, the size
   * of the largest AWS Secrets Manager secret and of the largest key file {@link
   * dev.keyguard.provider.FileKeyProvider} reads. A longer value is not a key (a wrong secret
   * referenced, or a hostile answer) and would be copied into every request and into the redactor.
   */
  public static final int MAX_STORED_LENGTH = 64 * 1024;

  private static final CredentialFieldMapping DEFAULTS = builder().build();

  private static final String BYTE_ORDER_MARK = "\uFEFF";

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .build();

  private final String apiKeyField;
  private final String apiSecretField;
  private final String scopesField;
  private final String environmentField;
  private final String notBeforeField;
  private final String expiresAtField;
  private final String createdAtField;
  private final String versionField;

  private CredentialFieldMapping(Builder b) {
    this.apiKeyField = b.apiKeyField;
    this.apiSecretField = b.apiSecretField;
    this.scopesField = b.scopesField;
    this.environmentField = b.environmentField;
    this.notBeforeField = b.notBeforeField;
    this.expiresAtField = b.expiresAtField;
    this.createdAtField = b.createdAtField;
    this.versionField = b.versionField;
  }

  /**
   * The default mapping: {@code apiKey}, {@code apiSecret}, {@code scopes}, {@code environment},
   * {@code notBefore}, {@code expiresAt}, {@code createdAt}, {@code version}.
   *
   * @return the default mapping
   */
  public static CredentialFieldMapping defaults() {
    return DEFAULTS;
  }

  /**
   * Starts a mapping with the default field names.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The name of the field that holds the API key.
   *
   * @return the field name
   */
  public String apiKeyField() {
    return apiKeyField;
  }

  /**
   * Parses a stored text value into a credential builder, for the backend to add its version and
   * metadata to.
   *
   * @param keyId the key the value belongs to (for error messages)
   * @param stored the stored value
   * @return a builder with the secret parts, scopes, environment, times and (if stored) version set
   * @throws MalformedSecretException if the value is blank or longer than {@link
   *     #MAX_STORED_LENGTH}, JSON without a usable API key, has a field of the wrong type or an
   *     invalid instant, or a not-before time that is not before its expiry
   */
  public VersionedCredential.Builder parse(KeyId keyId, String stored) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(stored, "stored");
    if (stored.length() > MAX_STORED_LENGTH) {
      throw tooLong(keyId, stored.length(), "characters");
    }
    String trimmed = stored.strip();
    if (trimmed.startsWith(BYTE_ORDER_MARK)) {
      // an editor's byte order mark is not part of the key, and would hide a JSON object
      trimmed = trimmed.substring(BYTE_ORDER_MARK.length()).strip();
    }
    if (trimmed.isEmpty()) {
      throw new MalformedSecretException(
          "the stored value of key '" + keyId + "' is empty or blank", keyId);
    }
    if (!trimmed.startsWith("{")) {
      return VersionedCredential.builder(keyId, secretOf(keyId, trimmed, "the stored value"))
          .storedFields(StoredFields.wholeValue(apiKeyField, apiSecretField));
    }
    JsonNode root;
    try (JsonParser parser = MAPPER.createParser(trimmed)) {
      root = MAPPER.readTree(parser);
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the input: keep neither message nor cause.
      throw new MalformedSecretException(
          "the stored value of key '"
              + keyId
              + "' starts like a JSON object but is not valid JSON"
              + " (expected an object with a string field '"
              + apiKeyField
              + "')",
          keyId);
    } catch (java.io.IOException e) {
      throw new MalformedSecretException(
          "the stored value of key '" + keyId + "' could not be read as JSON", keyId);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedSecretException(
          "the stored value of key '"
              + keyId
              + "' is not a JSON object with a string field '"
              + apiKeyField
              + "'",
          keyId);
    }
    StoredFields found = storedFields(root);
    Secret apiKey = requiredSecret(keyId, root, apiKeyField, found);
    Secret apiSecret = null;
    try {
      apiSecret = optionalSecret(keyId, root, apiSecretField, found);
      VersionedCredential.Builder builder =
          VersionedCredential.builder(keyId, apiKey).storedFields(found);
      builder.apiSecret(apiSecret);
      builder.scopes(scopes(keyId, root));
      builder.environment(optionalText(keyId, root, environmentField));
      Instant notBefore = optionalInstant(keyId, root, notBeforeField);
      Instant expiresAt = optionalInstant(keyId, root, expiresAtField);
      if (notBefore != null && expiresAt != null && !notBefore.isBefore(expiresAt)) {
        throw new MalformedSecretException(
            "field '"
                + notBeforeField
                + "' of key '"
                + keyId
                + "' ("
                + notBefore
                + ") must be before field '"
                + expiresAtField
                + "' ("
                + expiresAt
                + ")",
            keyId);
      }
      builder.notBefore(notBefore);
      builder.expiresAt(expiresAt);
      builder.createdAt(optionalInstant(keyId, root, createdAtField));
      String version = optionalVersion(keyId, root);
      if (version != null) {
        builder.version(version);
      }
      return builder;
    } catch (RuntimeException e) {
      // nothing half-parsed survives: wipe the parts already copied
      apiKey.destroy();
      if (apiSecret != null) {
        apiSecret.destroy();
      }
      throw e;
    }
  }

  /**
   * Parses a stored binary value, which must be UTF-8 text; see {@link #parse(KeyId, String)}.
   *
   * @param keyId the key the value belongs to
   * @param stored the stored bytes
   * @return a builder with the secret parts set
   * @throws MalformedSecretException if the bytes are not UTF-8, or as for {@link #parse(KeyId,
   *     String)}
   */
  public VersionedCredential.Builder parse(KeyId keyId, byte[] stored) {
    Objects.requireNonNull(stored, "stored");
    if (stored.length > MAX_STORED_LENGTH) {
      throw tooLong(keyId, stored.length, "bytes");
    }
    String text = SecretForms.text(stored);
    if (text == null) {
      throw new MalformedSecretException(
          "the stored binary value of key '" + keyId + "' is not UTF-8 text", keyId);
    }
    return parse(keyId, text);
  }

  private static MalformedSecretException tooLong(KeyId keyId, int length, String unit) {
    return new MalformedSecretException(
        "the stored value of key '"
            + keyId
            + "' is "
            + length
            + " "
            + unit
            + " long; a stored key is at most "
            + MAX_STORED_LENGTH
            + " (64 KiB): check that the key id names the right secret",
        keyId);
  }

  /** The names of the object's fields (never a value), for messages about a missing one. */
  private StoredFields storedFields(JsonNode root) {
    List<String> names = new ArrayList<>();
    Set<String> nullNames = new HashSet<>();
    root.properties()
        .forEach(
            e -> {
              names.add(e.getKey());
              if (e.getValue().isNull()) {
                nullNames.add(e.getKey());
              }
            });
    return StoredFields.objectFields(names, nullNames, apiKeyField, apiSecretField);
  }

  private Secret requiredSecret(KeyId keyId, JsonNode root, String field, StoredFields found) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new MalformedSecretException(
          "the JSON value of key '" + keyId + "' has no field '" + field + "'; " + found.found(),
          keyId);
    }
    if (!node.isTextual() || node.textValue().isBlank()) {
      throw new MalformedSecretException(
          "field '" + field + "' of key '" + keyId + "' must be a non-blank string", keyId);
    }
    return secretOf(keyId, node.textValue().strip(), "field '" + field + "'");
  }

  /** A secret from text; text that is not a valid secret (an unpaired surrogate) is malformed. */
  private static Secret secretOf(KeyId keyId, String text, String what) {
    try {
      return Secret.of(text);
    } catch (IllegalArgumentException e) {
      // Secret's message never holds the value
      throw new MalformedSecretException(
          what + " of key '" + keyId + "' is not a valid secret: " + e.getMessage(), keyId);
    }
  }

  private @Nullable Secret optionalSecret(
      KeyId keyId, JsonNode root, String field, StoredFields found) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    return requiredSecret(keyId, root, field, found);
  }

  private static @Nullable String optionalText(KeyId keyId, JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new MalformedSecretException(
          "field '" + field + "' of key '" + keyId + "' must be a string", keyId);
    }
    return node.textValue().strip();
  }

  private static @Nullable Instant optionalInstant(KeyId keyId, JsonNode root, String field) {
    String text = optionalText(keyId, root, field);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new MalformedSecretException(
          "field '"
              + field
              + "' of key '"
              + keyId
              + "' must be an ISO-8601 instant such as 2026-01-01T00:00:00Z",
          keyId);
    }
  }

  private @Nullable String optionalVersion(KeyId keyId, JsonNode root) {
    JsonNode node = root.get(versionField);
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.asText();
    }
    if (!node.isTextual() || node.textValue().isBlank()) {
      throw new MalformedSecretException(
          "field '"
              + versionField
              + "' of key '"
              + keyId
              + "' must be a non-blank string or an integer",
          keyId);
    }
    return node.textValue().strip();
  }

  private List<String> scopes(KeyId keyId, JsonNode root) {
    JsonNode node = root.get(scopesField);
    List<String> scopes = new ArrayList<>();
    if (node == null || node.isNull()) {
      return scopes;
    }
    if (node.isTextual()) {
      for (String s : node.textValue().split(",")) {
        if (!s.isBlank()) {
          scopes.add(s.strip());
        }
      }
      return scopes;
    }
    if (node.isArray()) {
      for (JsonNode element : node) {
        if (!element.isTextual()) {
          throw new MalformedSecretException(
              "field '" + scopesField + "' of key '" + keyId + "' must hold strings only", keyId);
        }
        if (!element.textValue().isBlank()) {
          scopes.add(element.textValue().strip());
        }
      }
      return scopes;
    }
    throw new MalformedSecretException(
        "field '"
            + scopesField
            + "' of key '"
            + keyId
            + "' must be an array of strings or a comma-separated string",
        keyId);
  }

  /** Builds a {@link CredentialFieldMapping}. Not thread-safe. */
  public static final class Builder {
    private String apiKeyField = "apiKey";
    private String apiSecretField = "apiSecret";
    private String scopesField = "scopes";
    private String environmentField = "environment";
    private String notBeforeField = "notBefore";
    private String expiresAtField = "expiresAt";
    private String createdAtField = "createdAt";
    private String versionField = "version";

    private Builder() {}

    /**
     * Sets the field that holds the API key (default {@code apiKey}).
     *
     * @param name the field name
     * @return this builder
     */
    public Builder apiKeyField(String name) {
      this.apiKeyField = fieldName(name);
      return this;
    }

    /**
     * Sets the field that holds the API secret or private key (default {@code apiSecret}).
     *
     * @param name the field name
     * @return this builder
     */
    public Builder apiSecretField(String name) {
      this.apiSecretField = fieldName(name);
      return this;
    }

    /**
     * Sets the field that holds the scopes (default {@code scopes}).
     *
     * @param name the field name
     * @return this builder
     */
    public Builder scopesField(String name) {
      this.scopesField = fieldName(name);
      return this;
    }

    /**
     * Sets the field that holds the environment tag (default {@code environment}).
     *
     * @param name the field name
     * @return this builder
     */
    public Builder environmentField(String name) {
      this.environmentField = fieldName(name);
      return this;
    }

    /**
     * Sets the field that holds the not-before instant (default {@code notBefore}).
     *
     * @param name the field name
     * @return this builder
     */
    public Builder notBeforeField(String name) {
      this.notBeforeField = fieldName(name);
      return this;
    }

    /**
     * Sets the field that holds the expiry instant (default {@code expiresAt}).
     *
     * @param name the field name
     * @return this builder
     */
    public Builder expiresAtField(String name) {
      this.expiresAtField = fieldName(name);
      return this;
    }

    /**
     * Sets the field that holds the creation instant (default {@code createdAt}).
     *
     * @param name the field name
     * @return this builder
     */
    public Builder createdAtField(String name) {
      this.createdAtField = fieldName(name);
      return this;
    }

    /**
     * Sets the field that holds the version id (default {@code version}), a string or an integer.
     *
     * @param name the field name
     * @return this builder
     */
    public Builder versionField(String name) {
      this.versionField = fieldName(name);
      return this;
    }

    /**
     * Builds the mapping.
     *
     * @return the mapping
     * @throws IllegalStateException if the API key and API secret fields have the same name
     */
    public CredentialFieldMapping build() {
      if (apiKeyField.equals(apiSecretField)) {
        throw new IllegalStateException(
            "apiKeyField and apiSecretField must differ, both are '" + apiKeyField + "'");
      }
      return new CredentialFieldMapping(this);
    }

    private static String fieldName(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a field name must not be blank");
      }
      return name;
    }
  }
}
