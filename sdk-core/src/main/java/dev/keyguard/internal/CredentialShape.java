package dev.keyguard.internal;

import java.util.regex.Pattern;

/**
 * Tells whether a value after a keyword anchor ({@code api_key=}, {@code "secret": }, {@code token:
 * }) or after {@code Bearer } looks like a credential, the way secret scanners (gitleaks,
 * trufflehog, detect-secrets) judge a generic assignment: a keyword alone says nothing, the value
 * must also have a credential's shape. Without this, ordinary prose and KeyGuard's own messages
 * ({@code Key coingecko-api-key: loaded version 3}) lose their words.
 *
 * <p>A value is credential-shaped when all of these hold:
 *
 * <ul>
 *   <li>it has at least {@value #MIN_LENGTH} chars and no whitespace;
 *   <li>it is not what KeyGuard prints instead of a value: a fingerprint ({@code fp:} and 12 hex),
 *       {@code Secret[…]}, a {@code [REDACTED…]} marker;
 *   <li>it holds at least one letter and is not an ISO-8601 date-time (a number, a date, an
 *       address, a duration or a mask such as {@code ********} is not a credential);
 *   <li>it is not made of words: split at every char that is not a letter or a digit, at least one
 *       part is neither a number, nor a plain word ({@code loaded}, {@code AWSCURRENT}, {@code
 *       Capitalised}, {@code camelCase} whose pieces read as words), nor a word with a number
 *       ({@code v3}, {@code sha256}: up to 8 digits; {@code 500ms}). This leaves identifiers,
 *       property and variable names, URLs, paths, class names and version strings alone;
 *   <li>its Shannon entropy per char is at least {@code min(2.8, log2(length) - 1.9)} bits (a
 *       random value of 16 hex chars has about 3.2, a repeated pattern far less).
 * </ul>
 *
 * <p>A UUID ({@code 8-4-4-4-12} hex, as CoinMarketCap issues its keys) always looks like a
 * credential here.
 *
 * <p>The cost: a password that is a plain word or a word and a number ({@code hunter2}) after
 * {@code password=} is no longer caught by this net (a registered secret is still redacted in every
 * form, whatever its shape).
 */
final class CredentialShape {

  /** The shortest value taken for a credential. */
  static final int MIN_LENGTH = 8;

  /** An ISO-8601 date-time: {@code 2026-12-01T20:00:00Z}, {@code 2026-12-01T20:00:00.123+01:00}. */
  private static final Pattern TIMESTAMP =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?");

  /** A UUID in its canonical form, as some APIs issue their keys. */
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private CredentialShape() {}

