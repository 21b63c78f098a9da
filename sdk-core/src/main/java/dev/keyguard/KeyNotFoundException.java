package dev.keyguard;

import org.jspecify.annotations.Nullable;

/**
 * The backend has no such key (a missing environment variable, file, secret or path). Fix the
 * configuration or create the key.
 *
 * <p>{@link #isRetryable()} is {@code false}.
 */
public class KeyNotFoundException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param cause the underlying failure; may be null
   * @param keyId the key concerned; may be null
   * @param version the version concerned; may be null
   */
  public KeyNotFoundException(
      String message, @Nullable Throwable cause, @Nullable KeyId keyId, @Nullable String version) {
    super(message, cause, keyId, version, false);
  }

  /**
   * Creates the exception for a key.
   *
   * @param message what failed and what to do next; never a secret value
   * @param keyId the key concerned; may be null
   */
  public KeyNotFoundException(String message, @Nullable KeyId keyId) {
    this(message, null, keyId, null);
  }
}
