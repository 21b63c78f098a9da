package dev.keyguard.aws;

import static dev.keyguard.testing.ExceptionTextAssertions.assertNoRepeatedText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.RedactedThrowable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.InternalServiceErrorException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** The mapping of AWS SDK exceptions, built with the SDK's own exception builders. */
class AwsErrorsTest {

  private static final KeyId KEY = KeyId.of("prod/payments/api");

  private static AwsErrorDetails details(String code, String message) {
    return AwsErrorDetails.builder()
        .errorCode(code)
        .errorMessage(message)
        .serviceName("SecretsManager")
        .build();
  }

  /**
   * The SDK exception is the cause, or (when its message holds something the Redactor scrubs, such
   * as an IAM action that looks like a {@code secret…: value} assignment) its redacted copy; and
   * the mapped message does not repeat what the cause says.
   */
  private static void assertKeepsCause(KeyGuardException mapped, Exception e) {
    assertNoRepeatedText(mapped);
    Throwable cause = mapped.getCause();
    if (cause instanceof RedactedThrowable) {
      assertThat(((RedactedThrowable) cause).originalClassName()).isEqualTo(e.getClass().getName());
    } else {
      assertThat(cause).isSameAs(e);
    }
  }

  private static KeyGuardException mapGet(Exception e) {
    return AwsErrors.map(
        (software.amazon.awssdk.core.exception.SdkException) e,
        KEY,
        "GetSecretValue",
        "stage AWSCURRENT");
  }

  @Test
  void map_whenResourceNotFound_isNotFoundAndNotRetryable() {
    ResourceNotFoundException e =
        ResourceNotFoundException.builder()
            .awsErrorDetails(
                details(
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret."))
            .statusCode(400)
            .requestId("req-1")
            .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyNotFoundException.class);
    assertKeepsCause(mapped, e);
    assertThat(mapped.isRetryable()).isFalse();
    assertThat(mapped.keyId()).contains(KEY);
    assertThat(mapped.getMessage())
        .contains("prod/payments/api", "stage AWSCURRENT", "ResourceNotFoundException", "req-1");
  }

  @Test
  void map_whenAccessDeniedCode_isDeniedNamingGetSecretValuePermission() {
    SecretsManagerException e =
        (SecretsManagerException)
            SecretsManagerException.builder()
                .awsErrorDetails(
                    details(
                        "AccessDeniedException",
                        "User: arn:aws:sts::123456789012:assumed-role/app/i-1 is not authorized to perform:"
                            + " secretsmanager:GetSecretValue on resource: prod/payments/api"))
                .statusCode(400)
                .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyAccessDeniedException.class);
    assertKeepsCause(mapped, e);
    assertThat(mapped.isRetryable()).isFalse();
    assertThat(mapped.getMessage())
        .contains("the caller needs IAM permission secretsmanager:GetSecretValue on the secret")
        .doesNotContain("kms:Decrypt");
  }

  @Test
  void map_whenAccessDeniedOnDescribeSecret_namesDescribeSecretPermission() {
    SecretsManagerException e =
        (SecretsManagerException)
            SecretsManagerException.builder()
                .awsErrorDetails(
                    details(
                        "AccessDeniedException",
                        "not authorized to perform: secretsmanager:DescribeSecret"))
                .statusCode(400)
                .build();

    KeyGuardException mapped = AwsErrors.map(e, KEY, "DescribeSecret", "metadata");

    assertThat(mapped).isInstanceOf(KeyAccessDeniedException.class);
    assertThat(mapped.getMessage())
        .contains("the caller needs IAM permission secretsmanager:DescribeSecret");
  }

