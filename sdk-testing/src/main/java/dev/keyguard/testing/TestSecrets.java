package dev.keyguard.testing;

import dev.keyguard.Secret;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Secret values for tests, generated at run time from {@link SecureRandom}: no test commits a
 * real-looking key, and every value is long and random enough for {@link SecretLeakAssertions} to
 * find it without false positives.
 *
 * <p>Thread-safe.
 */
public final class TestSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private TestSecrets() {}

  /**
   * Returns {@code bytes} random bytes.
   *
   * @param bytes how many
   * @return a new array
   */
  public static byte[] randomBytes(int bytes) {
    byte[] out = new byte[bytes];
    RANDOM.nextBytes(out);
    return out;
  }

  /**
   * Returns a random value in standard base64 (with {@code +}, {@code /} and {@code =} likely, so
   * that URL-encoded and JSON-escaped forms differ from the raw value).
   *
   * @return 32 random bytes, base64-encoded (44 characters)
   */
  public static String randomValue() {
    return Base64.getEncoder().encodeToString(randomBytes(32));
  }

  /**
   * Returns a random lower-case hex value.
   *
   * @param bytes how many random bytes (the value has twice as many characters)
   * @return the hex value
   */
  public static String randomHex(int bytes) {
    return HexFormat.of().formatHex(randomBytes(bytes));
  }

  /**
   * Returns a random value with characters that every encoding changes: quotes, backslash, slash,
   * space, ampersand, percent, plus and non-ASCII text.
   *
   * @return a random value that is not URL-, JSON- or HTML-safe
   */
  public static String randomValueWithSpecialCharacters() {
    return randomHex(8) + "\"\\/ &%+=é€" + randomHex(8);
  }

  /**
   * Returns a random value in standard base64, with padding.
   *
   * @param bytes how many random bytes (the value is about 4/3 as long)
   * @return the value
   */
  public static String randomBase64(int bytes) {
    return Base64.getEncoder().encodeToString(randomBytes(bytes));
  }

  /**
   * Returns a random URL-safe base64 value without padding, like most API keys.
   *
   * @param bytes how many random bytes (the value is about 4/3 as long)
   * @return the value
   */
  public static String randomBase64Url(int bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
  }

  /**
   * Returns a random string of ASCII letters and digits.
   *
   * @param length the length
   * @return the value
   */
  public static String randomAlphanumeric(int length) {
    return randomOf("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length);
  }

  /**
   * Returns a random value shaped like an AWS access key id ({@code AKIA} and 16 upper-case letters
   * or digits), built at run time so that no such value is ever in a source file.
   *
   * @return the value
   */
  public static String randomAwsAccessKeyIdShape() {
    return "AK" + "IA" + randomOf("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
  }

  /**
   * Returns a secret holding {@link #randomValue()}.
   *
   * @return a new secret
   */
  public static Secret randomSecret() {
    return Secret.of(randomValue());
  }

  private static String randomOf(String alphabet, int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
