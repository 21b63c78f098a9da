package dev.keyguard.vault;

import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Maps Vault answers and transport failures to KeyGuard's typed exceptions.
 *
 * <p>Messages name the key id, the Vault path, the namespace and the capability a policy needs;
 * never the token. Vault's own {@code errors} strings are kept (bounded to one line): Vault does
 * not echo tokens or secret values in them, and every message still passes through the {@code
 * Redactor} inside {@link KeyGuardException}, where the token is registered.
 */
final class VaultErrors {

  private static final int MAX_VENDOR_MESSAGE = 300;

  private VaultErrors() {}

  /**
   * What was asked of Vault, for messages: {@code read} on {@code secret/data/apps/openai}.
   *
   * @param keyId the key concerned, or null for a token or login call
   * @param capability the policy capability the call needs, such as {@code read}
   * @param path the Vault API path without {@code /v1/}
   * @param namespace the namespace, or null
   */
  record Call(@Nullable KeyId keyId, String capability, String path, @Nullable String namespace) {

    String describe() {
      return "'"
          + path
          + "'"
          + (namespace == null ? "" : " in namespace '" + namespace + "'")
          + (keyId == null ? "" : " for key '" + keyId + "'");
    }
  }

  /** Maps a non-2xx answer. */
  static KeyGuardException map(VaultHttp.Reply reply, Call call) {
    int status = reply.status();
    String vault = reply.errors();
    String said = vault.isEmpty() ? "" : "; Vault said: " + vault;
    KeyId keyId = call.keyId();
    if (status == 403) {
      return new KeyAccessDeniedException(
          "Vault denied "
              + call.describe()
              + " (HTTP 403): the token's policies need the '"
              + call.capability()
              + "' capability on path \""
              + call.path()
              + "\" (a policy such as: path \""
              + call.path()
              + "\" { capabilities = [\""
              + call.capability()
              + "\"] }), or the token is invalid, expired or revoked"
              + said,
          null,
          keyId,
          null);
    }
    if (status == 404) {
      return new KeyNotFoundException(
          "Vault has nothing at "
              + call.describe()
              + " (HTTP 404): write the secret, or fix the mount, the path or the namespace of the"
              + " key mapping"
              + said,
          null,
          keyId,
          null);
    }
    if (status == 400 && vault.contains("Upgrading from non-versioned to versioned data")) {
      // KV v2 right after it was enabled, or upgraded from v1: Vault says it resumes shortly
      return new KeyProviderUnavailableException(
          "Vault is upgrading the KV mount of "
              + call.describe()
              + " to KV v2 (HTTP 400); the last good key is kept and the call is retried with"
              + " backoff"
              + said,
          null,
          keyId,
          null);
    }
    if (status == 400) {
      return new KeyGuardException(
          "Vault refused the request to "
              + call.describe()
              + " as malformed (HTTP 400): check the mount, the path and the KV version configured"
              + " for it"
              + said,
          null,
          keyId,
          null,
          false);
    }
    if (status == 412) {
      return new KeyProviderUnavailableException(
          "Vault could not yet serve "
              + call.describe()
              + " (HTTP 412: a replica has not caught up with a recent write); the last good key is"
              + " kept and the call is retried with backoff"
              + said,
          null,
          keyId,
          null);
    }
    if (status == 429) {
      return new KeyProviderUnavailableException(
          "Vault throttled "
              + call.describe()
              + " (HTTP 429); the last good key is kept and the call is retried with backoff"
              + said,
          null,
          keyId,
          null);
    }
    if (status == 503) {
      return new KeyProviderUnavailableException(
          "Vault is unavailable for "
              + call.describe()
              + " (HTTP 503: sealed, in maintenance or a standby without an active node); the last"
              + " good key is kept and the call is retried with backoff"
              + said,
          null,
          keyId,
          null);
    }
    if (status >= 500) {
      return new KeyProviderUnavailableException(
          "Vault failed "
              + call.describe()
              + " (HTTP "
              + status
              + "); the last good key is kept and the call is retried with backoff"
              + said,
          null,
          keyId,
          null);
    }
    if (status >= 300 && status < 400) {
      return new KeyGuardException(
          "Vault answered "
              + call.describe()
              + " with a redirect (HTTP "
              + status
              + "): KeyGuard does not follow Vault redirects, because the token would go along;"
              + " point the address at the active node or at a load balancer that forwards",
          null,
          keyId,
          null,
          false);
    }
    return new KeyGuardException(
        "Vault refused " + call.describe() + " (HTTP " + status + ")" + said,
        null,
        keyId,
        null,
        status == 408);
  }

  /** Maps a transport failure (connection refused, timeout, TLS). */
  static KeyGuardException transport(IOException e, Call call) {
    boolean tls = e instanceof javax.net.ssl.SSLException;
    return new KeyProviderUnavailableException(
        "could not reach Vault for "
            + call.describe()
            + ": "
            + e.getClass().getSimpleName()
            // the IOException is the cause: its text is not quoted, so a printed chain says it once
            + ", the cause"
            + (tls
                ? " (TLS: check the CA set with caCertificate(...) or VAULT_CACERT, and that the"
                    + " server offers TLS 1.2 or later)"
                : "")
            + "; the last good key is kept and the call is retried",
        e,
        call.keyId(),
        null);
  }

  /** Keeps a vendor message to one bounded line. */
  static String clean(@Nullable String text) {
    if (text == null) {
      return "";
    }
    String t = text.strip();
    if (t.startsWith("<")) {
      return "";
    }
    StringBuilder sb = new StringBuilder(Math.min(t.length(), MAX_VENDOR_MESSAGE + 1));
    int i = 0;
    for (; i < t.length() && sb.length() < MAX_VENDOR_MESSAGE; i++) {
      char c = t.charAt(i);
      boolean space = Character.isWhitespace(c) || Character.isISOControl(c);
      if (!space) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
        sb.append(' ');
      }
    }
    if (i < t.length()) {
      sb.append('…');
    }
    return sb.toString();
  }
}
