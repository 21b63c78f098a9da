package dev.keyguard.client;

/**
 * What a client does with a request that matches no route of its route table ({@link
 * KeyGuardClient.Builder#unmappedRoutes(UnmappedRoutes)}). Under the preset's {@linkplain
 * ApiPreset#sensitivePathPrefixes() sensitive path prefixes} an unmapped request is refused
 * whatever the policy.
 */
public enum UnmappedRoutes {
  /** Refuse it before anything is sent, with {@link InsufficientScopeException}. */
  DENY,
  /**
   * Send it with the least-privileged key of the client (fewest scopes), the default: a client
   * keeps working for endpoints its preset does not list, with the key that can do least.
   */
  LEAST_PRIVILEGED_KEY
}
