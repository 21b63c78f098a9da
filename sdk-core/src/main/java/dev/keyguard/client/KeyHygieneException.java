package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The key hygiene audit refused to let the application start ({@link
 * KeyAuditMode#REFUSE_TO_START}): a key can do more than its routes need, is not IP-restricted, or
 * its permissions could not be read. The message names the key and the finding; {@link #results()}
 * has every key's result.
 *
 * <p>{@link #isRetryable()} is {@code false}.
 */
public class KeyHygieneException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  private final transient List<KeyAuditResult> results;

  /**
   * Creates the exception.
   *
   * @param message what was found and what to do next; never a secret value
   * @param keyId the first key with a finding; may be null
   * @param results every key's audit result
   */
  public KeyHygieneException(String message, @Nullable KeyId keyId, List<KeyAuditResult> results) {
    super(message, null, keyId, null, false);
    this.results = List.copyOf(results);
  }

  /**
   * Every key's audit result.
   *
   * @return an unmodifiable list
   */
  public List<KeyAuditResult> results() {
    return results == null ? List.of() : results;
  }
}