  @Test
  void map_whenAccessDeniedByKms_namesKmsDecrypt() {
    SecretsManagerException e =
        (SecretsManagerException)
            SecretsManagerException.builder()
                .awsErrorDetails(details("AccessDeniedException", "Access to KMS is not allowed"))
                .statusCode(400)
                .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyAccessDeniedException.class);
    assertThat(mapped.getMessage())
        .contains("the caller needs kms:Decrypt on the secret's KMS key");
  }

  @Test
  void map_whenDecryptionFailure_isDeniedNamingKmsDecrypt() {
    DecryptionFailureException e =
        DecryptionFailureException.builder()
            .awsErrorDetails(
                details(
                    "DecryptionFailure",
                    "Secrets Manager can't decrypt the protected secret text using the provided KMS key."))
            .statusCode(400)
            .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyAccessDeniedException.class);
    assertKeepsCause(mapped, e);
    assertThat(mapped.isRetryable()).isFalse();
    assertThat(mapped.getMessage()).contains("kms:Decrypt", "DecryptionFailure");
  }

  @Test
  void map_whenHttp403WithoutErrorCode_isDenied() {
    // moto's IAM enforcement answers 403 with an XML body the JSON protocol cannot parse.
    SecretsManagerException e =
        (SecretsManagerException)
            SecretsManagerException.builder()
                .awsErrorDetails(
                    details(null, "<?xml version=\"1.0\"?><ErrorResponse>…</ErrorResponse>"))
                .statusCode(403)
                .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyAccessDeniedException.class);
    assertThat(mapped.getMessage())
        .contains("IAM permission secretsmanager:GetSecretValue", "HTTP 403")
        .doesNotContain("<?xml");
  }

  @Test
  void map_whenCredentialsUnrecognized_isDeniedPointingAtTheCredentialChain() {
    SecretsManagerException e =
        (SecretsManagerException)
            SecretsManagerException.builder()
                .awsErrorDetails(
                    details(
                        "UnrecognizedClientException",
                        "The security token included in the request is invalid."))
                .statusCode(400)
                .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyAccessDeniedException.class);
    assertThat(mapped.getMessage()).contains("credential chain");
  }

  @Test
  void map_whenThrottled_isUnavailableAndRetryable() {
    SecretsManagerException e =
        (SecretsManagerException)
            SecretsManagerException.builder()
                .awsErrorDetails(details("ThrottlingException", "Rate exceeded"))
                .statusCode(400)
                .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyProviderUnavailableException.class);
    assertKeepsCause(mapped, e);
    assertThat(mapped.isRetryable()).isTrue();
    assertThat(mapped.getMessage()).contains("throttled");
  }

  @Test
  void map_whenHttp429_isUnavailable() {
    SecretsManagerException e =
        (SecretsManagerException) SecretsManagerException.builder().statusCode(429).build();

    assertThat(mapGet(e)).isInstanceOf(KeyProviderUnavailableException.class);
  }

  @Test
  void map_whenTheStatusLineWasCutShort_isRetryableUnavailable() {
    // seen under a Toxiproxy trickle: the call timed out mid status line and the JDK's client
    // reported "HTTP/1.1 20" as status 20
    for (int status : new int[] {0, 20, 600}) {
      SecretsManagerException e =
          (SecretsManagerException) SecretsManagerException.builder().statusCode(status).build();

      KeyGuardException mapped = mapGet(e);

      assertThat(mapped).isInstanceOf(KeyProviderUnavailableException.class);
      assertThat(mapped.isRetryable()).isTrue();
      assertThat(mapped.getMessage()).contains("no valid HTTP status (HTTP " + status + ")");
    }
  }

  @Test
  void map_whenInternalServiceError_isUnavailable() {
    InternalServiceErrorException e =
        InternalServiceErrorException.builder()
            .awsErrorDetails(
                details("InternalServiceError", "An error occurred on the server side."))
            .statusCode(500)
            .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyProviderUnavailableException.class);
    assertThat(mapped.isRetryable()).isTrue();
  }

  @Test
  void map_whenHttp503_isUnavailable() {
    SecretsManagerException e =
        (SecretsManagerException)
            SecretsManagerException.builder()
                .awsErrorDetails(details("ServiceUnavailable", "try later"))
                .statusCode(503)
                .build();

    assertThat(mapGet(e)).isInstanceOf(KeyProviderUnavailableException.class);
  }

  @Test
  void map_whenNetworkFailure_isUnavailableAndKeepsTheCause() {
    SdkClientException e =
        SdkClientException.create(
            "Unable to execute HTTP request: Connection refused",
            new java.net.ConnectException("Connection refused"));

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyProviderUnavailableException.class);
    assertKeepsCause(mapped, e);
    assertThat(mapped.isRetryable()).isTrue();
    assertThat(mapped.getMessage()).contains("SdkClientException, the cause");
    assertThat(mapped.getCause()).hasMessageContaining("Connection refused");
  }

  @Test
  void map_whenApiCallTimeout_isUnavailable() {
    ApiCallTimeoutException e = ApiCallTimeoutException.create(10_000);

    assertThat(mapGet(e)).isInstanceOf(KeyProviderUnavailableException.class);
  }

  @Test
  void map_whenResponseCouldNotBeParsed_dropsMessageAndCauseThatMayQuoteTheSecret() {
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    SdkClientException e =
        SdkClientException.create(
            "Unable to unmarshall response (Unexpected character near '" + secret + "')",
            new UncheckedIOException(new IOException("JsonParseException at " + secret)));

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyProviderUnavailableException.class).hasNoCause();
    assertThat(mapped.getMessage()).doesNotContain(secret).contains("could not be parsed");
  }

  @Test
  void map_whenSecretScheduledForDeletion_isNotFound() {
    InvalidRequestException e =
        InvalidRequestException.builder()
            .awsErrorDetails(
                details(
                    "InvalidRequestException",
                    "You can't perform this operation on the secret because it was marked for deletion."))
            .statusCode(400)
            .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped).isInstanceOf(KeyNotFoundException.class);
    assertThat(mapped.getMessage()).contains("restore");
  }

  @Test
  void map_whenInvalidParameter_isNotRetryableAndNotAProviderOutage() {
    InvalidParameterException e =
        InvalidParameterException.builder()
            .awsErrorDetails(details("InvalidParameterException", "Invalid name."))
            .statusCode(400)
            .build();

    KeyGuardException mapped = mapGet(e);

    assertThat(mapped)
        .isNotInstanceOf(KeyProviderUnavailableException.class)
        .isNotInstanceOf(KeyNotFoundException.class)
        .isNotInstanceOf(KeyAccessDeniedException.class);
    assertThat(mapped.isRetryable()).isFalse();
    assertThat(mapped.getMessage()).contains("InvalidParameterException");
    // AWS's own words are in the cause, printed once
    assertKeepsCause(mapped, e);
    assertThat(mapped.getMessage()).doesNotContain("Invalid name.");
  }

  @Test
  void clean_whenLongOrMultiLine_keepsOneBoundedLine() {
    String cleaned = AwsErrors.clean("line one\nline two " + "x".repeat(1000));

    assertThat(cleaned).doesNotContain("\n").hasSizeLessThanOrEqualTo(301).endsWith("…");
    assertThat(AwsErrors.clean("<html><body>proxy error</body></html>")).isEmpty();
    assertThat(AwsErrors.clean(null)).isEmpty();
  }
}
