package dev.keyguard.key;

import dev.keyguard.EnvironmentMismatchException;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.Durations;
import dev.keyguard.internal.ExceptionTexts;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Why a key cannot be served, as the exception its caller gets: it names the key, the version, the
 * provider, what failed and what to do next; never a value. A not-found, denied or malformed
 * failure keeps its type so that callers can act on it. No text is written twice in the chain
 * ({@link ExceptionTexts}): a message that quotes the provider's failure absorbs it (its cause
 * becomes the cause), and one that names the failure only by type carries it as the cause.
 */
final class Unservable {

  private Unservable() {}

  /** The exception for a caller that finds nothing servable in {@code s} at {@code now}. */
  static KeyGuardException at(KeyState s, Instant now) {
    KeyId keyId = s.keyId();
    String providerName = s.providerName();
    VersionedCredential served = s.served();
    KeyGuardException failure = s.failure();
    Instant nextRetryAt = s.nextRetryAt();
    if (served != null && !KeyState.isExpired(served, now)) {
      if (failure != null && s.stopsServingOnFailure()) {
        return copyOf(
            failure,
            failure,
            keyId,
            "Key '"
                + keyId
                + "' is no longer served: the last refresh (from "
                + providerName
                + ") failed with "
                + failure.getClass().getSimpleName()
                + ". Restore the key or its permission; it is retried in the background.",
            served.version());
      }
      return new KeyProviderUnavailableException(
          "Key '"
              + keyId
              + "': refreshes have failed since "
              + s.failingSince()
              + " ("
              + s.failedAttempts()
              + " attempts) and version "
              + served.version()
              + " was last confirmed at "
              + s.lastSuccess()
              + ", longer ago than maxStale ("
              + Durations.readable(s.maxStale())
              + "). Last failure: "
              + (failure == null ? "none recorded" : failure.getClass().getSimpleName())
              + " (the cause). Check the backend ("
              + providerName
              + "); retries continue, next attempt at "
              + nextRetryAt
              + ".",
          failure,
          keyId,
          served.version());
    }
    if (served != null) {
      String when = served.expiresAt().map(Instant::toString).orElse("?");
      return new KeyProviderUnavailableException(
          "Key '"
              + keyId
              + "': version "
              + served.version()
              + " expired at "
              + when
              + " and no newer version could be fetched from "
              + providerName
              + (failure == null ? "" : " (" + failure.getClass().getSimpleName() + ")")
              + ". Rotate the key in the backend; retries continue"
              + (nextRetryAt == null ? "." : ", next attempt at " + nextRetryAt + "."),
          failure,
          keyId,
          served.version());
    }
    if (failure == null) {
      return new KeyProviderUnavailableException(
          "Key '" + keyId + "' could not be fetched from " + providerName, keyId);
    }
    // the message quotes the provider's failure whole, so it absorbs it instead of wrapping it
    return ExceptionTexts.absorb(
        copyOf(
            failure,
            failure.getCause(),
            keyId,
            "Key '"
                + keyId
                + "' could not be fetched from "
                + providerName
                + " (attempt "
                + s.failedAttempts()
                + "): "
                + failure.getMessage()
                + ". "
                + (failure.isRetryable()
                    ? "Retrying in the background, next attempt at " + nextRetryAt + "."
                    : "Check the key id and the provider's configuration; next attempt at "
                        + nextRetryAt
                        + "."),
            null),
        failure);
  }

  /** An exception of {@code failure}'s kind with the given message and cause. */
  private static KeyGuardException copyOf(
      KeyGuardException failure,
      @Nullable Throwable cause,
      KeyId keyId,
      String message,
      @Nullable String version) {
    if (failure instanceof KeyNotFoundException) {
      return new KeyNotFoundException(message, cause, keyId, version);
    }
    if (failure instanceof KeyAccessDeniedException) {
      return new KeyAccessDeniedException(message, cause, keyId, version);
    }
    if (failure instanceof MalformedSecretException) {
      return new MalformedSecretException(message, cause, keyId, version);
    }
    if (failure instanceof EnvironmentMismatchException) {
      return new EnvironmentMismatchException(message, cause, keyId, version);
    }
    if (failure.isRetryable()) {
      return new KeyProviderUnavailableException(message, cause, keyId, version);
    }
    return new KeyGuardException(message, cause, keyId, version, false);
  }
}
