package dev.keyguard.auth;

import dev.keyguard.CredentialRequirement;
import dev.keyguard.KeyGuardException;
import dev.keyguard.VersionedCredential;
import java.util.Set;
import okhttp3.Request;

/**
 * How a credential is put on a request: a header, a bearer token, a query parameter, an HMAC
 * signature, a per-request JWT. Custom schemes implement this one method.
 *
 * <p>{@link #apply(Request, VersionedCredential)} is called once per attempt, on the request as the
 * application built it (without credentials), so a retry or a same-origin redirect is signed afresh
 * and a cross-origin redirect is sent without anything a scheme added. The names a scheme declares
 * are never allow-listed by the HTTP logger and are scrubbed from logs and errors.
 *
 * <p>A scheme declares the parts of a credential it needs with {@link #requirement()} (by default
 * the API key alone). A client built on a {@code ManagedKey} registers it with the key, and a key
 * obtained with {@code KeyManager.key(id, scheme.requirement())} knows it before the first fetch,
 * so that a credential without a needed part fails at {@code awaitReady} or the refresh that loaded
 * it, not at the first request.
 *
 * <p>Implementations must be immutable and thread-safe, and must not log or keep the credential.
 */
@FunctionalInterface
public interface AuthScheme {

  /**
   * Returns a copy of the request carrying the credential.
   *
   * @param request the request without credentials
   * @param credential the credential to apply
   * @return the authenticated request
   * @throws KeyGuardException if the credential lacks a part the scheme needs (say, no API secret
   *     for an HMAC scheme)
   */
  Request apply(Request request, VersionedCredential credential);

  /**
   * The parts of a credential this scheme needs. The key path checks every credential it loads
   * against it, so a credential that lacks a part fails where it is loaded (with a message naming
   * the part, the expected field and the fields found) instead of at {@link #apply}. A scheme that
   * signs with the API secret or a private key returns {@link
   * CredentialRequirement#apiKeyAndSecret(String, String)}.
   *
   * @return the requirement; {@link CredentialRequirement#apiKeyOnly()} by default
   */
  default CredentialRequirement requirement() {
    return CredentialRequirement.apiKeyOnly();
  }

  /**
   * The header names this scheme sets, lower-case.
   *
   * @return the header names; empty by default
   */
  default Set<String> headerNames() {
    return Set.of();
  }

  /**
   * The query parameter names this scheme sets.
   *
   * @return the query parameter names; empty by default
   */
  default Set<String> queryParameterNames() {
    return Set.of();
  }
}
