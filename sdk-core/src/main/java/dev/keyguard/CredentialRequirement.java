package dev.keyguard;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a credential something needs: the API key alone (a header, bearer or query parameter
 * scheme), or the API key and the API secret (an HMAC signing scheme's secret, a JWT scheme's
 * private key). An {@code AuthScheme} declares it ({@code AuthScheme.requirement()}), and the key
 * path checks every fetched credential against it, so that a credential that lacks a part fails
 * where it is loaded ({@code awaitReady}, the first fetch, a refresh) rather than at the first
 * signed request.
 *
 * <p>A credential that does not meet the requirement fails with a {@link MalformedSecretException}
 * that names the key, the version, the missing part, who needs it, the field it was expected in and
 * the fields that were found (names only, never values), for example:
 *
 * <pre>
 * key 'binance' (version 3) has no API secret, which the Binance HMAC-SHA256 scheme needs:
 * expected field 'apiSecret' (CredentialFieldMapping.Builder.apiSecretField sets another name);
 * found fields: apiKey, secretKey
 * </pre>
 *
 * <p>Immutable and thread-safe; equal requirements are {@link #equals(Object) equal}.
 *
 * <pre>{@code
 * CredentialRequirement signing =
 *     CredentialRequirement.apiKeyAndSecret("the Acme HMAC scheme", "API secret");
 * ManagedKey acme = keyManager.key("acme", signing); // awaitReady now fails on a key without it
 * }</pre>
 */
public final class CredentialRequirement {

  /** The parts of a {@link VersionedCredential}. */
  public enum Part {
    /** {@link VersionedCredential#apiKey()}: every credential has one. */
    API_KEY,
    /** {@link VersionedCredential#apiSecret()}: an API secret or a private key. */
    API_SECRET
  }

  private static final CredentialRequirement API_KEY_ONLY =
      new CredentialRequirement(EnumSet.of(Part.API_KEY), "an API key scheme", null);

  private final Set<Part> parts;
  private final String neededBy;
  private final @Nullable String secretName;

  private CredentialRequirement(Set<Part> parts, String neededBy, @Nullable String secretName) {
    this.parts = Set.copyOf(parts);
    this.neededBy = neededBy;
    this.secretName = secretName;
  }

  /**
   * The API key alone: what every {@link VersionedCredential} has, so every credential meets it.
   * The default of an auth scheme.
   *
   * @return the requirement
   */
  public static CredentialRequirement apiKeyOnly() {
    return API_KEY_ONLY;
  }

  /**
   * The API key and the API secret.
   *
   * @param neededBy who needs them, as a message should name it, such as {@code "the Binance
   *     HMAC-SHA256 scheme"}
   * @param secretName what the one who needs it calls the API secret, such as {@code "API secret"}
   *     or {@code "EC private key"}
   * @return the requirement
   * @throws IllegalArgumentException if a text is blank
   */
  public static CredentialRequirement apiKeyAndSecret(String neededBy, String secretName) {
    return new CredentialRequirement(
        EnumSet.of(Part.API_KEY, Part.API_SECRET),
        text(neededBy, "neededBy"),
        text(secretName, "secretName"));
  }

  /**
   * The parts required.
   *
   * @return an unmodifiable set; always holds {@link Part#API_KEY}
   */
  public Set<Part> parts() {
    return parts;
  }

  /**
   * Who needs the parts, as messages name it.
   *
   * @return the description
   */
  public String neededBy() {
    return neededBy;
  }

  /**
   * Tells whether a credential has every part required.
   *
   * @param credential the credential
   * @return true if it has every part
   */
  public boolean isMetBy(VersionedCredential credential) {
    Objects.requireNonNull(credential, "credential");
    return !parts.contains(Part.API_SECRET) || credential.apiSecret().isPresent();
  }

  /**
   * Checks that a credential has every part required.
   *
   * @param credential the credential
   * @throws MalformedSecretException if a part is missing; the message names the key, version,
   *     missing part, who needs it, the expected field and the fields found, never a value
   */
  public void check(VersionedCredential credential) {
    if (isMetBy(credential)) {
      return;
    }
    StoredFields stored = credential.storedFields();
    String where;
    if (stored == null) {
      where =
          "the credential was built without one (VersionedCredential.Builder.apiSecret); a stored"
              + " JSON value holds it in the field 'apiSecret' next to 'apiKey'";
    } else if (stored.isWholeValue()) {
      where =
          "the stored value is a plain string, taken as the API key alone; store a JSON object"
              + " with the fields '"
              + stored.apiKeyField()
              + "' and '"
              + stored.apiSecretField()
              + "' (CredentialFieldMapping sets other names); "
              + stored.found();
    } else {
      where =
          "expected field '"
              + stored.apiSecretField()
              + "' (CredentialFieldMapping.Builder"
              + ".apiSecretField sets another name); "
              + stored.found();
    }
    throw new MalformedSecretException(
        "key '"
            + credential.keyId()
            + "' (version "
            + credential.version()
            + ") has no "
            + secretName
            + ", which "
            + neededBy
            + " needs: "
            + where,
        null,
        credential.keyId(),
        credential.version());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CredentialRequirement other
        && parts.equals(other.parts)
        && neededBy.equals(other.neededBy)
        && Objects.equals(secretName, other.secretName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(parts, neededBy, secretName);
  }

  /** Returns the parts and who needs them. */
  @Override
  public String toString() {
    return "CredentialRequirement[" + parts + ", neededBy=" + neededBy + "]";
  }

  private static String text(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }
}
