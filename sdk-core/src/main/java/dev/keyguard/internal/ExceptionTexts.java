package dev.keyguard.internal;

import dev.keyguard.KeyGuardException;
import org.jspecify.annotations.Nullable;

/**
 * The one rule for exception text in KeyGuard: <b>no text is written twice in a chain</b>. A
 * printed stack trace (and every logging framework) prints the message of each cause, so a wrapper
 * that quotes its cause's message and also carries the cause shows the same sentence twice.
 *
 * <ul>
 *   <li>A KeyGuard exception that only adds context to another KeyGuard exception (a file name, the
 *       attempt number) does not wrap it: it quotes its message and <em>absorbs</em> it, taking
 *       over its cause and suppressed exceptions ({@link #absorb}). The one-line message stays
 *       complete.
 *   <li>A foreign cause (an {@code IOException}, a vendor SDK's exception) is carried as the cause
 *       and named by its type, never quoted: its message may hold anything, and it is printed with
 *       the cause anyway.
 *   <li>KeyGuard's own log lines that report a failure without its stack trace use {@link
 *       #summary}, which names every link of the chain once.
 * </ul>
 */
public final class ExceptionTexts {

  private ExceptionTexts() {}

  /**
   * Completes {@code into}, which quotes {@code absorbed}'s message and was created with {@code
   * absorbed.getCause()} as its cause, by taking over {@code absorbed}'s suppressed exceptions.
   *
   * @param into the new exception, created with {@code absorbed.getCause()} as its cause
   * @param absorbed the exception {@code into} replaces
   * @param <T> the type of {@code into}
   * @return {@code into}
   */
  public static <T extends KeyGuardException> T absorb(T into, KeyGuardException absorbed) {
    for (Throwable s : absorbed.getSuppressed()) {
      into.addSuppressed(s);
    }
    return into;
  }

  /**
   * A one-line account of a failure and its causes, each named once: {@code Type: message; caused
   * by Type: message}. For log lines written without the throwable; the logger redacts it.
   *
   * @param t the failure
   * @return the summary
   */
  public static String summary(Throwable t) {
    StringBuilder b = new StringBuilder();
    int depth = 0;
    for (Throwable c = t; c != null && depth < 8; c = c.getCause(), depth++) {
      if (depth > 0) {
        b.append("; caused by ");
      }
      b.append(c.getClass().getSimpleName());
      String message = c.getMessage();
      if (message != null && !message.isEmpty()) {
        b.append(": ").append(firstLine(message));
      }
    }
    return b.toString();
  }

  /**
   * The type of a foreign cause, for a wrapper that names it: {@code "SSLHandshakeException, the
   * cause"}.
   *
   * @param cause the cause
   * @return the text
   */
  public static String named(@Nullable Throwable cause) {
    return cause == null ? "no cause" : cause.getClass().getSimpleName() + ", the cause";
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl).stripTrailing();
  }
}
