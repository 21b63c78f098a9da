package dev.keyguard.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The second net: well-known credential formats recognised without being registered. Each format
 * starts with a fixed anchor (a prefix such as {@code AKIA} or a keyword such as {@code api_key})
 * that the redactor's automaton finds in the same pass as the registered secrets; a short validator
 * then checks the text around the anchor, so ordinary words are left alone.
 *
 * <table>
 *   <caption>Formats</caption>
 *   <tr><th>label</th><th>anchor</th><th>what is redacted</th></tr>
 *   <tr><td>aws-access-key-id</td><td>{@code AKIA}, {@code ASIA}</td><td>exactly 16 more
 *       {@code [A-Z0-9]}, on word boundaries</td></tr>
 *   <tr><td>github-token</td><td>{@code ghp_ gho_ ghu_ ghs_ ghr_}, {@code github_pat_}</td>
 *       <td>at least 30 (22 for {@code github_pat_}) token chars</td></tr>
 *   <tr><td>slack-token</td><td>{@code xoxa- xoxb- xoxp- xoxr- xoxs-}</td><td>at least 10
 *       {@code [A-Za-z0-9-]}</td></tr>
 *   <tr><td>jwt</td><td>{@code eyJ}</td><td>{@code eyJ…​.eyJ…​.…} (header, payload, optional
 *       signature)</td></tr>
 *   <tr><td>private-key</td><td>{@code -----BEGIN }</td><td>a PEM block whose label contains
 *       {@code PRIVATE KEY}, through its END line (to the end of the text if the END line is
 *       missing)</td></tr>
 *   <tr><td>credential</td><td>{@code api_key apikey api-key secret token password passwd
 *       passphrase access_key access-key private_key authorization} (lower, UPPER, Capitalised,
 *       camelCase; also {@code API-Key})</td><td>the value after {@code =} or {@code :} (quoted
 *       or not; a leading {@code Bearer }/{@code Basic }/{@code Token } is kept) if it looks like
 *       a credential (below); the keyword stays visible</td></tr>
 *   <tr><td>bearer-token</td><td>{@code Bearer }</td><td>the token68 chars after it, if they
 *       look like a credential (below)</td></tr>
 * </table>
 *
 * <p>The prefix-anchored formats (AWS, GitHub, Slack, JWT, PEM) are recognised by their exact
 * shape. A keyword or {@code Bearer } says nothing by itself ({@code token refresh failed}, {@code
 * Key coingecko-api-key: loaded version 3}, {@code Bearer authentication}): the value after it is
 * redacted only if it looks like a credential, as secret scanners judge a generic assignment: at
 * least 8 chars without whitespace, at least one letter, not made only of words, numbers and words
 * with numbers (names, paths, URLs, versions such as {@code 1.2.3-SNAPSHOT} stay), enough Shannon
 * entropy, and not what KeyGuard prints instead of a value (a fingerprint {@code fp:3f2a9c1b07d4},
 * {@code Secret[…]}, a {@code [REDACTED…]} marker). The check runs only at an anchor hit; {@code
 * CredentialShape} has the rules.
 */
public final class KnownFormats {

  /** The labels shown in markers, indexed by the kind constants. */
  public static final List<String> LABELS =
      List.of(
          "aws-access-key-id",
          "github-token",
          "github-token",
          "slack-token",
          "jwt",
          "private-key",
          "credential",
          "bearer-token");

  private static final int AWS = 0;
  private static final int GITHUB = 1;
  private static final int GITHUB_PAT = 2;
  private static final int SLACK = 3;
  private static final int JWT = 4;
  private static final int PEM = 5;
  private static final int KEYWORD = 6;
  private static final int BEARER = 7;

  private static final int MAX_VALUE = 4096;

  private static final List<String> ANCHOR_TEXT = new ArrayList<>();
  private static final List<Integer> ANCHOR_KIND = new ArrayList<>();

