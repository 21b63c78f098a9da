package dev.keyguard.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps Azure SDK exceptions of {@code SecretClient} calls to KeyGuard's typed exceptions.
 *
 * <p>Messages are built from the key id, the secret name, the operation, the HTTP status, the Key
 * Vault error code ({@code error.code} and {@code error.innererror.code} of the error body) and the
 * request id, and say what to do. The service's own message is not quoted: the SDK exception, kept
 * as the cause, says it, and a printed chain says nothing twice. Every message passes through the
 * {@code Redactor} inside {@link KeyGuardException}. When a successful response could not be read,
 * neither its text nor the cause is kept: it may quote the secret.
 */
final class AzureErrors {

  /**
   * The permission a Key Vault access policy grants for each operation, as the service names it.
   */
  static final String GET = "get";

  static final String LIST = "list";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final HttpHeaderName REQUEST_ID = HttpHeaderName.fromString("x-ms-request-id");

  /** Longest part of a Key Vault error message that is kept in our message. */
  private static final int MAX_VENDOR_MESSAGE = 300;

  private AzureErrors() {}

  /** What the error body said. */
  record Details(int status, String code, String innerCode, String message, String requestId) {

    boolean isDisabled() {
      return "SecretDisabled".equalsIgnoreCase(innerCode)
          || (status == 403 && message.toLowerCase(Locale.ROOT).contains("disabled secret"));
    }

    String summary() {
      StringBuilder sb = new StringBuilder(" [HTTP ").append(status);
      if (!code.isEmpty()) {
        sb.append(", ").append(code);
      }
      if (!innerCode.isEmpty()) {
        sb.append('/').append(innerCode);
      }
      if (!requestId.isEmpty()) {
        sb.append(", x-ms-request-id=").append(requestId);
      }
      sb.append(']');
      // Key Vault's own message is not quoted: the SDK exception, which says it, is the cause, and
      // a printed chain must not say it twice
      return sb.toString();
    }
  }

  /** Reads the status and the Key Vault error body of a failed response. */
  static Details details(HttpResponseException e) {
    HttpResponse response = e.getResponse();
    int status = response == null ? 0 : response.getStatusCode();
    String requestId = "";
    if (response != null) {
      String id = response.getHeaderValue(REQUEST_ID);
      requestId = id == null ? "" : clean(id);
    }
    JsonNode error = errorNode(e);
    String code = "";
    String innerCode = "";
    String message = "";
    if (error != null) {
      code = clean(error.path("code").asText(""));
      message = clean(error.path("message").asText(""));
      JsonNode inner = error.has("innererror") ? error.get("innererror") : error.get("innerError");
      if (inner != null) {
        innerCode = clean(inner.path("code").asText(""));
      }
    }
    return new Details(status, code, innerCode, message, requestId);
  }

  /**
   * Maps a failure of one call.
   *
   * @param e what the SDK threw
   * @param keyId the key being read
   * @param secretName the Key Vault secret name
   * @param operation {@code get} or {@code list}, the access-policy permission the call needs
   * @param target what was asked for, such as {@code latest version} or {@code version 0a1b…}
   * @return the exception to throw
   */
  static KeyGuardException map(
      RuntimeException e, KeyId keyId, String secretName, String operation, String target) {
    String what = "secret '" + secretName + "' (key '" + keyId + "', " + target + ")";
    if (e instanceof HttpResponseException hre && hre.getResponse() != null) {
      return mapResponse(hre, details(hre), keyId, what, operation);
    }
    if (e instanceof ClientAuthenticationException) {
      // no response: the TokenCredential itself failed (no identity configured, login refused)
      return new KeyAccessDeniedException(
          "could not get an Entra ID token to read "
              + what
              + " from Azure Key Vault ("
              + e.getClass().getSimpleName()
              + ", the cause); check the TokenCredential (DefaultAzureCredential: environment, workload or"
              + " managed identity, Azure CLI login)",
          e,
          keyId,
          null);
    }
    String text = e.getMessage() == null ? "" : e.getMessage();
    if (text.contains("challenge resource")) {
      // the vault's 401 challenge named a resource that does not belong to the vault's domain: no
      // token was sent (a look-alike host, or a vault URL that is not the vault's own)
      return new KeyAccessDeniedException(
          "Azure Key Vault at this URL is not trusted with a token to read "
              + what
              + ": its bearer challenge names a resource outside the vault's domain (the cause says"
              + " which). Use the vault's own URL (https://<name>.vault.azure.net)",
          e,
          keyId,
          null);
    }
    if (isResponseReadingFailure(e)) {
      // A successful GET carries the secret: a parser's message may quote it, so neither the
      // message nor the cause is kept.
      return new KeyProviderUnavailableException(
          "the Azure Key Vault response for "
              + what
              + " could not be read; its text is not kept because it may hold the secret. The last"
              + " good key is kept and the call is retried",
          null,
          keyId,
          null);
    }
    Throwable root = rootCause(e);
    return new KeyProviderUnavailableException(
        "could not call Azure Key Vault for "
            + what
            + ": "
            + root.getClass().getSimpleName()
            + (root == e ? ", the cause" : " (in the cause)")
            + "; the last good key is kept and the call is retried",
        e,
        keyId,
        null);
  }

