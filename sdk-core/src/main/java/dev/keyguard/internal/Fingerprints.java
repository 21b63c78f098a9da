package dev.keyguard.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The fingerprint KeyGuard shows instead of a secret value: {@code fp:} and 12 hex digits of an
 * HMAC-SHA256 of the value, keyed with a random key made once per process and never shown.
 *
 * <p>Why keyed: an unkeyed hash of a short or low-entropy value (a 12-char key, a PIN-like secret)
 * is inverted by trying every candidate; without the key, a fingerprint tells nothing about the
 * value, however short. The trade-off: the same value has different fingerprints in different
 * processes (and after a restart). Within a process, equal values have equal fingerprints, which is
 * what log lines, events and version ids of unversioned backends need. Across processes, correlate
 * by the backend's version id instead. The input is domain-separated ({@code
 * dev.keyguard.fingerprint.v1}), so the MAC is never an oracle for any other use of the key.
 */
public final class Fingerprints {

  /** What every fingerprint starts with. */
  public static final String PREFIX = "fp:";

  /** The number of hex digits after the prefix: 48 bits. */
  public static final int HEX_DIGITS = 12;

  /** The length of a whole fingerprint. */
  public static final int LENGTH = PREFIX.length() + HEX_DIGITS;

  private static final byte[] DOMAIN =
      "dev.keyguard.fingerprint.v1\0".getBytes(StandardCharsets.US_ASCII);

  private static final SecretKeySpec PROCESS_KEY = newProcessKey();

  private Fingerprints() {}

  /**
   * Computes the fingerprint of a value.
   *
   * @param value the raw bytes; not kept
   * @return {@code fp:} and 12 lower-case hex digits
   */
  public static String of(byte[] value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(PROCESS_KEY);
      mac.update(DOMAIN);
      byte[] tag = mac.doFinal(value);
      return PREFIX + HexFormat.of().formatHex(tag, 0, HEX_DIGITS / 2);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }

  /**
   * Tells whether the text holds a fingerprint from {@code start}, up to {@code end}.
   *
   * @param text the text
   * @param start where the fingerprint would start
   * @param end where the token ends
   * @return true if exactly a fingerprint stands there
   */
  public static boolean isFingerprint(CharSequence text, int start, int end) {
    if (end - start != LENGTH) {
      return false;
    }
    for (int i = 0; i < PREFIX.length(); i++) {
      if (text.charAt(start + i) != PREFIX.charAt(i)) {
        return false;
      }
    }
    for (int i = start + PREFIX.length(); i < end; i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static SecretKeySpec newProcessKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new SecretKeySpec(key, "HmacSHA256");
  }
}
