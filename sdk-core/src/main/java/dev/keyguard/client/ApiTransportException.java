package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import org.jspecify.annotations.Nullable;

/**
 * A call to the API failed without a usable HTTP response: the connection was refused or reset, a
 * timeout expired, or a redirect chain was too long. TLS failures and refused cleartext are {@link
 * InsecureTransportException}s instead.
 *
 * <p>{@link #isRetryable()} is {@code true} for network failures and timeouts, {@code false} for a
 * redirect loop. The cause is the underlying {@link java.io.IOException}, if any.
 */
public class ApiTransportException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param cause the underlying failure; may be null
   * @param keyId the key concerned; may be null
   * @param version the version concerned; may be null
   * @param retryable whether the same call may succeed later
   */
  public ApiTransportException(
      String message,
      @Nullable Throwable cause,
      @Nullable KeyId keyId,
      @Nullable String version,
      boolean retryable) {
    super(message, cause, keyId, version, retryable);
  }

  /** A network failure or timeout, {@code cause}: the same call may succeed later. */
  static ApiTransportException retryable(
      String message, @Nullable Throwable cause, @Nullable KeyId keyId) {
    return new ApiTransportException(message, cause, keyId, null, true);
  }

  /** A failure that repeating the call will not fix (a redirect loop). */
  static ApiTransportException notRetryable(String message, @Nullable KeyId keyId) {
    return new ApiTransportException(message, null, keyId, null, false);
  }
}
