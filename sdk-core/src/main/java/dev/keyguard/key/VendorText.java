package dev.keyguard.key;

import dev.keyguard.Redactor;
import org.jspecify.annotations.Nullable;

/**
 * A vendor's words (an error message, a request id, a header value) made fit to quote in a KeyGuard
 * exception message: for {@link KeyProvider} implementations, which quote what a secret store
 * answered.
 *
 * <p>{@link #oneLine(String)} redacts the whole text first (every live secret, the known-formats
 * net), then folds white space and control characters to single spaces and cuts it at {@value
 * #MAX_CHARS} characters with an ellipsis: redacted whole before it is cut, so a cut can never
 * leave part of a secret. A markup body (text starting with {@code <}: an HTML or XML page from a
 * proxy) is a raw response, not a message, and gives the empty string.
 *
 * <p>Quote a vendor's message only where it is not also carried as the cause (no text twice in an
 * exception chain); a cause is named by its type.
 */
public final class VendorText {

  /** The longest quoted text, in chars, before the ellipsis. */
  public static final int MAX_CHARS = 300;

  private VendorText() {}

  /**
   * The text as one bounded, redacted line.
   *
   * @param text a vendor's text; null gives the empty string
   * @return the line, empty for null, blank or markup text
   */
  public static String oneLine(@Nullable String text) {
    if (text == null) {
      return "";
    }
    String t = text.strip();
    if (t.startsWith("<")) {
      return "";
    }
    t = Redactor.global().redact(t);
    StringBuilder sb = new StringBuilder(Math.min(t.length(), MAX_CHARS + 1));
    int i = 0;
    for (; i < t.length() && sb.length() < MAX_CHARS; i++) {
      char c = t.charAt(i);
      boolean space = Character.isWhitespace(c) || Character.isISOControl(c);
      if (!space) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
        sb.append(' ');
      }
    }
    if (i < t.length()) {
      sb.append('…');
    }
    return sb.toString();
  }
}