  /**
   * Whether {@code text[start, end)} looks like a credential.
   *
   * @param text the text
   * @param start the first char of the value
   * @param end the end of the value, exclusive
   * @return true if the value should be redacted
   */
  static boolean looksLikeCredential(String text, int start, int end) {
    int length = end - start;
    if (length < MIN_LENGTH) {
      return false;
    }
    if (text.startsWith("Secret[", start)
        || text.startsWith("[REDACTED", start)
        || text.startsWith("REDACTED", start)
        || Fingerprints.isFingerprint(text, start, end)) {
      return false;
    }
    boolean letter = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        return false;
      }
      letter |= Character.isLetter(c);
    }
    if (UUID.matcher(text).region(start, end).matches()) {
      return true; // CoinMarketCap's keys, among others, are UUIDs
    }
    if (!letter
        || (madeOfWords(text, start, end) && !allThreeClasses(text, start, end))
        || TIMESTAMP.matcher(text).region(start, end).matches()) {
      return false;
    }
    return entropy(text, start, end) >= minEntropy(length);
  }

  /**
   * The entropy floor, in bits per char: {@code min(2.8, log2(length) - 1.9)}. Set below what one
   * random hex value in 10,000 reaches (the poorest alphabet of real keys): 16 random hex chars
   * have 3.2 bits per char on average and 2.26 at the lowest 0.01 %, 32 have 3.6 and 3.0; base64
   * and alphanumeric values have more. A repeated pattern ({@code X1X1X1X1X1X1}: 1 bit) has far
   * less.
   */
  static double minEntropy(int length) {
    return Math.min(2.8, log2(length) - 1.9);
  }

  /**
   * Upper-case letters, lower-case letters and digits all present: random keys almost always are,
   * the words, names and versions of prose almost never; such a value is not taken for words even
   * when its short parts each read as one (a base64url key split at {@code -} and {@code _}).
   */
  private static boolean allThreeClasses(String text, int start, int end) {
    boolean upper = false;
    boolean lower = false;
    boolean digit = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      upper |= Character.isUpperCase(c);
      lower |= Character.isLowerCase(c);
      digit |= Character.isDigit(c);
    }
    return upper && lower && digit;
  }

  /** Every alphanumeric part is a number, a word, or a word with a number. */
  private static boolean madeOfWords(String text, int start, int end) {
    int i = start;
    while (i < end) {
      if (!Character.isLetterOrDigit(text.charAt(i))) {
        i++;
        continue;
      }
      int partEnd = i;
      while (partEnd < end && Character.isLetterOrDigit(text.charAt(partEnd))) {
        partEnd++;
      }
      if (!isPlainPart(text, i, partEnd)) {
        return false;
      }
      i = partEnd;
    }
    return true;
  }

  /**
   * A number ({@code 503}), a word ({@code loaded}), a word and a number of up to 8 digits ({@code
   * v3}, {@code sha256}), or a number and a unit ({@code 500ms}, {@code 2nd}).
   */
  private static boolean isPlainPart(String text, int start, int end) {
    int lettersEnd = start;
    while (lettersEnd < end && Character.isLetter(text.charAt(lettersEnd))) {
      lettersEnd++;
    }
    if (lettersEnd == start) {
      // digits first: a number, optionally followed by a short unit
      int digitsEnd = start;
      while (digitsEnd < end && Character.isDigit(text.charAt(digitsEnd))) {
        digitsEnd++;
      }
      return end - digitsEnd <= 3 && allLetters(text, digitsEnd, end);
    }
    if (!isWord(text, start, lettersEnd) && lettersEnd - start > 1) {
      return false;
    }
    if (lettersEnd == end) {
      return lettersEnd - start == 1 || isWord(text, start, lettersEnd);
    }
    int digitsEnd = lettersEnd;
    while (digitsEnd < end && Character.isDigit(text.charAt(digitsEnd))) {
      digitsEnd++;
    }
    // v20261201, sha256, oauth2; a letter and 15 digits is a hex value, not a version
    return digitsEnd == end && digitsEnd - lettersEnd <= 8;
  }

  private static boolean allLetters(String text, int start, int end) {
    for (int i = start; i < end; i++) {
      if (!Character.isLetter(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Letters that read as a word: all lower case, all upper case, or pieces in camelCase or
   * PascalCase ({@code GetSecretValue}, {@code APIKey}) of at least two letters each, every piece
   * with lower-case letters holding a vowel. Random mixed-case letters ({@code qWeRtYzX}) fail.
   */
  private static boolean isWord(String text, int start, int end) {
    boolean lower = false;
    boolean upper = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      lower |= Character.isLowerCase(c);
      upper |= Character.isUpperCase(c);
    }
    if (!(lower && upper)) {
      return true;
    }
    int piece = start;
    for (int i = start + 1; i <= end; i++) {
      boolean cut =
          i == end
              || (Character.isUpperCase(text.charAt(i))
                  && (Character.isLowerCase(text.charAt(i - 1))
                      || (i + 1 < end && Character.isLowerCase(text.charAt(i + 1)))));
      if (cut) {
        if (!isWordPiece(text, piece, i)) {
          return false;
        }
        piece = i;
      }
    }
    return true;
  }

  private static boolean isWordPiece(String text, int start, int end) {
    if (end - start < 2) {
      return false;
    }
    boolean lower = false;
    boolean vowel = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      lower |= Character.isLowerCase(c);
      vowel |= "aeiouyAEIOUY".indexOf(c) >= 0;
    }
    return !lower || vowel;
  }

  /** Shannon entropy of the chars, in bits per char. */
  static double entropy(String text, int start, int end) {
    int length = end - start;
    int[] counts = new int[128];
    java.util.Map<Character, Integer> others = null;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < 128) {
        counts[c]++;
      } else {
        if (others == null) {
          others = new java.util.HashMap<>();
        }
        others.merge(c, 1, Integer::sum);
      }
    }
    double bits = 0;
    for (int count : counts) {
      bits += term(count, length);
    }
    if (others != null) {
      for (int count : others.values()) {
        bits += term(count, length);
      }
    }
    return bits;
  }

  private static double term(int count, int length) {
    if (count == 0) {
      return 0;
    }
    double p = (double) count / length;
    return -p * log2(p);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
