package dev.keyguard.testing;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Secret values generated at run time for tests: never a real-looking key committed to a file.
 * Thread-safe.
 */
public final class RandomSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RandomSecrets() {}

  /**
   * A random URL-safe base64 string (no padding), like most API keys.
   *
   * @param bytes the number of random bytes (the string is about 4/3 as long)
   * @return the value
   */
  public static String base64Url(int bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(bytes));
  }

  /**
   * A random lower-case hex string.
   *
   * @param bytes the number of random bytes (the string is twice as long)
   * @return the value
   */
  public static String hex(int bytes) {
    return HexFormat.of().formatHex(bytes(bytes));
  }

  /**
   * Random bytes.
   *
   * @param n the count
   * @return the bytes
   */
  public static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * A random value that looks like an AWS access key id ({@code AKIA} and 16 upper-case letters
   * or digits), built at run time.
   *
   * @return the value
   */
  public static String awsAccessKeyIdShape() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder b = new StringBuilder("AK").append("IA");
    for (int i = 0; i < 16; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /**
   * A random string of letters and digits.
   *
   * @param length the length
   * @return the value
   */
  public static String alphanumeric(int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