  static {
    anchor(AWS, "AKIA", "ASIA");
    anchor(GITHUB, "ghp_", "gho_", "ghu_", "ghs_", "ghr_");
    anchor(GITHUB_PAT, "github_pat_");
    anchor(SLACK, "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-");
    anchor(JWT, "eyJ");
    anchor(PEM, "-----BEGIN ");
    anchor(BEARER, "Bearer ", "bearer ", "BEARER ");
    for (String keyword :
        new String[] {
          "api_key",
          "api-key",
          "apikey",
          "secret",
          "token",
          "password",
          "passwd",
          "passphrase",
          "access_key",
          "access-key",
          "private_key",
          "authorization"
        }) {
      anchor(KEYWORD, keyword, keyword.toUpperCase(java.util.Locale.ROOT), capitalise(keyword));
      int sep = Math.max(keyword.indexOf('_'), keyword.indexOf('-'));
      if (sep > 0) {
        String camel = keyword.substring(0, sep) + capitalise(keyword.substring(sep + 1));
        anchor(
            KEYWORD,
            camel,
            capitalise(camel),
            capitalise(keyword.substring(0, sep))
                + keyword.charAt(sep)
                + capitalise(keyword.substring(sep + 1)));
      }
    }
    anchor(KEYWORD, "apiKey", "ApiKey", "APIKey", "API-Key"); // API-Key: Kraken's header
  }

  private KnownFormats() {}

  private static void anchor(int kind, String... texts) {
    for (String t : texts) {
      if (!ANCHOR_TEXT.contains(t)) {
        ANCHOR_TEXT.add(t);
        ANCHOR_KIND.add(kind);
      }
    }
  }

  private static String capitalise(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /**
   * The anchor patterns, for the automaton.
   *
   * @return one array per anchor; anchor {@code i} has id {@code i}
   */
  public static List<char[]> anchors() {
    List<char[]> out = new ArrayList<>(ANCHOR_TEXT.size());
    for (String t : ANCHOR_TEXT) {
      out.add(t.toCharArray());
    }
    return out;
  }

  /**
   * The ids of the anchors, {@code 0..n-1}.
   *
   * @return the ids
   */
  public static int[] anchorIds() {
    int[] ids = new int[ANCHOR_TEXT.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
    }
    return ids;
  }

  /**
   * The index in {@link #LABELS} for an anchor.
   *
   * @param anchorId the anchor id
   * @return the label index
   */
  public static int labelOf(int anchorId) {
    return ANCHOR_KIND.get(anchorId);
  }

  /**
   * Checks the text around an anchor.
   *
   * @param text the text
   * @param end the exclusive end of the anchor in the text
   * @param anchorId the anchor
   * @return {@code start << 32 | end} of the span to redact, or -1
   */
  public static long match(String text, int end, int anchorId) {
    int kind = ANCHOR_KIND.get(anchorId);
    int start = end - ANCHOR_TEXT.get(anchorId).length();
    int n = text.length();
    switch (kind) {
      case AWS -> {
        if (start > 0 && isAsciiAlnum(text.charAt(start - 1))) {
          return -1;
        }
        int stop = end + 16;
        if (stop > n) {
          return -1;
        }
        for (int i = end; i < stop; i++) {
          char c = text.charAt(i);
          if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return -1;
          }
        }
        if (stop < n && isAsciiAlnum(text.charAt(stop))) {
          return -1;
        }
        return span(start, stop);
      }
      case GITHUB, GITHUB_PAT -> {
        if (start > 0 && isWordChar(text.charAt(start - 1))) {
          return -1;
        }
        int i = end;
        while (i < n
            && i - end < 255
            && (isAsciiAlnum(text.charAt(i)) || (kind == GITHUB_PAT && text.charAt(i) == '_'))) {
          i++;
        }
        return i - end >= (kind == GITHUB ? 30 : 22) ? span(start, i) : -1;
      }
      case SLACK -> {
        if (start > 0 && isAsciiAlnum(text.charAt(start - 1))) {
          return -1;
        }
        int i = end;
        while (i < n
            && i - end < MAX_VALUE
            && (isAsciiAlnum(text.charAt(i)) || text.charAt(i) == '-')) {
          i++;
        }
        return i - end >= 10 ? span(start, i) : -1;
      }
      case JWT -> {
        if (start > 0 && isBase64Url(text.charAt(start - 1))) {
          return -1;
        }
        int i = base64UrlRun(text, start);
        if (i - start < 10 || i >= n || text.charAt(i) != '.') {
          return -1;
        }
        int payload = i + 1;
        if (!text.startsWith("eyJ", payload)) {
          return -1;
        }
        i = base64UrlRun(text, payload);
        if (i - payload < 4 || i >= n || text.charAt(i) != '.') {
          return -1;
        }
        return span(start, base64UrlRun(text, i + 1));
      }
      case PEM -> {
        int close = text.indexOf("-----", end);
        if (close < 0 || close - end > 64 || text.indexOf("PRIVATE KEY", end) != close - 11) {
          return -1;
        }
        int footer = text.indexOf("-----END", close + 5);
        if (footer < 0) {
          return span(start, n);
        }
        int footerClose = text.indexOf("-----", footer + 8);
        return span(start, footerClose < 0 ? n : footerClose + 5);
      }
      case BEARER -> {
        int i = end;
        while (i < n && i - end < MAX_VALUE && isToken68(text.charAt(i))) {
          i++;
        }
        while (i < n && text.charAt(i) == '=') {
          i++;
        }
        return CredentialShape.looksLikeCredential(text, end, i) ? span(end, i) : -1;
      }
      default -> {
        return keywordValue(text, end);
      }
    }
  }

