package dev.keyguard;

import org.jspecify.annotations.Nullable;

/**
 * The backend returned a value that is not a usable credential: blank, not UTF-8, or JSON without
 * the expected field. The message names the expected field and never echoes the content.
 *
 * <p>{@link #isRetryable()} is {@code false}.
 */
public class MalformedSecretException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param cause the underlying failure; may be null
   * @param keyId the key concerned; may be null
   * @param version the version concerned; may be null
   */
  public MalformedSecretException(
      String message, @Nullable Throwable cause, @Nullable KeyId keyId, @Nullable String version) {
    super(message, cause, keyId, version, false);
  }

  /**
   * Creates the exception for a key.
   *
   * @param message what failed and what to do next; never a secret value
   * @param keyId the key concerned; may be null
   */
  public MalformedSecretException(String message, @Nullable KeyId keyId) {
    this(message, null, keyId, null);
  }
}
