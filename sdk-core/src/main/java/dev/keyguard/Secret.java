package dev.keyguard;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.keyguard.internal.Fingerprints;
import dev.keyguard.internal.RefusingSerializer;
import dev.keyguard.internal.SecretForms;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A secret value (an API key, an API secret, a private key) that cannot leak by accident.
 *
 * <ul>
 *   <li>It holds a private copy of the value: the array passed in and every array handed out are
 *       copies, so neither side can change the other.
 *   <li>{@link #toString()} shows only a short {@linkplain #fingerprint() fingerprint}, {@code
 *       Secret[fp:3f2a9c1b07d4]}: a keyed hash that says whether two values in this process are
 *       equal and nothing about the value, even a short one.
 *   <li>{@code equals}/{@code hashCode} are identity-based; compare values with {@link
 *       #equalsSecret(Secret)}, which runs in constant time.
 *   <li>It is not {@link java.io.Serializable}: Java serialization of any object holding a {@code
 *       Secret} fails with {@link java.io.NotSerializableException}. Jackson refuses to serialize
 *       it.
 *   <li>The raw value is reachable only through {@link #value(InsecureSecretAccess)} and {@link
 *       #bytes(InsecureSecretAccess)}, whose token makes each use easy to find in a review.
 *   <li>{@link #destroy()} overwrites the private copy; later access fails.
 * </ul>
 *
 * <p>What {@link #destroy()} cannot reach: a value sent to an API exists as a Java {@code String}
 * wherever it is put on the wire (an OkHttp header, a query parameter), and KeyGuard's auth schemes
 * keep the header or query value of the current version prepared as a {@code String}, and the HMAC
 * schemes a keyed {@code Mac} (whose key spec is a copy of the secret), so requests do not decode
 * or key them each time (one per scheme and key, dropped at the next version). Those copies cannot
 * be overwritten; they go when the garbage collector reclaims them. {@link #destroy()} makes every
 * later use through KeyGuard fail, including the prepared ones.
 *
 * <p>Values are UTF-8 text (API keys, base64 secrets, PEM blocks) or raw bytes. A value that is
 * empty or only whitespace is rejected.
 *
 * <p>Instances are immutable apart from {@link #destroy()} and safe to share between threads.
 */
@JsonSerialize(using = RefusingSerializer.class)
public final class Secret {

  private final byte[] value;
  private final String fingerprint;
  private volatile boolean destroyed;

  private Secret(byte[] ownedCopy) {
    this.value = ownedCopy;
    this.fingerprint = Fingerprints.of(ownedCopy);
  }

  /**
   * Creates a secret from text.
   *
   * @param value the secret text; not null, not blank
   * @return a new secret holding a copy of the UTF-8 bytes of {@code value}
   * @throws IllegalArgumentException if the value is empty or only whitespace, or holds an unpaired
   *     surrogate (which has no UTF-8 form); the message never contains the value
   */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("a secret must not be empty or blank");
    }
    checkSurrogates(value);
    return new Secret(value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Creates a secret from characters. The caller may wipe its array afterwards: the secret keeps a
   * copy.
   *
   * @param value the secret characters; not null, not blank
   * @return a new secret holding the UTF-8 encoding of {@code value}
   * @throws IllegalArgumentException if the value is empty or only whitespace, or holds an unpaired
   *     surrogate (which has no UTF-8 form); the message never contains the value
   */
  public static Secret of(char[] value) {
    Objects.requireNonNull(value, "value");
    if (isBlank(value)) {
      // the same test as String.isBlank, so that of(char[]) and of(String) accept the same values
      throw new IllegalArgumentException("a secret must not be empty or blank");
    }
    checkSurrogates(CharBuffer.wrap(value));
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    if (encoded.hasArray()) {
      int offset = encoded.arrayOffset();
      Arrays.fill(encoded.array(), offset, offset + encoded.capacity(), (byte) 0);
    }
    return new Secret(bytes);
  }

  /**
   * Creates a secret from raw bytes (a binary secret). The caller may wipe its array afterwards:
   * the secret keeps a copy.
   *
   * @param value the secret bytes; not null, not empty or only ASCII whitespace
   * @return a new secret holding a copy of {@code value}
   * @throws IllegalArgumentException if the value is empty or only whitespace
   */
  public static Secret ofBytes(byte[] value) {
    Objects.requireNonNull(value, "value");
    if (isBlank(value)) {
      throw new IllegalArgumentException("a secret must not be empty or blank");
    }
    return new Secret(value.clone());
  }

  /**
   * Returns the raw value as text. Every call site must name {@link InsecureSecretAccess}, so that
   * raw access is visible in review. Java strings cannot be wiped: prefer {@link
   * #bytes(InsecureSecretAccess)} where the consumer accepts bytes.
   *
   * @param access the access token, from {@link InsecureSecretAccess#get()}
   * @return the value decoded as UTF-8
   * @throws IllegalStateException if the secret was destroyed, or holds bytes that are not UTF-8
   */
  public String value(InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    checkNotDestroyed();
    String text = SecretForms.text(value);
    if (text == null) {
      throw new IllegalStateException(
          this + " holds binary data that is not UTF-8 text; use bytes()");
    }
    return text;
  }

  /**
   * Returns a copy of the raw bytes. The caller owns the copy and should wipe it when done.
   *
   * @param access the access token, from {@link InsecureSecretAccess#get()}
   * @return a new array with the value's bytes
   * @throws IllegalStateException if the secret was destroyed
   */
  public byte[] bytes(InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    checkNotDestroyed();
    return value.clone();
  }

  /**
   * Returns the short fingerprint, {@code fp:} followed by 12 hex digits of an HMAC-SHA256 of the
   * value, keyed with a random key made once per process. Safe to log, even for a short or
   * low-entropy value: without the process's key nobody can test a guess against it. Equal values
   * have equal fingerprints within one process; in another process (or after a restart) the same
   * value has another fingerprint, so correlate across processes by version id. It stays available
   * after {@link #destroy()}.
   *
   * @return the fingerprint
   */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * Compares the values of two secrets in time that does not depend on where they differ.
   *
   * @param other the secret to compare with; may be null
   * @return true if both hold the same bytes
   * @throws IllegalStateException if either secret was destroyed
   */
  public boolean equalsSecret(Secret other) {
    if (other == null) {
      return false;
    }
    checkNotDestroyed();
    other.checkNotDestroyed();
    return MessageDigest.isEqual(value, other.value);
  }

  /**
   * Overwrites the private copy of the value with zeros. Later calls to {@link
   * #value(InsecureSecretAccess)}, {@link #bytes(InsecureSecretAccess)} and {@link
   * #equalsSecret(Secret)} throw {@link IllegalStateException}. Idempotent.
   */
  public void destroy() {
    destroyed = true;
    Arrays.fill(value, (byte) 0);
  }

  /**
   * Tells whether {@link #destroy()} was called.
   *
   * @return true once destroyed
   */
  public boolean isDestroyed() {
    return destroyed;
  }

  /** Returns {@code Secret[fp:xxxxxxxxxxxx]}: the fingerprint, never the value. */
  @Override
  public String toString() {
    return "Secret[" + fingerprint + "]";
  }

  private void checkNotDestroyed() {
    if (destroyed) {
      throw new IllegalStateException(this + " was destroyed");
    }
  }

  /**
   * Rejects text that UTF-8 cannot encode: the encoder would replace each unpaired surrogate with
   * {@code ?}, silently making the secret another value than the one given.
   */
  private static void checkSurrogates(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "a secret must be valid text: it holds an unpaired UTF-16 surrogate at index " + i);
      }
    }
  }

  private static boolean isBlank(char[] chars) {
    for (int i = 0; i < chars.length; ) {
      int codePoint = Character.codePointAt(chars, i);
      if (!Character.isWhitespace(codePoint)) {
        return false;
      }
      i += Character.charCount(codePoint);
    }
    return true;
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x0B) {
        return false;
      }
    }
    return true;
  }
}
