package dev.keyguard.key;

import static dev.keyguard.key.KeyManager.LOG;

import dev.keyguard.EnvironmentMismatchException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The rules a key manager applies to every credential it loads, besides the auth schemes' needs:
 * the environment it may be served in, the hard age past which it is not served, when an unused key
 * is reported, and the process-wide check that one secret is not served under two key ids or
 * application names. Immutable; one per {@link KeyManager}.
 */
final class KeyHygiene {

  /** Fingerprint → "key id in application", for the same-key-under-two-ids warning. */
  private static final Map<String, String> SERVED_FINGERPRINTS = new ConcurrentHashMap<>();

  /** Pairs already warned about, so each is said once. */
  private static final Map<String, Boolean> WARNED = new ConcurrentHashMap<>();

  static final KeyHygiene NONE = new KeyHygiene(null, true, null, Duration.ZERO, "default");

  private final @Nullable String environment;
  private final boolean allowUntagged;
  private final @Nullable Duration refuseAfterAge;
  private final Duration unusedAfter;
  private final String applicationName;

  KeyHygiene(
      @Nullable String environment,
      boolean allowUntagged,
      @Nullable Duration refuseAfterAge,
      Duration unusedAfter,
      String applicationName) {
    this.environment = environment == null ? null : normalize(environment);
    this.allowUntagged = allowUntagged;
    this.refuseAfterAge = refuseAfterAge;
    this.unusedAfter = unusedAfter;
    this.applicationName = applicationName;
  }

  /** {@code prod} for {@code production}, lower-case otherwise. */
  static String normalize(String environment) {
    String e = environment.strip().toLowerCase(Locale.ROOT);
    return e.equals("production") ? "prod" : e;
  }

  /** Whether an environment name means production. */
  static boolean isProduction(String environment) {
    return normalize(environment).equals("prod");
  }

  Optional<String> environment() {
    return Optional.ofNullable(environment);
  }

  Duration unusedAfter() {
    return unusedAfter;
  }

  /**
   * Why {@code c} must not be served, or null: tagged for another environment, untagged where the
   * policy refuses that, or older than the hard age. An environment refusal adds its event.
   */
  @Nullable KeyGuardException refusal(
      KeyId keyId, VersionedCredential c, Instant now, List<KeyEvent> events) {
    if (environment != null) {
      Optional<String> tag = c.environment();
      if (tag.isPresent() && !normalize(tag.get()).equals(environment)) {
        events.add(
            new KeyEvent.EnvironmentMismatch(
                keyId, now, c.version(), KeyState.fingerprint(c), tag.get(), environment));
        return new EnvironmentMismatchException(
            "Key '"
                + keyId
                + "' version "
                + c.version()
                + " is tagged for environment '"
                + tag.get()
                + "', but this application runs in '"
                + environment
                + "': not served. Use the key meant for '"
                + environment
                + "', or fix the key's environment tag in its source.",
            null,
            keyId,
            c.version());
      }
      if (tag.isEmpty() && !allowUntagged) {
        events.add(
            new KeyEvent.EnvironmentMismatch(
                keyId, now, c.version(), KeyState.fingerprint(c), null, environment));
        return new EnvironmentMismatchException(
            "Key '"
                + keyId
                + "' version "
                + c.version()
                + " has no environment tag, and this application runs in '"
                + environment
                + "', which refuses untagged keys: not served. Tag the key with environment '"
                + environment
                + "' in its source, or allow untagged keys with"
                + " KeyManager.Builder.allowUntaggedCredentials(true).",
            null,
            keyId,
            c.version());
      }
    }
    if (refuseAfterAge != null && c.createdAt().isPresent()) {
      Instant created = c.createdAt().get();
      if (Duration.between(created, now).compareTo(refuseAfterAge) >= 0) {
        return new KeyGuardException(
            "Key '"
                + keyId
                + "' version "
                + c.version()
                + " was created at "
                + created
                + ", more than "
                + Durations.readable(refuseAfterAge)
                + " ago (refuseKeysOlderThan): not served. Rotate the key.",
            null,
            keyId,
            c.version(),
            false);
      }
    }
    return null;
  }

  /**
   * {@code c}, with its expiry brought forward to when it reaches the hard age, so the key path
   * stops serving it then; {@code c} itself when there is no hard age or no creation time.
   */
  VersionedCredential limitAge(VersionedCredential c) {
    if (refuseAfterAge == null || c.createdAt().isEmpty()) {
      return c;
    }
    Instant limit = c.createdAt().get().plus(refuseAfterAge);
    if (c.expiresAt().isPresent() && !c.expiresAt().get().isAfter(limit)) {
      return c;
    }
    if (c.notBefore().isPresent() && !c.notBefore().get().isBefore(limit)) {
      return c; // refusal() rejects it at the fetch anyway once it is that old
    }
    return c.toBuilder().expiresAt(limit).build();
  }

  /**
   * Notes that this application serves {@code c} under {@code keyId}; warns once if the same secret
   * is already served under another key id or by another application in this process.
   */
  void noteServed(KeyId keyId, VersionedCredential c) {
    String fingerprint = KeyState.fingerprint(c);
    String here = "key '" + keyId + "' of application '" + applicationName + "'";
    String before = SERVED_FINGERPRINTS.putIfAbsent(fingerprint, here);
    if (before != null && !before.equals(here)) {
      String pair = fingerprint + " " + before + " " + here;
      if (WARNED.putIfAbsent(pair, Boolean.TRUE) == null) {
        LOG.warn(
            "The same secret ({}) is served as {} and as {}: do not share one key between"
                + " applications or key ids; give each its own key, so that a leak or a"
                + " revocation concerns one of them only",
            fingerprint,
            before,
            here);
      }
    }
  }

  /** What the unused-key report says, for {@link KeyEvent.KeyUnused}. */
  static String readable(Duration d) {
    return Durations.readable(d);
  }
}
