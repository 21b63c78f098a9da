package dev.keyguard;

/**
 * The access token that unlocks the raw value of a {@link Secret}.
 *
 * <p>Every place that reads a raw key value must name this class, so that a code review can find
 * them all with one search ({@code grep -r InsecureSecretAccess}). In the manner of Tink's {@code
 * InsecureSecretKeyAccess}, the token carries no state: its only purpose is to make raw access
 * explicit and greppable.
 *
 * <pre>{@code
 * String raw = secret.value(InsecureSecretAccess.get()); // reviewed: sent as the x-api-key header
 * }</pre>
 *
 * <p>This class is immutable and thread-safe.
 */
public final class InsecureSecretAccess {

  private static final InsecureSecretAccess INSTANCE = new InsecureSecretAccess();

  private InsecureSecretAccess() {}

  /**
   * Returns the access token. Call this only where a raw key value is really needed (to put it on
   * the wire or hand it to a vendor SDK), never to log or display it.
   *
   * @return the single access token
   */
  public static InsecureSecretAccess get() {
    return INSTANCE;
  }

  @Override
  public String toString() {
    return "InsecureSecretAccess";
  }
}