  /** {@code keyword[suffix]["'] \s* [=:] \s* ["']value}: the value's span. */
  private static long keywordValue(String text, int end) {
    int n = text.length();
    int i = end;
    if (i < n && !isWordBoundaryAfterKeyword(text.charAt(end - 1), text.charAt(i))) {
      return -1; // the keyword is only the start of another word: secretsmanager:GetSecretValue
    }
    while (i < n && i - end < 32 && isIdentifierChar(text.charAt(i))) {
      i++;
    }
    if (i < n && (text.charAt(i) == '"' || text.charAt(i) == '\'')) {
      i++;
    }
    i = skipBlanks(text, i);
    if (i >= n || (text.charAt(i) != '=' && text.charAt(i) != ':')) {
      return -1;
    }
    i++;
    if (i < n && text.charAt(i) == '>') {
      i++;
    }
    i = skipBlanks(text, i);
    char quote = 0;
    if (i < n && (text.charAt(i) == '"' || text.charAt(i) == '\'')) {
      quote = text.charAt(i);
      i++;
    }
    for (String scheme : new String[] {"Bearer ", "Basic ", "Token "}) {
      if (text.regionMatches(true, i, scheme, 0, scheme.length())) {
        i = skipBlanks(text, i + scheme.length());
        break;
      }
    }
    int valueStart = i;
    if (text.startsWith("REDACTED", valueStart) || text.startsWith("REDACTED", valueStart + 1)) {
      return -1; // already redacted: a marker, or the HttpLogger's placeholder
    }
    if (quote != 0) {
      while (i < n && i - valueStart < MAX_VALUE) {
        char c = text.charAt(i);
        if (c == quote || c == '\n' || c == '\r') {
          break;
        }
        i += c == '\\' && i + 1 < n ? 2 : 1;
      }
    } else {
      while (i < n && i - valueStart < MAX_VALUE && !endsUnquotedValue(text.charAt(i))) {
        i++;
      }
    }
    int valueEnd = Math.min(i, n);
    if (quote == 0) {
      while (valueEnd > valueStart && ".:".indexOf(text.charAt(valueEnd - 1)) >= 0) {
        valueEnd--; // the end of a sentence or of a label, not part of the value
      }
    }
    if (!CredentialShape.looksLikeCredential(text, valueStart, valueEnd)) {
      return -1; // prose, a name, a number, a fingerprint: the keyword alone proves nothing
    }
    return span(valueStart, valueEnd);
  }

  private static int skipBlanks(String text, int i) {
    int limit = i + 8;
    while (i < text.length() && i < limit && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static boolean endsUnquotedValue(char c) {
    return Character.isWhitespace(c) || "\"',;&<>(){}[]".indexOf(c) >= 0;
  }

  private static int base64UrlRun(String text, int i) {
    int n = text.length();
    int start = i;
    while (i < n && i - start < 16 * MAX_VALUE && isBase64Url(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static long span(int start, int end) {
    return ((long) start << 32) | end;
  }

  private static boolean isAsciiAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static boolean isWordChar(char c) {
    return isAsciiAlnum(c) || c == '_';
  }

  private static boolean isBase64Url(char c) {
    return isAsciiAlnum(c) || c == '-' || c == '_';
  }

  /**
   * Whether the keyword ends a word: it is followed by a non-identifier char, a separator ({@code _
   * - .}), or, after a lower-case keyword, an upper-case letter (camelCase: {@code secretKey}).
   * {@code secretsmanager} or {@code tokenizer} are other words, not credential names.
   */
  private static boolean isWordBoundaryAfterKeyword(char last, char next) {
    if (!isIdentifierChar(next) || next == '_' || next == '-' || next == '.') {
      return true;
    }
    return Character.isLowerCase(last) && Character.isUpperCase(next);
  }

  private static boolean isIdentifierChar(char c) {
    return isAsciiAlnum(c) || c == '_' || c == '-' || c == '.';
  }

  private static boolean isToken68(char c) {
    return isAsciiAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  }
}
