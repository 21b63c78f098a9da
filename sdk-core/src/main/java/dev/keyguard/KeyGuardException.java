package dev.keyguard;

import java.io.ObjectStreamException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The root of every exception KeyGuard throws. Unchecked.
 *
 * <p>Messages name the key id and version, never a secret value; every message is passed through
 * {@link Redactor#global()} before it is stored, so a value that reached a message by accident
 * (from a vendor SDK, a response body) is scrubbed. The cause is kept as given unless a message
 * somewhere in its chain holds something to redact; then it is replaced by a {@link
 * RedactedThrowable} copy (same class name, stack trace and chain, redacted messages), because a
 * printed stack trace shows every cause's message.
 *
 * <p>{@link #isRetryable()} tells whether the same call may succeed later without a change of
 * configuration.
 */
public class KeyGuardException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The key concerned, or null; not serialized. */
  private final transient @Nullable KeyId keyId;

  /** The version concerned, or null. */
  private final @Nullable String version;

  /** Whether a later retry may succeed. */
  private final boolean retryable;

  /**
   * Creates an exception.
   *
   * @param message what failed and what to do next; never a secret value
   * @param cause the underlying failure; may be null; replaced by a {@link RedactedThrowable} copy
   *     if its chain carries something to redact
   * @param keyId the key concerned; may be null
   * @param version the version concerned; may be null
   * @param retryable whether a later retry may succeed
   */
  public KeyGuardException(
      String message,
      @Nullable Throwable cause,
      @Nullable KeyId keyId,
      @Nullable String version,
      boolean retryable) {
    super(Redactor.global().redact(message), RedactedThrowable.protect(cause));
    this.keyId = keyId;
    this.version = version;
    this.retryable = retryable;
  }

  /**
   * Creates a non-retryable exception about no particular key.
   *
   * @param message what failed; never a secret value
   */
  public KeyGuardException(String message) {
    this(message, null, null, null, false);
  }

  /**
   * The key concerned.
   *
   * @return the key id, if the failure concerns one key
   */
  public Optional<KeyId> keyId() {
    return Optional.ofNullable(keyId);
  }

  /**
   * The version concerned.
   *
   * @return the version id, if known
   */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /**
   * Tells whether the same call may succeed later (a backend that is down, a throttled request), as
   * opposed to a failure that needs a change (a missing key, a denied permission).
   *
   * @return true if retrying later may succeed
   */
  public boolean isRetryable() {
    return retryable;
  }

  /**
   * Prints the stack trace with every live secret redacted, including in exceptions attached after
   * construction ({@code addSuppressed} by the caller or by try-with-resources), which cannot be
   * replaced when they are added.
   *
   * @param s where to print
   */
  @Override
  public void printStackTrace(PrintStream s) {
    s.print(redactedStackTrace());
  }

  /**
   * Prints the stack trace with every live secret redacted; see {@link
   * #printStackTrace(PrintStream)}.
   *
   * @param s where to print
   */
  @Override
  public void printStackTrace(PrintWriter s) {
    s.print(redactedStackTrace());
  }

  private String redactedStackTrace() {
    StringWriter out = new StringWriter();
    super.printStackTrace(new PrintWriter(out, true));
    return Redactor.global().redact(out.toString());
  }

  /**
   * Serializes this exception as it is when nothing in it needs redacting, else a {@link
   * RedactedThrowable} copy of it (class name, redacted messages, stack traces, causes and
   * suppressed exceptions), so that an exception attached after construction cannot carry a live
   * secret out of the process.
   *
   * @return this, or a redacted copy
   * @throws ObjectStreamException never
   */
  protected final Object writeReplace() throws ObjectStreamException {
    return RedactedThrowable.isClean(this) ? this : RedactedThrowable.copyOf(this);
  }
}
