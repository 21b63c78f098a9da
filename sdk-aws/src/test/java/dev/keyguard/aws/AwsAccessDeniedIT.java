package dev.keyguard.aws;

import static dev.keyguard.aws.SecretsAdmin.randomKey;
import static dev.keyguard.aws.SecretsAdmin.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.key.KeyManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;

/**
 * A real access denial: moto enforces IAM policies once its first {@value #SETUP_ACTIONS} requests
 * (the set-up below) are served, so each user gets exactly the permissions its policy grants.
 *
 * <p>moto does not decrypt secrets with KMS, so a KMS denial or decryption failure cannot be
 * produced here; that mapping is tested on the SDK's exception types and on AWS's JSON error shape
 * in {@code AwsErrorsTest} and {@code AwsSecretsManagerKeyProviderTest}.
 */
class AwsAccessDeniedIT {

  /** create secret, then for each of two users: create user, create access key, put user policy. */
  private static final int SETUP_ACTIONS = 7;

  @RegisterExtension static final MotoServer MOTO = new MotoServer().enforceIamAfter(SETUP_ACTIONS);

  private static final String SECRET = uniqueName("guarded");
  private static final String API_KEY = randomKey();
  private static AccessKey describeOnly;
  private static AccessKey getOnly;

  @BeforeAll
  static void setUpIam() {
    new SecretsAdmin(MOTO.client()).create(SECRET, API_KEY);
    try (IamClient iam =
        IamClient.builder()
            .region(Region.AWS_GLOBAL)
            .endpointOverride(MOTO.endpoint())
            .credentialsProvider(MotoServer.DUMMY_CREDENTIALS)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build()) {
      describeOnly = user(iam, "describe-only", "secretsmanager:DescribeSecret");
      getOnly = user(iam, "get-only", "secretsmanager:GetSecretValue");
    }
  }

  @AfterAll
  static void forget() {
    describeOnly = null;
    getOnly = null;
  }

  private static AccessKey user(IamClient iam, String name, String action) {
    iam.createUser(r -> r.userName(name));
    AccessKey key = iam.createAccessKey(r -> r.userName(name)).accessKey();
    iam.putUserPolicy(
        r ->
            r.userName(name)
                .policyName("only-" + name)
                .policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\""
                        + action
                        + "\",\"Resource\":\"*\"}]}"));
    return key;
  }

  private static AwsSecretsManagerKeyProvider.Builder as(AccessKey key) {
    return AwsSecretsManagerKeyProvider.builder()
        .region(MotoServer.REGION)
        .endpointOverride(MOTO.endpoint())
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())));
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void fetch_whenPolicyLacksGetSecretValue_throwsDeniedNamingThePermission() {
    try (AwsSecretsManagerKeyProvider provider = as(describeOnly).build()) {
      KeyAccessDeniedException e =
          catchThrowableOfType(
              KeyAccessDeniedException.class, () -> provider.fetch(KeyId.of(SECRET)));

      LoggerFactory.getLogger(AwsAccessDeniedIT.class)
          .info("denial as the user sees it: {}", e.getMessage());
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage())
          .contains(SECRET, "the caller needs IAM permission secretsmanager:GetSecretValue");
      assertThat(stackTrace(e)).doesNotContain(API_KEY);
    }
  }

  @Test
  void fetch_withVersionCheck_whenPolicyLacksDescribeSecret_throwsDeniedNamingDescribeSecret() {
    try (AwsSecretsManagerKeyProvider provider = as(getOnly).versionCheck(true).build()) {
      KeyAccessDeniedException e =
          catchThrowableOfType(
              KeyAccessDeniedException.class, () -> provider.fetch(KeyId.of(SECRET)));

      assertThat(e.getMessage())
          .contains("the caller needs IAM permission secretsmanager:DescribeSecret");
    }
  }

  @Test
  void awaitReady_whenDenied_failsAtOnceWithDenied() {
    try (AwsSecretsManagerKeyProvider provider = as(describeOnly).build();
        KeyManager keys = KeyManager.builder().provider(provider).build()) {
      long start = System.nanoTime();

      assertThatThrownBy(() -> keys.key(SECRET).awaitReady(Duration.ofSeconds(30)))
          .isInstanceOf(KeyAccessDeniedException.class)
          .hasMessageContaining("IAM permission secretsmanager:GetSecretValue");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("a denial is not retried until the timeout")
          .isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void fetch_whenPolicyGrantsGetSecretValue_succeeds() {
    try (AwsSecretsManagerKeyProvider provider = as(getOnly).build()) {
      assertThat(provider.fetch(KeyId.of(SECRET)).apiKey().value(InsecureSecretAccess.get()))
          .isEqualTo(API_KEY);
    }
  }
}
