package dev.keyguard;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A stand-in for a foreign exception (from a vendor SDK, a JDK class, an HTTP library) whose
 * message carried a secret: it has the foreign exception's class name, its message passed through
 * the {@link Redactor}, its stack trace, and its causes and suppressed exceptions treated the same
 * way.
 *
 * <p>Why a copy and not the original as the cause: a stack trace prints every cause's {@code
 * toString()}, so keeping the original anywhere in the chain would print the secret in every log of
 * that stack trace. The copy prints the same lines with the secret replaced:
 *
 * <pre>
 * dev.keyguard.KeyProviderUnavailableException: AWS Secrets Manager is unavailable for key prices
 *     at ...
 * Caused by: software.amazon.awssdk.core.exception.SdkClientException: ... [REDACTED:fp:3f2a9c1b07d4] ...
 *     at ...
 * </pre>
 *
 * <p>{@link #getMessage()} and {@link #toString()} both return {@code originalClassName: redacted
 * message}, so a stack trace printed by the JDK reads like the original's, and one printed by a
 * logging backend (which shows the real class) reads {@code dev.keyguard.RedactedThrowable:
 * java.io.IOException: ...}.
 *
 * <p>What is lost is the type: code that tests {@code getCause() instanceof VendorException} sees a
 * {@code RedactedThrowable}; {@link #originalClassName()} names the original type. So {@link
 * #protect(Throwable)} copies only when it must: when a message or {@code toString()} somewhere in
 * the chain changes under redaction; otherwise it returns the original unchanged. Every {@link
 * KeyGuardException} protects its cause this way in its constructor.
 *
 * <p>Instances are immutable once built and thread-safe.
 */
public final class RedactedThrowable extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private static final int MAX_DEPTH = 64;

  /** The class name of the exception this copies. */
  private final String originalClassName;

  private RedactedThrowable(
      String originalClassName, @Nullable String message, @Nullable Throwable cause) {
    super(
        message == null ? originalClassName : originalClassName + ": " + message,
        cause,
        true,
        true);
    this.originalClassName = originalClassName;
  }

  /**
   * Returns the exception unchanged if no message or {@code toString()} in its chain (causes and
   * suppressed exceptions) holds anything {@link Redactor#global()} would redact, else a redacted
   * copy of the whole chain.
   *
   * @param throwable the exception; may be null
   * @return the same exception, a {@code RedactedThrowable}, or null for null
   */
  public static @Nullable Throwable protect(@Nullable Throwable throwable) {
    return protect(throwable, Redactor.global());
  }

  /**
   * Like {@link #protect(Throwable)}, with a given redactor.
   *
   * @param throwable the exception; may be null
   * @param redactor the redactor
   * @return the same exception, a {@code RedactedThrowable}, or null for null
   */
  public static @Nullable Throwable protect(@Nullable Throwable throwable, Redactor redactor) {
    Objects.requireNonNull(redactor, "redactor");
    if (throwable == null || isClean(throwable, redactor)) {
      return throwable;
    }
    return copyOf(throwable, redactor);
  }

  /**
   * Always makes a redacted copy of the exception and its chain, using {@link Redactor#global()}.
   *
   * @param throwable the exception
   * @return the copy
   * @throws NullPointerException if {@code throwable} is null
   */
  public static RedactedThrowable copyOf(Throwable throwable) {
    return copyOf(throwable, Redactor.global());
  }

  /**
   * Always makes a redacted copy of the exception and its chain.
   *
   * @param throwable the exception
   * @param redactor the redactor
   * @return the copy
   * @throws NullPointerException if an argument is null
   */
  public static RedactedThrowable copyOf(Throwable throwable, Redactor redactor) {
    Objects.requireNonNull(throwable, "throwable");
    Objects.requireNonNull(redactor, "redactor");
    return copy(throwable, redactor, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
  }

  private static RedactedThrowable copy(
      Throwable t, Redactor redactor, Set<Throwable> seen, int depth) {
    seen.add(t);
    String className;
    String message;
    if (t instanceof RedactedThrowable r) {
      className = r.originalClassName;
      String full = r.fullMessage();
      message =
          full.length() > className.length()
              ? redactor.redact(full.substring(className.length() + 2))
              : null;
    } else {
      className = t.getClass().getName();
      message = messageOf(t, className, redactor);
    }
    Throwable cause = t.getCause();
    RedactedThrowable causeCopy =
        cause == null || seen.contains(cause) || depth >= MAX_DEPTH
            ? null
            : copy(cause, redactor, seen, depth + 1);
    RedactedThrowable out = new RedactedThrowable(className, message, causeCopy);
    out.setStackTrace(t.getStackTrace());
    for (Throwable suppressed : t.getSuppressed()) {
      if (!seen.contains(suppressed) && depth < MAX_DEPTH) {
        out.addSuppressed(copy(suppressed, redactor, seen, depth + 1));
      }
    }
    return out;
  }

  /**
   * The message of the copy: the redacted {@code getLocalizedMessage()}; if the exception's {@code
   * toString()} was customised to show more, the redacted {@code toString()} minus the class name.
   */
  private static @Nullable String messageOf(Throwable t, String className, Redactor redactor) {
    String shown = safeToString(t);
    String message = t.getLocalizedMessage();
    String standard = message == null ? className : className + ": " + message;
    if (shown != null && !shown.equals(standard)) {
      message =
          shown.startsWith(className + ": ") ? shown.substring(className.length() + 2) : shown;
    }
    return message == null ? null : redactor.redact(message);
  }

  /**
   * True if nothing in the chain (messages, causes, suppressed) has anything the global redactor
   * would change.
   */
  static boolean isClean(Throwable root) {
    return isClean(root, Redactor.global());
  }

  private static boolean isClean(Throwable root, Redactor redactor) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return isClean(root, redactor, seen, 0);
  }

  private static boolean isClean(
      @Nullable Throwable t, Redactor redactor, Set<Throwable> seen, int depth) {
    if (t == null || !seen.add(t)) {
      return true;
    }
    if (depth > MAX_DEPTH) {
      // not inspected: fail closed, so that the copy (which stops at this depth) is used
      return false;
    }
    if (!unchanged(t.getMessage(), redactor)
        || !unchanged(t.getLocalizedMessage(), redactor)
        || !unchanged(safeToString(t), redactor)) {
      return false;
    }
    for (Throwable s : t.getSuppressed()) {
      if (!isClean(s, redactor, seen, depth + 1)) {
        return false;
      }
    }
    return isClean(t.getCause(), redactor, seen, depth + 1);
  }

  private static boolean unchanged(@Nullable String text, Redactor redactor) {
    return text == null || redactor.redact(text).equals(text);
  }

  private static @Nullable String safeToString(Throwable t) {
    try {
      return t.toString();
    } catch (RuntimeException e) {
      return t.getClass().getName();
    }
  }

  /**
   * The class name of the exception this is a copy of.
   *
   * @return a fully qualified class name
   */
  public String originalClassName() {
    return originalClassName;
  }

  /**
   * Prints like the original: its class name and the redacted message (the same text as {@link
   * #getMessage()}).
   *
   * @return {@code originalClassName: redacted message}
   */
  // toString, not only getMessage, on purpose: Throwable's toString would put this class's name
  // before the original's, and a stack trace printed by the JDK should read like the original's
  @SuppressWarnings("OverrideThrowableToString")
  @Override
  public String toString() {
    return fullMessage();
  }

  /**
   * The message as the constructor built it: never null, since the constructor always passes one
   * and this final class does not override {@link #getMessage()}.
   */
  private String fullMessage() {
    return Objects.requireNonNull(getMessage(), "RedactedThrowable message");
  }

  /**
   * Does nothing: the stack trace is the original's, set when the copy is made.
   *
   * @return this
   */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
