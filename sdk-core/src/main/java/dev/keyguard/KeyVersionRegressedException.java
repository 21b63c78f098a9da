package dev.keyguard;

import org.jspecify.annotations.Nullable;

/**
 * The backend answered with a version numbered below the one already held for the key, where its
 * versions are numbered in an order that never goes back ({@link
 * VersionedCredential#versionSequence()}, Vault KV v2), and not created after the held one. The
 * answer is not served: it comes from a replica that lags behind, a backup restored over newer
 * versions, or an old answer replayed by something in the path. The key manager keeps serving the
 * version it holds and asks again at each retry; once the held version is older than {@code
 * maxStale}, the key cannot be served until the backend answers with a version it takes.
 *
 * <p>A lower number created <em>after</em> the held version is taken as a rotation: the secret was
 * deleted and created again, and its numbering started over.
 *
 * <p>{@link #isRetryable()} is {@code true}: a lagging replica catches up. If the backend was
 * restored from a backup on purpose, write a new version (it is created after the held one), or
 * restart the application (the order is remembered by each running key manager only).
 */
public class KeyVersionRegressedException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /** The ordinal of the version already held. */
  private final long heldSequence;

  /** The lower ordinal the backend returned. */
  private final long fetchedSequence;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param keyId the key concerned; may be null
   * @param version the version id the backend returned; may be null
   * @param heldSequence the ordinal of the version already held
   * @param fetchedSequence the lower ordinal the backend returned
   */
  public KeyVersionRegressedException(
      String message,
      @Nullable KeyId keyId,
      @Nullable String version,
      long heldSequence,
      long fetchedSequence) {
    super(message, null, keyId, version, true);
    this.heldSequence = heldSequence;
    this.fetchedSequence = fetchedSequence;
  }

  /**
   * The ordinal of the version the key manager holds.
   *
   * @return the held ordinal
   */
  public long heldSequence() {
    return heldSequence;
  }

  /**
   * The lower ordinal the backend returned.
   *
   * @return the fetched ordinal
   */
  public long fetchedSequence() {
    return fetchedSequence;
  }
}
