package dev.keyguard.aws;

import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.client.InsecureTransportException;
import dev.keyguard.key.VendorText;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.InternalServiceErrorException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * Maps AWS SDK exceptions to KeyGuard's typed exceptions.
 *
 * <p>Messages are built from the key id, the operation, the AWS error code, the request id and the
 * parsed AWS error message (which never holds a secret value: GetSecretValue's error messages name
 * the secret and the missing permission only). Raw response bodies are never appended; a parsed
 * message that looks like markup (an emulator's or proxy's HTML or XML body) is dropped, and every
 * message still passes through the {@code Redactor} inside {@link KeyGuardException}. The SDK
 * exception is kept as the cause.
 */
final class AwsErrors {

  /** Error codes AWS uses when the caller's identity or policy does not allow the call. */
  private static final Set<String> DENIED_CODES =
      Set.of("AccessDeniedException", "AccessDenied", "AccessDeniedError");

  /** Error codes AWS uses when the caller's own AWS credentials are invalid or expired. */
  private static final Set<String> BAD_CREDENTIAL_CODES =
      Set.of(
          "UnrecognizedClientException",
          "InvalidSignatureException",
          "SignatureDoesNotMatch",
          "IncompleteSignature",
          "MissingAuthenticationToken",
          "InvalidClientTokenId",
          "ExpiredTokenException",
          "ExpiredToken");

  /** Longest part of an AWS error message that is kept in our message. */
  private AwsErrors() {}

