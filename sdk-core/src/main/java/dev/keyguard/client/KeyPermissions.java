package dev.keyguard.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an API says a key may do, as its key hygiene endpoint reported it: the scopes granted (in
 * the preset's scope names), whether the key is restricted to a list of IP addresses, and the
 * provider's own flags as it named them ({@code enableWithdrawals}, {@code can_transfer}, ...).
 * Holds no secret.
 *
 * @param scopes the scopes granted
 * @param ipRestriction whether the key is IP-restricted, as far as the provider says
 * @param flags the provider's permission flags, by the provider's names, in its order
 */
public record KeyPermissions(
    Set<String> scopes, IpRestriction ipRestriction, Map<String, Boolean> flags) {

  /** Whether a key may be used from any address. */
  public enum IpRestriction {
    /** The provider says the key only works from listed IP addresses. */
    RESTRICTED,
    /** The provider says the key works from any IP address: restrict it. */
    UNRESTRICTED,
    /** The provider does not say (Coinbase's key_permissions has no such field). */
    NOT_REPORTED
  }

  /**
   * Creates the value, copying the collections.
   *
   * @param scopes the scopes granted
   * @param ipRestriction whether the key is IP-restricted
   * @param flags the provider's permission flags
   */
  public KeyPermissions {
    scopes = Set.copyOf(scopes);
    Objects.requireNonNull(ipRestriction, "ipRestriction");
    flags = Collections.unmodifiableMap(new LinkedHashMap<>(flags));
  }
}
