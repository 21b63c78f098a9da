package dev.keyguard.vault;

import dev.keyguard.KeyGuardException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a {@link VaultKeyProvider}'s Vault token. Events carry the auth
 * method, times, TTLs and the token's fingerprint, never the token: their {@code toString()} is
 * safe to log.
 *
 * @see VaultTokenListener
 */
public sealed interface VaultTokenEvent {

  /**
   * When the event happened, by the provider's time source.
   *
   * @return the time
   */
  Instant at();

  /**
   * A new token: the first login, or a later one (re-login) because renewal was refused, the token
   * is not renewable, its max TTL is near, or Vault refused it.
   *
   * @param at when the token was obtained
   * @param method the auth method: {@code token}, {@code approle} or {@code kubernetes}
   * @param fingerprint the token's fingerprint, for correlating events (not the token)
   * @param ttl the token's TTL, empty if it does not expire
   * @param renewable whether Vault says the token is renewable
   * @param reLogin true for every login after the first
   * @param reason why the login happened, such as {@code max TTL near}
   */
  record LoggedIn(
      Instant at,
      String method,
      String fingerprint,
      Optional<Duration> ttl,
      boolean renewable,
      boolean reLogin,
      String reason)
      implements VaultTokenEvent {}

  /**
   * The token was renewed ({@code auth/token/renew-self}).
   *
   * @param at when
   * @param fingerprint the token's fingerprint
   * @param ttl the TTL Vault granted
   * @param cappedByMaxTtl true if Vault granted less than before: the max TTL is near, and the next
   *     step is a new login instead of a renewal
   */
  record Renewed(Instant at, String fingerprint, Duration ttl, boolean cappedByMaxTtl)
      implements VaultTokenEvent {}

  /**
   * A look-up, renewal or login failed. If the current token is still valid it keeps being used;
   * the step is retried after {@code retryIn}.
   *
   * @param at when
   * @param operation what failed: {@code lookup-self}, {@code renew-self} or {@code login}
   * @param cause the failure (its message never holds the token)
   * @param retryIn when the step is tried again, empty if it is tried at the next use only
   */
  record Failed(Instant at, String operation, KeyGuardException cause, Optional<Duration> retryIn)
      implements VaultTokenEvent {

    /**
     * Creates the event.
     *
     * @param at when
     * @param operation what failed
     * @param cause the failure
     * @param retryIn when the step is tried again, or null
     * @return the event
     */
    static Failed of(
        Instant at, String operation, KeyGuardException cause, @Nullable Duration retryIn) {
      return new Failed(at, operation, cause, Optional.ofNullable(retryIn));
    }
  }
}
