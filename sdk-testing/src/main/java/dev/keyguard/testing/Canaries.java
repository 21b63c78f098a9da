package dev.keyguard.testing;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import java.util.List;

/**
 * The canary secrets of this test run: created at run time (never in a file), registered with
 * {@link Redactor#global()}, and watched by {@link CanaryExtension} in every log line, every
 * standard output and error line and every exception a test throws. A test may push them through
 * any code path that should redact them; if one comes out in the clear anywhere, the run fails.
 *
 * <pre>{@code
 * String raw = Canaries.apiKey().value(InsecureSecretAccess.get());
 * log.info("calling with {}", raw);   // through a redacting path: fine; through a plain one: the run fails
 * }</pre>
 *
 * <p>Thread-safe; the same three values for the whole JVM.
 */
public final class Canaries {

  private static final Secret API_KEY = Secret.of(TestSecrets.randomBase64Url(30));
  private static final Secret API_SECRET = Secret.of(TestSecrets.randomHex(32));

  /** URL, form and JSON specials, a space and a non-ASCII letter: exercises every encoding. */
  private static final Secret WITH_SPECIALS =
      Secret.of(TestSecrets.randomBase64Url(12) + "+/=&? %\u00e9" + TestSecrets.randomBase64Url(6));

  private static final List<Secret> ALL = List.of(API_KEY, API_SECRET, WITH_SPECIALS);
  private static final CanaryDetector DETECTOR;

  static {
    Redactor.global().registerAll(ALL);
    DETECTOR = new CanaryDetector(ALL);
  }

  private Canaries() {}

  /**
   * A canary shaped like an API key (40 base64url chars).
   *
   * @return the canary
   */
  public static Secret apiKey() {
    return API_KEY;
  }

  /**
   * A canary shaped like an HMAC secret (64 hex chars).
   *
   * @return the canary
   */
  public static Secret apiSecret() {
    return API_SECRET;
  }

  /**
   * A canary with URL, form and JSON special characters, a space and a non-ASCII letter.
   *
   * @return the canary
   */
  public static Secret withSpecialCharacters() {
    return WITH_SPECIALS;
  }

  /**
   * Every canary.
   *
   * @return the canaries
   */
  public static List<Secret> all() {
    return ALL;
  }

  /**
   * Fails at once if the text form of any of the objects holds a canary (raw or encoded): for
   * {@code toString()}, serialized output and the like.
   *
   * @param things the objects to check, through {@code String.valueOf}
   * @throws AssertionError naming the canary's fingerprint (never its value)
   */
  public static void assertAbsentFrom(Object... things) {
    CanaryDetector check = new CanaryDetector(ALL);
    for (Object o : things) {
      check.scan("Canaries.assertAbsentFrom", String.valueOf(o));
    }
    check.throwIfViolated("a canary appeared in a checked value");
  }

  /**
   * The raw value of a canary, for pushing it through a code path.
   *
   * @param canary one of {@link #all()}
   * @return its value
   */
  public static String rawValue(Secret canary) {
    return canary.value(InsecureSecretAccess.get());
  }

  /** The run-wide detector, shared by the extension. */
  static CanaryDetector detector() {
    return DETECTOR;
  }
}
