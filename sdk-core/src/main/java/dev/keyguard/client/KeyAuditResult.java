package dev.keyguard.client;

import dev.keyguard.KeyId;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of auditing one key version ({@link KeyGuardClient#auditKeys()}): the permissions the
 * API reported, and what is wrong with them. Holds no secret and no response body.
 *
 * @param keyId the key
 * @param version the version audited
 * @param at when the audit ran
 * @param permissions what the API reported; null if the audit failed
 * @param unneededScopes sensitive scopes the key holds that none of the routes it is used for needs
 * @param notIpRestricted true if the API says the key works from any IP address
 * @param failure why the audit failed (the HTTP status or the exception type), or null if it ran
 */
public record KeyAuditResult(
    KeyId keyId,
    String version,
    Instant at,
    @Nullable KeyPermissions permissions,
    Set<String> unneededScopes,
    boolean notIpRestricted,
    @Nullable String failure) {

  /**
   * Creates the value, copying the set.
   *
   * @param keyId the key
   * @param version the version audited
   * @param at when the audit ran
   * @param permissions what the API reported; null if the audit failed
   * @param unneededScopes sensitive scopes no route of the key needs
   * @param notIpRestricted true if the key works from any IP address
   * @param failure why the audit failed, or null
   */
  public KeyAuditResult {
    unneededScopes = Set.copyOf(unneededScopes);
  }

  /**
   * Tells whether the audit found something to fix, or failed.
   *
   * @return true if there is a finding or a failure
   */
  public boolean hasFinding() {
    return failure != null || !unneededScopes.isEmpty() || notIpRestricted;
  }
}
