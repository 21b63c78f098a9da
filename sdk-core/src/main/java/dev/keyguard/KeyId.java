package dev.keyguard;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The name of a key, as the application and the backend know it: an environment variable name, a
 * file name in a mounted secret directory, an AWS secret id, a Vault path. Key ids are not secret;
 * they appear in logs, events and exception messages.
 *
 * <p>A key id is 1 to 512 characters, with no control characters and no leading or trailing
 * whitespace. Instances are immutable, compare by value and are safe to share between threads.
 */
public final class KeyId implements Comparable<KeyId> {

  private static final int MAX_LENGTH = 512;

  private final String value;

  private KeyId(String value) {
    this.value = value;
  }

  /**
   * Returns the key id with the given name.
   *
   * @param value the name
   * @return the key id
   * @throws IllegalArgumentException if the name is empty, longer than 512 characters, has control
   *     characters or leading/trailing whitespace
   */
  public static KeyId of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a key id must have 1 to " + MAX_LENGTH + " characters");
    }
    if (!value.strip().equals(value)) {
      throw new IllegalArgumentException("a key id must not start or end with whitespace");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException("a key id must not contain control characters");
      }
    }
    return new KeyId(value);
  }

  /**
   * Returns the name.
   *
   * @return the name given to {@link #of(String)}
   */
  public String value() {
    return value;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof KeyId other && other.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public int compareTo(KeyId other) {
    return value.compareTo(other.value);
  }

  /** Returns the name. */
  @Override
  public String toString() {
    return value;
  }
}
