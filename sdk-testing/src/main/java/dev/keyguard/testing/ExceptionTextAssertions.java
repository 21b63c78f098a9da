package dev.keyguard.testing;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Asserts KeyGuard's rule for exception text: <b>no text is written twice in a chain</b>. A printed
 * stack trace, and every logging framework, prints the message of each cause and suppressed
 * exception, so a wrapper that quotes its cause's message while also carrying the cause says the
 * same thing twice.
 *
 * <p>For every KeyGuard exception in the chain (a class under {@code dev.keyguard}; causes and
 * suppressed exceptions are walked recursively) and each of its direct causes and suppressed
 * exceptions, the inner message must not reappear in the outer one: neither whole (a message of at
 * least {@value #MIN_WHOLE} characters) nor as a run of {@value #RUN} characters. Foreign chains
 * (the JDK's {@code SSLHandshakeException} quoting its {@code ValidatorException}) are not
 * KeyGuard's to fix and are not checked.
 */
public final class ExceptionTextAssertions {

  /** The shortest message whose whole repetition counts. */
  public static final int MIN_WHOLE = 12;

  /** The length of a repeated run of characters that counts as repetition. */
  public static final int RUN = 48;

  private ExceptionTextAssertions() {}

  /**
   * Fails if any message of {@code failure}'s chain repeats a message of one of its causes or
   * suppressed exceptions.
   *
   * @param failure the exception to check
   * @throws AssertionError naming the two exceptions and the repeated text's length (not the text)
   */
  public static void assertNoRepeatedText(Throwable failure) {
    check(failure, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static void check(Throwable outer, Set<Throwable> seen) {
    if (!seen.add(outer)) {
      return;
    }
    Throwable cause = outer.getCause();
    if (cause != null && cause != outer) {
      compare(outer, cause, "cause");
      check(cause, seen);
    }
    for (Throwable s : outer.getSuppressed()) {
      compare(outer, s, "suppressed");
      check(s, seen);
    }
  }

  private static void compare(Throwable outer, Throwable inner, String relation) {
    String o = outer.getMessage();
    String i = inner.getMessage();
    if (o == null || i == null || !outer.getClass().getName().startsWith("dev.keyguard.")) {
      return;
    }
    String repeated = repeatedRun(o, i.strip());
    if (repeated != null) {
      throw new AssertionError(
          outer.getClass().getName()
              + " repeats "
              + repeated.length()
              + " characters of the message of its "
              + relation
              + " "
              + inner.getClass().getName()
              + " at index "
              + o.indexOf(repeated)
              + " of its message: a wrapper either quotes its cause (and absorbs it) or carries"
              + " it, not both");
    }
  }

  private static @Nullable String repeatedRun(String outer, String inner) {
    if (inner.length() >= MIN_WHOLE && inner.length() <= RUN) {
      return outer.contains(inner) ? inner : null;
    }
    for (int start = 0; start + RUN <= inner.length(); start++) {
      String run = inner.substring(start, start + RUN);
      if (outer.contains(run)) {
        return run;
      }
    }
    return null;
  }
}
