package dev.keyguard.internal;

import dev.keyguard.Redactor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Stands in for a cause whose message held a live secret value: the same class name (in {@link
 * #toString()}), message with the value redacted, stack trace, causes and suppressed exceptions.
 *
 * <p>{@code KeyGuardException} keeps vendor causes, and a vendor's message may quote a key (an
 * HTTP client echoing a URL with an {@code apikey} parameter, a parser quoting its input). A cause
 * whose messages the {@link Redactor} leaves unchanged is kept as it is; one it would change is
 * replaced by this copy, so that {@code getCause().getMessage()}, printed stack traces, logs and
 * serialized exceptions never carry the value.
 */
public final class RedactedThrowable extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The class name of the exception this stands in for. */
  private final String originalClassName;

  private RedactedThrowable(String originalClassName, String message) {
    super(message); // the cause is set by copy(), once
    this.originalClassName = originalClassName;
  }

  /**
   * Returns the throwable itself if none of its messages (or those of its causes and suppressed
   * exceptions) holds a secret known to the global {@link Redactor}, else a redacted copy.
   *
   * @param throwable the throwable; may be null
   * @return the throwable, a redacted copy, or null
   */
  public static Throwable scrub(Throwable throwable) {
    if (throwable == null
        || !leaks(throwable, Collections.newSetFromMap(new IdentityHashMap<>()))) {
      return throwable;
    }
    return copy(throwable, new IdentityHashMap<>());
  }

  /**
   * The class name of the exception this stands in for.
   *
   * @return the fully qualified class name
   */
  public String originalClassName() {
    return originalClassName;
  }

  /** Returns the original class name and the redacted message, as the original would print. */
  @Override
  public String toString() {
    String message = getLocalizedMessage();
    return message != null ? originalClassName + ": " + message : originalClassName;
  }

  private static boolean leaks(Throwable t, Set<Throwable> seen) {
    if (!seen.add(t)) {
      return false;
    }
    if (changes(t.getMessage()) || changes(t.getLocalizedMessage()) || changes(safeToString(t))) {
      return true;
    }
    if (t.getCause() != null && leaks(t.getCause(), seen)) {
      return true;
    }
    for (Throwable s : t.getSuppressed()) {
      if (leaks(s, seen)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable copy(Throwable t, Map<Throwable, Throwable> copies) {
    Throwable done = copies.get(t);
    if (done != null) {
      return done;
    }
    if (t instanceof RedactedThrowable && !leaks(t, Collections.newSetFromMap(new IdentityHashMap<>()))) {
      return t;
    }
    String className =
        t instanceof RedactedThrowable
            ? ((RedactedThrowable) t).originalClassName
            : t.getClass().getName();
    String message = t.getLocalizedMessage() != null ? t.getLocalizedMessage() : t.getMessage();
    RedactedThrowable copy = new RedactedThrowable(className, Redactor.global().redact(message));
    copies.put(t, copy);
    copy.setStackTrace(t.getStackTrace());
    if (t.getCause() != null) {
      copy.initCause(copy(t.getCause(), copies));
    }
    for (Throwable s : t.getSuppressed()) {
      copy.addSuppressed(copy(s, copies));
    }
    return copy;
  }

  private static boolean changes(String text) {
    return text != null && !text.equals(Redactor.global().redact(text));
  }

  private static String safeToString(Throwable t) {
    try {
      return t.toString();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