  /**
   * Maps an SDK failure of one Secrets Manager call.
   *
   * @param failure the SDK exception, or the refusal of a cleartext request
   * @param keyId the key being read
   * @param operation the Secrets Manager operation, such as {@code GetSecretValue}
   * @param target what was asked for, such as {@code stage AWSCURRENT} or {@code version 1234}
   * @return the KeyGuard exception to throw
   */
  static KeyGuardException map(
      RuntimeException failure, KeyId keyId, String operation, String target) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CleartextRefusal.Refused) {
        // nothing was sent: the message names the endpoint and what may have set it
        return new InsecureTransportException(
            t.getMessage() + " (" + operation + " for key '" + keyId + "')", null, keyId, null);
      }
    }
    if (!(failure instanceof SdkException)) {
      throw failure;
    }
    SdkException e = (SdkException) failure;
    if (e instanceof SdkClientException && isResponseParsingFailure(e)) {
      // The body of a GetSecretValue response holds the secret: a parser's message may quote it,
      // so neither the message nor the cause chain is kept.
      return new KeyProviderUnavailableException(
          "the response of AWS Secrets Manager "
              + operation
              + " for key '"
              + keyId
              + "' ("
              + target
              + ") could not be parsed; its text is not kept because it may hold the"
              + " secret. The last good key is kept and the call is retried",
          null,
          keyId,
          null);
    }
    if (e instanceof SdkClientException) {
      // Network failure, timeout, unreadable response, or no AWS credentials/region found locally.
      return new KeyProviderUnavailableException(
          "could not call AWS Secrets Manager "
              + operation
              + " for key '"
              + keyId
              + "' ("
              + target
              + "): "
              + e.getClass().getSimpleName()
              + ", the cause; the last good key is kept and the call is retried",
          e,
          keyId,
          null);
    }
    if (!(e instanceof SdkServiceException)) {
      return new KeyProviderUnavailableException(
          "AWS Secrets Manager "
              + operation
              + " failed for key '"
              + keyId
              + "' ("
              + target
              + "): "
              + e.getClass().getSimpleName(),
          e,
          keyId,
          null);
    }
    SdkServiceException se = (SdkServiceException) e;
    String code = errorCode(se);
    String vendor = vendorMessage(se);
    String details = details(se, code, vendor);
    int status = se.statusCode();

    if (e instanceof ResourceNotFoundException || "ResourceNotFoundException".equals(code)) {
      return new KeyNotFoundException(
          "AWS Secrets Manager has no secret '"
              + keyId
              + "' with "
              + target
              + ": create the secret (or the version stage), or fix the key id, account or region"
              + details,
          e,
          keyId,
          null);
    }
    if (e instanceof DecryptionFailureException
        || "DecryptionFailure".equals(code)
        || "DecryptionFailureException".equals(code)) {
      return new KeyAccessDeniedException(
          "AWS Secrets Manager could not decrypt secret '"
              + keyId
              + "' ("
              + target
              + "): the caller needs kms:Decrypt on the secret's KMS key (in the key policy and the"
              + " IAM policy), and the key must be enabled"
              + details,
          e,
          keyId,
          null);
    }
    if (DENIED_CODES.contains(code) || (status == 403 && !se.isThrottlingException())) {
      String permission =
          mentionsKms(vendor) ? "kms:Decrypt on the secret's KMS key" : permissionFor(operation);
      return new KeyAccessDeniedException(
          "AWS denied "
              + operation
              + " on secret '"
              + keyId
              + "' ("
              + target
              + "): the caller needs "
              + permission
              + " (check the IAM policy, the secret's resource policy and any SCP)"
              + details,
          e,
          keyId,
          null);
    }
    if (BAD_CREDENTIAL_CODES.contains(code) || status == 401) {
      return new KeyAccessDeniedException(
          "AWS rejected the AWS credentials used to read secret '"
              + keyId
              + "': they are invalid or expired; check the credential chain (environment, profile,"
              + " instance or task role)"
              + details,
          e,
          keyId,
          null);
    }
    if (se.isThrottlingException() || status == 429) {
      return new KeyProviderUnavailableException(
          "AWS Secrets Manager throttled "
              + operation
              + " for key '"
              + keyId
              + "'; the last good key is kept and the call is retried later"
              + details,
          e,
          keyId,
          null);
    }
    if (status < 100 || status > 599) {
      // No HTTP status: a status line cut short (a connection closed or timed out mid-line, which
      // the JDK's client can parse as "HTTP/1.1 20"), not an answer of Secrets Manager
      return new KeyProviderUnavailableException(
          "AWS Secrets Manager "
              + operation
              + " for key '"
              + keyId
              + "' ("
              + target
              + ") got no valid HTTP status (HTTP "
              + status
              + "): a response cut short; the last good key is kept and the call is retried",
          null,
          keyId,
          null);
    }
    if (e instanceof InternalServiceErrorException || status >= 500) {
      return new KeyProviderUnavailableException(
          "AWS Secrets Manager failed "
              + operation
              + " for key '"
              + keyId
              + "' (HTTP "
              + status
              + "); the last good key is kept and the call is retried"
              + details,
          e,
          keyId,
          null);
    }
    if ("InvalidRequestException".equals(code) && isMarkedDeleted(vendor)) {
      return new KeyNotFoundException(
          "secret '"
              + keyId
              + "' is scheduled for deletion in AWS Secrets Manager: restore it"
              + " (aws secretsmanager restore-secret) or point the key id at another secret"
              + details,
          e,
          keyId,
          null);
    }
    // InvalidRequest, InvalidParameter and other client errors: a change is needed, retrying won't
    // help.
    return new KeyGuardException(
        "AWS Secrets Manager refused "
            + operation
            + " for key '"
            + keyId
            + "' ("
            + target
            + ", HTTP "
            + status
            + ")"
            + details,
        e,
        keyId,
        null,
        false);
  }

  /** AWS says "marked for deletion", moto "marked deleted". */
  private static boolean isMarkedDeleted(String vendor) {
    String lower = vendor.toLowerCase(Locale.ROOT);
    return lower.contains("marked for deletion") || lower.contains("marked deleted");
  }

  /** True if the failure comes from reading a response body (whose text may quote the secret). */
  static boolean isResponseParsingFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = t.getClass().getName();
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (name.contains("Json")
          || name.contains("StreamRead")
          || name.contains("Parse")
          || message.contains("unmarshall")
          || message.contains("parse")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** The IAM action an operation needs, as a policy names it. */
  static String permissionFor(String operation) {
    return "IAM permission secretsmanager:" + operation + " on the secret";
  }

  private static boolean mentionsKms(String vendor) {
    String lower = vendor.toLowerCase(Locale.ROOT);
    return lower.contains("kms");
  }

  private static String errorCode(SdkServiceException se) {
    if (se instanceof AwsServiceException) {
      AwsErrorDetails d = ((AwsServiceException) se).awsErrorDetails();
      if (d != null && d.errorCode() != null) {
        return d.errorCode();
      }
    }
    return "";
  }

  private static String vendorMessage(SdkServiceException se) {
    if (se instanceof AwsServiceException) {
      AwsErrorDetails d = ((AwsServiceException) se).awsErrorDetails();
      if (d != null && d.errorMessage() != null) {
        return clean(d.errorMessage());
      }
    }
    return "";
  }

  private static String details(SdkServiceException se, String code, String vendor) {
    StringBuilder sb = new StringBuilder(" [");
    sb.append(code.isEmpty() ? "HTTP " + se.statusCode() : code);
    if (se.requestId() != null) {
      sb.append(", requestId=").append(clean(se.requestId()));
    }
    sb.append(']');
    // AWS's own message is not quoted: the SDK exception, which says it, is the cause, and a
    // printed chain must not say it twice
    return sb.toString();
  }

  /**
   * Keeps a vendor message to one bounded line; drops markup bodies (an HTML or XML page is a raw
   * response body, not a message).
   */
  static String clean(String text) {
    return VendorText.oneLine(text);
  }
}
