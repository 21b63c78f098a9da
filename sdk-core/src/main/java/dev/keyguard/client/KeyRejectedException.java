package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The API refused the credential (a rejection status such as 401/403, or a rejection error code in
 * the body such as Kraken's {@code EAPI:Invalid key}) and no newer version was available to retry
 * with. Rotate the key in the backend, or check its permissions at the API provider.
 *
 * <p>{@link #isRetryable()} is {@code false}.
 */
public class KeyRejectedException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param cause the underlying failure; may be null
   * @param keyId the key concerned; may be null
   * @param version the version concerned; may be null
   */
  public KeyRejectedException(
      String message, @Nullable Throwable cause, @Nullable KeyId keyId, @Nullable String version) {
    super(message, cause, keyId, version, false);
  }

  /**
   * Creates the exception for a key.
   *
   * @param message what failed and what to do next; never a secret value
   * @param keyId the key concerned; may be null
   */
  public KeyRejectedException(String message, @Nullable KeyId keyId) {
    this(message, null, keyId, null);
  }

  /**
   * The HTTP status the API rejected the credential with, when the rejection came from an API
   * response (the cause is then the {@link ApiResponseException} with the request id and body
   * excerpt).
   *
   * @return the status, if known
   */
  public OptionalInt status() {
    return getCause() instanceof ApiResponseException
        ? OptionalInt.of(((ApiResponseException) getCause()).status())
        : OptionalInt.empty();
  }

  /**
   * The API's error code with which it rejected the credential, when the rejection was recognised
   * in the response body (such as {@code EAPI:Invalid key}); see {@link
   * ApiResponseException#errorCode()}.
   *
   * @return the code, or empty when the rejection was by status or not from an API response
   */
  public Optional<String> errorCode() {
    return getCause() instanceof ApiResponseException
        ? ((ApiResponseException) getCause()).errorCode()
        : Optional.empty();
  }
}
