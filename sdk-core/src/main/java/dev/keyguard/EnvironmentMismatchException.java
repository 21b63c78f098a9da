package dev.keyguard;

import org.jspecify.annotations.Nullable;

/**
 * A key tagged for one environment was about to be used in another (a prod key in dev). Use the key
 * meant for this environment.
 *
 * <p>{@link #isRetryable()} is {@code false}.
 */
public class EnvironmentMismatchException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param cause the underlying failure; may be null
   * @param keyId the key concerned; may be null
   * @param version the version concerned; may be null
   */
  public EnvironmentMismatchException(
      String message, @Nullable Throwable cause, @Nullable KeyId keyId, @Nullable String version) {
    super(message, cause, keyId, version, false);
  }

  /**
   * Creates the exception for a key.
   *
   * @param message what failed and what to do next; never a secret value
   * @param keyId the key concerned; may be null
   */
  public EnvironmentMismatchException(String message, @Nullable KeyId keyId) {
    this(message, null, keyId, null);
  }
}
