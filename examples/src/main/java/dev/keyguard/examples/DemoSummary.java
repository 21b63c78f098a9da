package dev.keyguard.examples;

import java.util.List;

/**
 * What the offline demo did and whether each guarantee it demonstrated held. Holds counts and
 * fingerprints only, never a key.
 *
 * @param calls calls the application made through the client
 * @param marketRequests HTTP requests the market-data API received
 * @param otherOriginRequests HTTP requests the server on the other origin received
 * @param plainListenerConnections connections the plain-TCP listener (the http:// target) accepted
 * @param keyRetries requests repeated with another key version after a rejection
 * @param rotations KeyRotated events
 * @param fingerprintBefore fingerprint of the initial key
 * @param fingerprintAfter fingerprint of the key after the rotation
 * @param initialKeyFromEnvironment whether the initial key came from {@code DEMO_API_KEY}
 * @param checks one entry per guarantee, in the order demonstrated
 */
record DemoSummary(
    int calls,
    int marketRequests,
    int otherOriginRequests,
    int plainListenerConnections,
    int keyRetries,
    int rotations,
    String fingerprintBefore,
    String fingerprintAfter,
    boolean initialKeyFromEnvironment,
    List<DemoSummary.Check> checks) {

  /** The claims the demo makes and checks. */
  enum Guarantee {
    PRICES_FETCHED("prices fetched over HTTPS with the key from the secret directory"),
    ROTATION_SURVIVED_WITH_ONE_RETRY(
        "rotation survived: 401 -> forced refresh -> exactly one retry with the new key"),
    NEW_KEY_SENT_FIRST("after the rotation the new key goes out first: no further retry"),
    CLEARTEXT_REFUSED(
        "an http:// URL is refused before any connection (InsecureTransportException)"),
    HTTPS_TO_HTTP_REDIRECT_REFUSED("a redirect from https to http is refused, nothing sent"),
    CROSS_ORIGIN_REDIRECT_CARRIES_NO_KEY(
        "a redirect to another origin is followed without the key (no x-api-key, no Authorization)"),
    APPLICATION_LOG_REDACTED("the application's own log line with the key came out redacted"),
    SCOPE_REFUSED(
        "a call no key has the scope for is refused before sending (InsufficientScopeException)"),
    ENVIRONMENT_REFUSED(
        "a production key is not sent to a test-network endpoint (EnvironmentMismatchException)"),
    USAGE_ALERT_RAISED(
        "a burst of 401s raised one usage alert: logged once at WARN and sent to the key's"
            + " listeners"),
    KEY_NOT_IN_OUTPUT("neither key appears in this output (as is, URL-encoded, base64 or hex)");

    private final String description;

    Guarantee(String description) {
      this.description = description;
    }

    /** One line for the checklist. */
    String description() {
      return description;
    }
  }

  /**
   * The outcome for one guarantee.
   *
   * @param guarantee what was claimed
   * @param held whether it held
   * @param detail what was observed (no secret)
   */
  record Check(Guarantee guarantee, boolean held, String detail) {}

  DemoSummary {
    checks = List.copyOf(checks);
  }

  /** HTTP requests received by all the demo's servers and listeners together. */
  int requests() {
    return marketRequests + otherOriginRequests + plainListenerConnections;
  }

  /** Whether a guarantee was checked and held. */
  boolean held(Guarantee guarantee) {
    return checks.stream().anyMatch(c -> c.guarantee() == guarantee && c.held())
        && checks.stream().noneMatch(c -> c.guarantee() == guarantee && !c.held());
  }

  /** Whether every guarantee was checked and held. */
  boolean allHeld() {
    for (Guarantee g : Guarantee.values()) {
      if (!held(g)) {
        return false;
      }
    }
    return true;
  }

  /** 0 if every guarantee held, 1 otherwise. */
  int exitStatus() {
    return allHeld() ? 0 : 1;
  }
}