  private static KeyGuardException mapResponse(
      HttpResponseException e, Details d, KeyId keyId, String what, String operation) {
    int status = d.status();
    if (status == 404) {
      return new KeyNotFoundException(
          "Azure Key Vault has no "
              + what
              + ": create it (az keyvault secret set), fix the key id, the secretNameMapping or the"
              + " vault URL; a deleted secret is recovered with az keyvault secret recover"
              + d.summary(),
          e,
          keyId,
          null);
    }
    if (status == 403 && d.isDisabled()) {
      return new KeyAccessDeniedException(
          "Azure Key Vault refuses to read "
              + what
              + ": the version is disabled. Enable it (az keyvault secret set-attributes --enabled"
              + " true) or set a new version"
              + d.summary(),
          e,
          keyId,
          null);
    }
    if (status == 403) {
      boolean firewall = d.innerCode().toLowerCase(Locale.ROOT).contains("firewall");
      return new KeyAccessDeniedException(
          "Azure Key Vault denied "
              + operation
              + " on "
              + what
              + ": "
              + (firewall
                  ? "the vault's firewall does not admit this client's network; add it to the"
                      + " vault's network rules or use a private endpoint"
                  : "the caller needs the secrets/"
                      + operation
                      + " permission: the RBAC role Key Vault Secrets User on the vault or the"
                      + " secret (data action …/vaults/secrets/"
                      + (operation.equals(LIST) ? "readMetadata" : "getSecret")
                      + "/action), or an access policy with secret permission "
                      + operation
                      + "; a new role assignment can take minutes to apply")
              + d.summary(),
          e,
          keyId,
          null);
    }
    if (status == 401) {
      return new KeyAccessDeniedException(
          "Azure Key Vault rejected the token used to read "
              + what
              + " (HTTP 401 after the bearer challenge): the TokenCredential's identity is in"
              + " another tenant, its token expired or is for another audience; check the"
              + " credential and the vault's tenant"
              + d.summary(),
          e,
          keyId,
          null);
    }
    if (status == 429) {
      String retryAfter = e.getResponse().getHeaderValue(HttpHeaderName.RETRY_AFTER);
      return new KeyProviderUnavailableException(
          "Azure Key Vault throttled "
              + operation
              + " on "
              + what
              + (retryAfter == null ? "" : " (Retry-After: " + clean(retryAfter) + ")")
              + "; the last good key is kept and the call is retried later"
              + d.summary(),
          e,
          keyId,
          null);
    }
    if (status >= 500 || status == 408) {
      return new KeyProviderUnavailableException(
          "Azure Key Vault failed "
              + operation
              + " on "
              + what
              + "; the last good key is kept and the call is retried"
              + d.summary(),
          e,
          keyId,
          null);
    }
    return new KeyGuardException(
        "Azure Key Vault refused " + operation + " on " + what + d.summary(),
        e,
        keyId,
        null,
        false);
  }

  private static @Nullable JsonNode errorNode(HttpResponseException e) {
    Object value = e.getValue();
    JsonNode root = null;
    try {
      if (value instanceof BinaryData data) {
        root = JSON.readTree(data.toBytes());
      } else if (value instanceof byte[] bytes) {
        root = JSON.readTree(bytes);
      } else if (value instanceof String text) {
        root = JSON.readTree(text);
      } else if (value instanceof Map<?, ?> map) {
        root = JSON.valueToTree(map);
      } else if (value != null) {
        root = JSON.valueToTree(value);
      }
    } catch (Exception parse) {
      root = null;
    }
    if (root == null || !root.has("error")) {
      root = fromMessage(e.getMessage());
    }
    return root == null || !root.path("error").isObject() ? null : root.get("error");
  }

  /** The SDK's message is {@code Status code 404, "{...}"}; the body is an error body. */
  private static @Nullable JsonNode fromMessage(@Nullable String message) {
    if (message == null) {
      return null;
    }
    int start = message.indexOf('{');
    int end = message.lastIndexOf('}');
    if (start < 0 || end <= start) {
      return null;
    }
    try {
      return JSON.readTree(message.substring(start, end + 1));
    } catch (Exception parse) {
      return null;
    }
  }

  /** True if the failure comes from reading a response body (whose text may quote the secret). */
  static boolean isResponseReadingFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = t.getClass().getName();
      if (name.contains("Json")
          || name.contains("StreamRead")
          || name.contains("Deserializ")
          || name.contains("Parse")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  /** Keeps a vendor message to one bounded line; drops markup bodies. */
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
