package dev.keyguard;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.keyguard.internal.RefusingSerializer;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One version of a credential as a backend returned it: the key id, the version id, the API key, an
 * optional second secret (an API secret for HMAC signing, or a private key for JWTs), and what the
 * backend knows about its lifetime, scopes and environment.
 *
 * <p>The version id is the backend's own (an AWS version id, a Vault KV version, an Azure version).
 * Backends that have no versions (environment variables, files) use the fingerprints of the secret
 * parts, so a changed value is a new version and an unchanged one is the same version.
 *
 * <p>Where the backend numbers its versions in an order that never goes back (Vault KV v2: a
 * rollback writes a new, higher version), the provider also sets {@link #versionSequence()}; a key
 * manager then refuses a fetched version numbered below the one it holds (see {@link
 * KeyVersionRegressedException}).
 *
 * <p>{@link #toString()} shows the key id, version and fingerprints only. Instances are immutable
 * and thread-safe; they are neither Java- nor Jackson-serializable.
 *
 * <pre>{@code
 * VersionedCredential credential = VersionedCredential.builder(KeyId.of("binance"), Secret.of(apiKey))
 *     .apiSecret(Secret.of(apiSecret))
 *     .version("7")
 *     .expiresAt(Instant.parse("2027-01-01T00:00:00Z"))
 *     .build();
 * }</pre>
 */
@JsonSerialize(using = RefusingSerializer.class)
public final class VersionedCredential {

  private final KeyId keyId;
  private final String version;
  private final Secret apiKey;
  private final @Nullable Secret apiSecret;
  private final Instant fetchedAt;
  private final @Nullable Instant notBefore;
  private final @Nullable Instant expiresAt;
  private final @Nullable Instant createdAt;
  private final Set<String> scopes;
  private final @Nullable String environment;
  private final long versionSequence; // NO_SEQUENCE if the backend has none

  /** The field names a {@link CredentialFieldMapping} found, or null if not parsed by one. */
  private final @Nullable StoredFields storedFields;

  private VersionedCredential(Builder b) {
    this.keyId = b.keyId;
    this.apiKey = b.apiKey;
    this.apiSecret = b.apiSecret;
    this.version =
        b.version != null
            ? b.version
            : apiSecret == null
                ? apiKey.fingerprint()
                : apiKey.fingerprint() + "+" + apiSecret.fingerprint();
    this.fetchedAt = b.fetchedAt != null ? b.fetchedAt : TimeSource.system().now();
    this.notBefore = b.notBefore;
    this.expiresAt = b.expiresAt;
    this.createdAt = b.createdAt;
    this.scopes = Set.copyOf(b.scopes);
    this.environment = b.environment;
    this.versionSequence = b.versionSequence;
    this.storedFields = b.storedFields;
  }

  /**
   * Starts a credential for a key id and its API key.
   *
   * @param keyId the key id
   * @param apiKey the API key (the part sent to the API, or the only part)
   * @return a builder
   */
  public static Builder builder(KeyId keyId, Secret apiKey) {
    return new Builder(keyId, apiKey);
  }

  /**
   * Returns a builder holding this credential's values, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(keyId, apiKey);
    b.version = version;
    b.apiSecret = apiSecret;
    b.fetchedAt = fetchedAt;
    b.notBefore = notBefore;
    b.expiresAt = expiresAt;
    b.createdAt = createdAt;
    b.scopes.addAll(scopes);
    b.environment = environment;
    b.versionSequence = versionSequence;
    b.storedFields = storedFields;
    return b;
  }

  /**
   * The key id.
   *
   * @return the key id
   */
  public KeyId keyId() {
    return keyId;
  }

  /**
   * The backend's version id, or the fingerprints of the secret parts where the backend has no
   * versions.
   *
   * @return the version id, never null
   */
  public String version() {
    return version;
  }

  /**
   * The API key.
   *
   * @return the API key
   */
  public Secret apiKey() {
    return apiKey;
  }

  /**
   * The second secret, for schemes that sign requests (an API secret, or a PEM private key).
   *
   * @return the second secret, if the backend stored one
   */
  public Optional<Secret> apiSecret() {
    return Optional.ofNullable(apiSecret);
  }

  /**
   * When this version was read from the backend.
   *
   * @return the fetch time
   */
  public Instant fetchedAt() {
    return fetchedAt;
  }

  /**
   * The time before which the backend says this version must not be used.
   *
   * @return the not-before time, if known
   */
  public Optional<Instant> notBefore() {
    return Optional.ofNullable(notBefore);
  }

  /**
   * The time from which this version must no longer be used.
   *
   * @return the expiry time, if known
   */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  /**
   * When this version was created in the backend, used by the key-age policy.
   *
   * @return the creation time, if known
   */
  public Optional<Instant> createdAt() {
    return Optional.ofNullable(createdAt);
  }

  /**
   * The scopes the key is granted (for least-privilege checks), as the backend tagged them.
   *
   * @return an unmodifiable set, empty if unknown
   */
  public Set<String> scopes() {
    return scopes;
  }

  /**
   * The environment the key belongs to ({@code prod}, {@code dev}, …), as the backend tagged it.
   *
   * @return the environment tag, if any
   */
  public Optional<String> environment() {
    return Optional.ofNullable(environment);
  }

  /**
   * The backend's ordinal for this version, where the backend numbers versions in an order that
   * never goes back (Vault KV v2 version numbers); empty for backends whose version ids are not
   * ordered (AWS version ids, Azure version ids, fingerprints).
   *
   * @return the ordinal, 1 or more, if the backend has one
   */
  public OptionalLong versionSequence() {
    return versionSequence == NO_SEQUENCE ? OptionalLong.empty() : OptionalLong.of(versionSequence);
  }

  /**
   * What the {@link CredentialFieldMapping} that parsed this credential found (field names only),
   * for messages about a missing part; null for a credential built in code.
   */
  @Nullable StoredFields storedFields() {
    return storedFields;
  }

  /**
   * Tells whether this and another credential are the same version of the same key.
   *
   * @param other the other credential; may be null
   * @return true if the key ids and version ids are equal
   */
  public boolean sameVersionAs(VersionedCredential other) {
    return other != null && keyId.equals(other.keyId) && version.equals(other.version);
  }

  /**
   * Tells whether the credential may be used at the given instant: not before its not-before time
   * and strictly before its expiry.
   *
   * @param now the instant to check
   * @return true if usable at {@code now}
   */
  public boolean isUsableAt(Instant now) {
    return (notBefore == null || !now.isBefore(notBefore))
        && (expiresAt == null || now.isBefore(expiresAt));
  }

  /** Returns the key id, version and fingerprints; never a secret value. */
  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("VersionedCredential[keyId=")
            .append(keyId)
            .append(", version=")
            .append(version)
            .append(", apiKey=")
            .append(apiKey.fingerprint());
    if (apiSecret != null) {
      sb.append(", apiSecret=").append(apiSecret.fingerprint());
    }
    if (expiresAt != null) {
      sb.append(", expiresAt=").append(expiresAt);
    }
    if (environment != null) {
      sb.append(", environment=").append(environment);
    }
    return sb.append(']').toString();
  }

  private static final long NO_SEQUENCE = 0;

  /** Builds a {@link VersionedCredential}. Not thread-safe. */
  public static final class Builder {
    private final KeyId keyId;
    private final Secret apiKey;
    private @Nullable String version;
    private @Nullable Secret apiSecret;
    private @Nullable Instant fetchedAt;
    private @Nullable Instant notBefore;
    private @Nullable Instant expiresAt;
    private @Nullable Instant createdAt;
    private final Set<String> scopes = new LinkedHashSet<>();
    private @Nullable String environment;
    private long versionSequence = NO_SEQUENCE;
    private @Nullable StoredFields storedFields;

    private Builder(KeyId keyId, Secret apiKey) {
      this.keyId = Objects.requireNonNull(keyId, "keyId");
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    }

    /**
     * Sets the backend's version id. Without it, the version is derived from the fingerprints.
     *
     * @param version the version id; not blank
     * @return this builder
     */
    public Builder version(String version) {
      Objects.requireNonNull(version, "version");
      if (version.isBlank()) {
        throw new IllegalArgumentException("version must not be blank");
      }
      this.version = version;
      return this;
    }

    /**
     * Sets the second secret (API secret or private key).
     *
     * @param apiSecret the second secret; null for none
     * @return this builder
     */
    public Builder apiSecret(@Nullable Secret apiSecret) {
      this.apiSecret = apiSecret;
      return this;
    }

    /**
     * Sets when the credential was fetched (default: the system time, {@link TimeSource#system()},
     * when {@link #build()} is called). A provider with a {@link TimeSource} sets it from that.
     *
     * @param fetchedAt the fetch time
     * @return this builder
     */
    public Builder fetchedAt(Instant fetchedAt) {
      this.fetchedAt = Objects.requireNonNull(fetchedAt, "fetchedAt");
      return this;
    }

    /**
     * Sets the not-before time.
     *
     * @param notBefore the time; null for none
     * @return this builder
     */
    public Builder notBefore(@Nullable Instant notBefore) {
      this.notBefore = notBefore;
      return this;
    }

    /**
     * Sets the expiry time.
     *
     * @param expiresAt the time; null for none
     * @return this builder
     */
    public Builder expiresAt(@Nullable Instant expiresAt) {
      this.expiresAt = expiresAt;
      return this;
    }

    /**
     * Sets the creation time in the backend.
     *
     * @param createdAt the time; null for unknown
     * @return this builder
     */
    public Builder createdAt(@Nullable Instant createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    /**
     * Adds scopes.
     *
     * @param scopes the scope names
     * @return this builder
     */
    public Builder scopes(Collection<String> scopes) {
      for (String scope : scopes) {
        this.scopes.add(Objects.requireNonNull(scope, "scope"));
      }
      return this;
    }

    /**
     * Sets the environment tag.
     *
     * @param environment the tag; null for none
     * @return this builder
     */
    public Builder environment(@Nullable String environment) {
      this.environment = environment;
      return this;
    }

    /**
     * Sets the backend's ordinal for this version, for a backend whose versions are numbered in an
     * order that never goes back (as Vault KV v2 numbers them). Set it only where that holds: a key
     * manager refuses a fetched version whose ordinal is below the one it holds, as a version that
     * went backwards (a lagging replica, a backup restored over newer versions, or an old answer
     * replayed), unless its {@link #createdAt(Instant) createdAt} is after the held one's (a secret
     * created again, its numbering started over). {@link VersionedCredential#toBuilder()} keeps the
     * ordinal: set it again when you change the version.
     *
     * @param sequence the ordinal, 1 or more
     * @return this builder
     * @throws IllegalArgumentException if {@code sequence} is less than 1
     */
    public Builder versionSequence(long sequence) {
      if (sequence < 1) {
        throw new IllegalArgumentException("versionSequence must be 1 or more, was " + sequence);
      }
      this.versionSequence = sequence;
      return this;
    }

    /** Records what a {@link CredentialFieldMapping} found in the stored value (names only). */
    Builder storedFields(StoredFields storedFields) {
      this.storedFields = storedFields;
      return this;
    }

    /**
     * Builds the credential.
     *
     * @return the credential
     * @throws IllegalStateException if not-before is not before expiry
     */
    public VersionedCredential build() {
      if (notBefore != null && expiresAt != null && !notBefore.isBefore(expiresAt)) {
        throw new IllegalStateException(
            "credential "
                + keyId
                + ": notBefore "
                + notBefore
                + " is not before expiresAt "
                + expiresAt);
      }
      return new VersionedCredential(this);
    }
  }
}
