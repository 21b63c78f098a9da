package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import org.jspecify.annotations.Nullable;

/**
 * A request was refused before a byte was sent because it would have exposed a credential: a
 * cleartext URL, a downgraded TLS version, a redirect to another origin or to http, or a
 * certificate that does not match a pin.
 *
 * <p>{@link #isRetryable()} is {@code false}.
 */
public class InsecureTransportException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param cause the underlying failure; may be null
   * @param keyId the key concerned; may be null
   * @param version the version concerned; may be null
   */
  public InsecureTransportException(
      String message, @Nullable Throwable cause, @Nullable KeyId keyId, @Nullable String version) {
    super(message, cause, keyId, version, false);
  }

  /**
   * Creates the exception for a key.
   *
   * @param message what failed and what to do next; never a secret value
   * @param keyId the key concerned; may be null
   */
  public InsecureTransportException(String message, @Nullable KeyId keyId) {
    this(message, null, keyId, null);
  }

  /** A refusal caused by {@code cause} (a TLS failure, say) before any request was sent. */
  static InsecureTransportException noRequestSent(
      String message, @Nullable Throwable cause, @Nullable KeyId keyId) {
    return new InsecureTransportException(message, cause, keyId, null);
  }
}
