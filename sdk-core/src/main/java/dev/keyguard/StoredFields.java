package dev.keyguard;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link CredentialFieldMapping} found in a stored value, by name only: the names of the
 * fields of a JSON object (in stored order), or the fact that the value was a plain string (the
 * whole value is the API key), and the field names the mapping read the API key and the API secret
 * from. It holds no value, so that a {@link CredentialRequirement} a credential does not meet can
 * say which field was expected and which were there.
 *
 * <p>A field name that looks like a value (long, digit-heavy, or with characters a field name
 * rarely has, as when a key was stored as a name) is described, not shown; and every message goes
 * through the {@link Redactor} as usual. Immutable.
 */
final class StoredFields {

  /** Longer names are described, not shown: a field name is an identifier, not a token. */
  private static final int MAX_SHOWN_LENGTH = 40;

  /** A name of at least this length with {@link #MAX_DIGITS_IN_LONG_NAME}+ digits is not shown. */
  private static final int LONG_NAME = 16;

  private static final int MAX_DIGITS_IN_LONG_NAME = 2;

  private final @Nullable List<String> names;
  private final Set<String> nullNames;
  private final String apiKeyField;
  private final String apiSecretField;

  private StoredFields(
      @Nullable List<String> names,
      Set<String> nullNames,
      String apiKeyField,
      String apiSecretField) {
    this.names = names;
    this.nullNames = nullNames;
    this.apiKeyField = apiKeyField;
    this.apiSecretField = apiSecretField;
  }

  /** A plain string: the whole value is the API key. */
  static StoredFields wholeValue(String apiKeyField, String apiSecretField) {
    return new StoredFields(null, Set.of(), apiKeyField, apiSecretField);
  }

  /** A JSON object with these field names, of which those in {@code nullNames} hold null. */
  static StoredFields objectFields(
      List<String> names, Set<String> nullNames, String apiKeyField, String apiSecretField) {
    return new StoredFields(List.copyOf(names), Set.copyOf(nullNames), apiKeyField, apiSecretField);
  }

  boolean isWholeValue() {
    return names == null;
  }

  String apiKeyField() {
    return apiKeyField;
  }

  String apiSecretField() {
    return apiSecretField;
  }

  /** {@code "found fields: apiKey, secretKey"}, or what was found instead; names only. */
  String found() {
    if (names == null) {
      return "found: the whole value (a plain string, which is the API key alone)";
    }
    if (names.isEmpty()) {
      return "found fields: none (an empty JSON object)";
    }
    StringBuilder sb = new StringBuilder("found fields: ");
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      sb.append(i == 0 ? "" : ", ").append(shown(name));
      if (nullNames.contains(name)) {
        sb.append(" (null)");
      }
    }
    return sb.toString();
  }

  /** The name as it may be printed: itself if it looks like a field name, else a description. */
  static String shown(String name) {
    int digits = 0;
    boolean nameLike = !name.isEmpty() && name.length() <= MAX_SHOWN_LENGTH;
    for (int i = 0; i < name.length() && nameLike; i++) {
      char c = name.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || c == '_'
          || c == '-'
          || c == '.')) {
        nameLike = false;
      }
    }
    if (nameLike && name.length() >= LONG_NAME && digits > MAX_DIGITS_IN_LONG_NAME) {
      nameLike = false;
    }
    return nameLike
        ? name
        : "<a name of " + name.length() + " characters that looks like a value, not shown>";
  }

  /** Names only, through {@link #shown(String)}. */
  @Override
  public String toString() {
    return "StoredFields[" + found() + "]";
  }
}
