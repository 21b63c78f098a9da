package dev.keyguard;

import org.jspecify.annotations.Nullable;

/**
 * The backend could not be reached or failed (network, timeout, throttling, 5xx), or a refresh
 * failed for longer than the stale bound allows. The cause says why.
 *
 * <p>{@link #isRetryable()} is {@code true}.
 */
public class KeyProviderUnavailableException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param cause the underlying failure; may be null
   * @param keyId the key concerned; may be null
   * @param version the version concerned; may be null
   */
  public KeyProviderUnavailableException(
      String message, @Nullable Throwable cause, @Nullable KeyId keyId, @Nullable String version) {
    super(message, cause, keyId, version, true);
  }

  /**
   * Creates the exception for a key.
   *
   * @param message what failed and what to do next; never a secret value
   * @param keyId the key concerned; may be null
   */
  public KeyProviderUnavailableException(String message, @Nullable KeyId keyId) {
    this(message, null, keyId, null);
  }
}
