package dev.keyguard.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The text forms in which a secret value can appear in a log line, an exception message or a
 * request: the forms the redactor looks for. See the table in {@code Redactor}'s Javadoc.
 *
 * <p>Derived forms shorter than {@link #MIN_DERIVED_LENGTH} chars are left out: they would match
 * too much ordinary text. The raw form is always included, whatever its length.
 */
public final class SecretForms {

  /** The minimum length of a derived (encoded) form. */
  public static final int MIN_DERIVED_LENGTH = 8;

  /** The minimum length of a base64 fragment of a secret embedded in a longer base64 text. */
  public static final int MIN_BASE64_CORE_LENGTH = 12;

  private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();
  private static final char[] LOWER_HEX = "0123456789abcdef".toCharArray();

  /**
   * The sets of ASCII punctuation that common encoders leave unescaped (letters and digits are
   * never escaped; other chars, controls and non-ASCII always are).
   */
  private static final String[] URL_UNRESERVED = {
    // java.net.URLEncoder, application/x-www-form-urlencoded, OkHttp query parameters and FormBody
    "*-._",
    // RFC 3986 unreserved
    "-._~",
    // JavaScript encodeURIComponent
    "-_.!~*'()",
    // Python urllib.parse.quote (safe='/')
    "_.-~/",
    // OkHttp path segments
    "!$&'()*+,-.:;=@[]_~",
    // a URL given as a string and parsed by OkHttp/java.net.URI: only space, quotes and <> escaped
    "!#$%&()*+,-./:;=?@[\\]^_`{|}~",
  };

  private SecretForms() {}

  /**
   * The text form of the secret, if its bytes are UTF-8.
   *
   * @param value the secret bytes
   * @return the text, or null for binary data
   */
  public static @Nullable String text(byte[] value) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Every form the redactor matches for a secret value: raw, URL-encoded, JSON-escaped, hex and
   * base64. No duplicates; the raw form first.
   *
   * @param value the secret bytes
   * @return the forms
   */
  public static Set<String> all(byte[] value) {
    Set<String> forms = new LinkedHashSet<>();
    String text = text(value);
    if (text != null) {
      forms.add(text);
    }
    Set<String> derived = new LinkedHashSet<>();
    if (text != null) {
      for (String unreserved : URL_UNRESERVED) {
        for (char[] hex : new char[][] {UPPER_HEX, LOWER_HEX}) {
          derived.add(percentEncode(value, unreserved, hex, false));
          derived.add(percentEncode(value, unreserved, hex, true));
        }
      }
      derived.add(jsonEscape(text, false));
      derived.add(jsonEscape(text, true));
    }
    derived.add(hex(value, LOWER_HEX));
    derived.add(hex(value, UPPER_HEX));
    for (Base64.Encoder encoder :
        new Base64.Encoder[] {Base64.getEncoder(), Base64.getUrlEncoder()}) {
      String padded = encoder.encodeToString(value);
      derived.add(padded);
      derived.add(stripPadding(padded));
    }
    for (String form : derived) {
      if (form.length() >= MIN_DERIVED_LENGTH) {
        forms.add(form);
      }
    }
    for (String core : base64Cores(value)) {
      if (core.length() >= MIN_BASE64_CORE_LENGTH) {
        forms.add(core);
      }
    }
    return forms;
  }

  /**
   * The base64 chars that depend only on the secret, when the secret sits at byte offset 0, 1 or 2
   * (mod 3) inside longer data (HTTP Basic {@code user:secret}, a JSON document, ...), in the
   * standard and URL-safe alphabets.
   *
   * @param value the secret bytes
   * @return up to six fragments
   */
  static Set<String> base64Cores(byte[] value) {
    Set<String> cores = new LinkedHashSet<>();
    int n = value.length;
    for (int k = 0; k < 3; k++) {
      int total = k + n;
      byte[] framed = new byte[total + (3 - total % 3) % 3];
      System.arraycopy(value, 0, framed, k, n);
      // char j covers bits [6j, 6j + 6): it depends only on the secret if those bits lie in the
      // bytes [k, k + n)
      int first = (8 * k + 5) / 6;
      int last = (8 * (k + n)) / 6; // exclusive
      if (last <= first) {
        continue;
      }
      for (Base64.Encoder encoder :
          new Base64.Encoder[] {Base64.getEncoder(), Base64.getUrlEncoder()}) {
        cores.add(encoder.encodeToString(framed).substring(first, last));
      }
    }
    return cores;
  }

  /**
   * Percent-encodes UTF-8 bytes: letters, digits and the given punctuation stay, other bytes become
   * %XX.
   */
  static String percentEncode(
      byte[] value, String unreserved, char[] hexDigits, boolean spaceAsPlus) {
    StringBuilder out = new StringBuilder(value.length * 3);
    for (byte b : value) {
      int u = b & 0xFF;
      if (u < 0x80 && (Character.isLetterOrDigit(u) || unreserved.indexOf(u) >= 0)) {
        out.append((char) u);
      } else if (u == ' ' && spaceAsPlus) {
        out.append('+');
      } else {
        out.append('%').append(hexDigits[u >> 4]).append(hexDigits[u & 0xF]);
      }
    }
    return out.toString();
  }

  /**
   * JSON string escaping: as Jackson writes it (quote, backslash, controls with upper-case hex), or
   * as Gson writes it by default (also {@code < > & = '} and U+2028/U+2029, lower-case hex).
   */
  static String jsonEscape(String text, boolean htmlSafe) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    char[] hexDigits = htmlSafe ? LOWER_HEX : UPPER_HEX;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          boolean escape =
              c < 0x20
                  || (htmlSafe
                      && (c == '<'
                          || c == '>'
                          || c == '&'
                          || c == '='
                          || c == '\''
                          || c == '\u2028'
                          || c == '\u2029'));
          if (escape) {
            out.append("\\u")
                .append(hexDigits[(c >> 12) & 0xF])
                .append(hexDigits[(c >> 8) & 0xF])
                .append(hexDigits[(c >> 4) & 0xF])
                .append(hexDigits[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  static String hex(byte[] value, char[] hexDigits) {
    char[] out = new char[value.length * 2];
    for (int i = 0; i < value.length; i++) {
      out[2 * i] = hexDigits[(value[i] >> 4) & 0xF];
      out[2 * i + 1] = hexDigits[value[i] & 0xF];
    }
    return new String(out);
  }

  private static String stripPadding(String base64) {
    int end = base64.length();
    while (end > 0 && base64.charAt(end - 1) == '=') {
      end--;
    }
    return base64.substring(0, end);
  }
}
