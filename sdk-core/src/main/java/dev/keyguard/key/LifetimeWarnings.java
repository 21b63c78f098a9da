package dev.keyguard.key;

import static dev.keyguard.key.KeyManager.LOG;
import static dev.keyguard.key.KeyState.fingerprint;
import static dev.keyguard.key.KeyState.isExpired;

import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which versions of a key have had their lifetime warnings ({@link KeyEvent.KeyTooOld}, {@link
 * KeyEvent.KeyExpiringSoon}): each fires once per version. Immutable, part of {@link KeyState}.
 *
 * @param tooOld the last version warned as too old, or null
 * @param expiring the last version warned as expiring soon, or null
 */
record LifetimeWarnings(@Nullable String tooOld, @Nullable String expiring) {

  /** No warning given yet. */
  static final LifetimeWarnings NONE = new LifetimeWarnings(null, null);

  /**
   * Gives the warnings that the served version {@code c} is due at {@code now} and not given yet,
   * adding their events, and returns what has been warned about since.
   */
  LifetimeWarnings check(
      KeyId keyId,
      @Nullable VersionedCredential c,
      Instant now,
      KeyPolicy policy,
      List<KeyEvent> events) {
    if (c == null) {
      return this;
    }
    String warnedTooOld = tooOld;
    String warnedExpiring = expiring;
    Optional<Instant> created = c.createdAt();
    Duration maxKeyAge = policy.maxKeyAge();
    if (created.isPresent()
        && !c.version().equals(warnedTooOld)
        && Duration.between(created.get(), now).compareTo(maxKeyAge) > 0) {
      warnedTooOld = c.version();
      LOG.warn(
          "Key {}: version {} ({}) was created at {}, more than {} ago; rotate it",
          keyId,
          c.version(),
          fingerprint(c),
          created.get(),
          Durations.readable(maxKeyAge));
      events.add(
          new KeyEvent.KeyTooOld(
              keyId, now, c.version(), fingerprint(c), created.get(), maxKeyAge));
    }
    Optional<Instant> expires = c.expiresAt();
    Duration expiringSoon = policy.expiringSoon();
    if (expires.isPresent()
        && !expiringSoon.isZero()
        && !c.version().equals(warnedExpiring)
        && !isExpired(c, now)
        && Duration.between(now, expires.get()).compareTo(expiringSoon) <= 0) {
      warnedExpiring = c.version();
      LOG.warn(
          "Key {}: version {} ({}) expires at {}; rotate it",
          keyId,
          c.version(),
          fingerprint(c),
          expires.get());
      events.add(
          new KeyEvent.KeyExpiringSoon(keyId, now, c.version(), fingerprint(c), expires.get()));
    }
    return Objects.equals(warnedTooOld, tooOld) && Objects.equals(warnedExpiring, expiring)
        ? this
        : new LifetimeWarnings(warnedTooOld, warnedExpiring);
  }
}
