package dev.keyguard.client;

import dev.keyguard.testing.TestSecrets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Looks for any part of a secret, not only the whole value: a cut key leaves a prefix that
 * whole-value checks cannot see. Failures name the secret's index, the length and the offset of the
 * fragment found and where it was, never the fragment or the text it was found in.
 */
final class SecretFragments {

  /** The shortest fragment looked for: no 6 chars of a live secret may survive. */
  static final int MIN_FRAGMENT = 6;

  private SecretFragments() {}

  /**
   * A random secret of upper-case letters and digits. Test text around secrets is built from
   * lower-case letters and punctuation, and KeyGuard's markers hold lower-case hex, so a 6-char run
   * of these chars in an output can only come from a secret.
   */
  static String upperCaseSecret(int length) {
    return TestSecrets.randomAlphanumeric(length).toUpperCase(Locale.ROOT);
  }

  /** Fails if {@code text} contains any {@link #MIN_FRAGMENT}-char substring of a secret. */
  static void assertNoFragment(String where, String text, List<String> secrets) {
    for (int s = 0; s < secrets.size(); s++) {
      String secret = secrets.get(s);
      for (int i = 0; i + MIN_FRAGMENT <= secret.length(); i++) {
        if (text.contains(secret.substring(i, i + MIN_FRAGMENT))) {
          throw new AssertionError(
              "a "
                  + MIN_FRAGMENT
                  + "-char fragment of secret #"
                  + s
                  + " ("
                  + secret.length()
                  + " chars), at offset "
                  + i
                  + " of it, appears in "
                  + where);
        }
      }
    }
  }

  /**
   * Fails if any part of a secret appears in the exception's message, {@code toString()}, printed
   * stack trace (every cause and suppressed exception), body excerpt or Java-serialized form.
   */
  static void assertNoFragmentIn(Throwable t, List<String> secrets) throws IOException {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String name = c.getClass().getSimpleName();
      assertNoFragment(name + ".getMessage()", String.valueOf(c.getMessage()), secrets);
      assertNoFragment(name + ".toString()", c.toString(), secrets);
      if (c instanceof ApiResponseException a) {
        assertNoFragment("bodyExcerpt()", a.bodyExcerpt(), secrets);
      }
    }
    StringWriter printed = new StringWriter();
    t.printStackTrace(new PrintWriter(printed));
    assertNoFragment("the printed stack trace", printed.toString(), secrets);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    assertNoFragment("the serialized exception", bytes.toString(StandardCharsets.UTF_8), secrets);
    assertNoFragment(
        "the serialized exception (ISO-8859-1)",
        bytes.toString(StandardCharsets.ISO_8859_1),
        secrets);
  }
}
