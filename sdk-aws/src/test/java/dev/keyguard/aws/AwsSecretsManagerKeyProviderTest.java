package dev.keyguard.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The provider against a MockWebServer that answers with the JSON shapes AWS Secrets Manager uses
 * (awsJson1_1: {@code X-Amz-Target} requests, {@code __type} errors), through the real SDK client
 * and its unmarshallers.
 */
class AwsSecretsManagerKeyProviderTest {

  private static final KeyId KEY = KeyId.of("prod/payments/api");
  private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

  private final SecureRandom random = new SecureRandom();
  private MockWebServer server;
  private ListAppender<ILoggingEvent> logs;
  private final List<AwsSecretsManagerKeyProvider> providers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
    logs = new ListAppender<>();
    logs.start();
    Logger logger = (Logger) LoggerFactory.getLogger(AwsSecretsManagerKeyProvider.class);
    logger.setLevel(Level.DEBUG);
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(AwsSecretsManagerKeyProvider.class)).detachAppender(logs);
    providers.forEach(AwsSecretsManagerKeyProvider::close);
    server.close();
  }

  private String randomKey() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return "kg_" + HexFormat.of().formatHex(b);
  }

  private AwsSecretsManagerKeyProvider.Builder builder() {
    return AwsSecretsManagerKeyProvider.builder()
        .region(Region.EU_WEST_1)
        .endpointOverride(URI.create("http://127.0.0.1:" + server.getPort()))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create("keyguard-test", "keyguard-test-secret")))
        .timeSource(new FakeClock(NOW))
        .apiCallTimeout(Duration.ofSeconds(5))
        .clientCustomizer(
            b -> b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));
  }

  private AwsSecretsManagerKeyProvider provider(AwsSecretsManagerKeyProvider.Builder b) {
    AwsSecretsManagerKeyProvider p = b.build();
    providers.add(p);
    return p;
  }

  private void enqueueJson(int code, String json) {
    server.enqueue(
        new MockResponse.Builder()
            .code(code)
            .setHeader("Content-Type", "application/x-amz-json-1.1")
            .setHeader("x-amzn-RequestId", "req-" + server.getRequestCount())
            .body(json)
            .build());
  }

  private void enqueueError(String type, String message) {
    server.enqueue(
        new MockResponse.Builder()
            .code(400)
            .setHeader("Content-Type", "application/x-amz-json-1.1")
            .setHeader("x-amzn-RequestId", "req-err")
            .body("{\"__type\":\"" + type + "\",\"Message\":\"" + message + "\"}")
            .build());
  }

  private static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private void enqueueSecretString(String versionId, String value, String... stages) {
    enqueueJson(
        200,
        "{\"ARN\":\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-AbCdEf\","
            + "\"Name\":\"prod/payments/api\",\"VersionId\":\""
            + versionId
            + "\","
            + "\"SecretString\":"
            + jsonString(value)
            + ","
            + "\"VersionStages\":[\""
            + String.join("\",\"", stages.length == 0 ? new String[] {"AWSCURRENT"} : stages)
            + "\"],\"CreatedDate\":1.7640000E9}");
  }

  private void enqueueDescribe(String versionStagesJson, String tagsJson) {
    enqueueJson(
        200,
        "{\"ARN\":\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-AbCdEf\","
            + "\"Name\":\"prod/payments/api\",\"VersionIdsToStages\":"
            + versionStagesJson
            + (tagsJson == null ? "" : ",\"Tags\":" + tagsJson)
            + "}");
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r).as("a request reached the server").isNotNull();
    return r;
  }

  private static String target(RecordedRequest r) {
    return r.getHeaders().get("X-Amz-Target");
  }

  private static String body(RecordedRequest r) {
    return r.getBody() == null ? "" : r.getBody().string(StandardCharsets.UTF_8);
  }

  private void assertNowhere(String secret, Throwable t, Object... others) {
    StringWriter trace = new StringWriter();
    if (t != null) {
      t.printStackTrace(new PrintWriter(trace));
    }
    assertThat(trace.toString()).doesNotContain(secret);
    for (Object o : others) {
      assertThat(String.valueOf(o)).doesNotContain(secret);
    }
    for (ILoggingEvent e : logs.list) {
      assertThat(e.getFormattedMessage()).doesNotContain(secret);
    }
  }

  @Test
  void fetch_whenStringSecret_readsAwsCurrentByStageAndExposesVersionAndCreatedDate()
      throws Exception {
    String apiKey = randomKey();
    enqueueSecretString("a1b2c3d4-0000-4000-8000-000000000001", apiKey);
    AwsSecretsManagerKeyProvider provider = provider(builder());

    VersionedCredential credential = provider.fetch(KEY);

    assertThat(credential.apiKey().value(InsecureSecretAccess.get())).isEqualTo(apiKey);
    assertThat(credential.version()).isEqualTo("a1b2c3d4-0000-4000-8000-000000000001");
    assertThat(credential.createdAt()).contains(Instant.ofEpochSecond(1_764_000_000L));
    assertThat(credential.fetchedAt()).isEqualTo(NOW);
    assertThat(credential.apiSecret()).isEmpty();
    RecordedRequest request = take();
    assertThat(target(request)).isEqualTo("secretsmanager.GetSecretValue");
    assertThat(body(request))
        .contains("\"SecretId\":\"prod/payments/api\"", "\"VersionStage\":\"AWSCURRENT\"");
    assertNowhere(apiKey, null, credential, provider);
  }

  @Test
  void fetch_whenJsonSecret_mapsFieldsThroughTheConfiguredFieldMapping() {
    String apiKey = randomKey();
    String apiSecret = randomKey();
    enqueueSecretString(
        "v-json",
        "{\"key\":\""
            + apiKey
            + "\",\"secret\":\""
            + apiSecret
            + "\",\"scopes\":[\"read\",\"trade\"],\"environment\":\"prod\",\"createdAt\":\"2026-01-01T00:00:00Z\"}");
    AwsSecretsManagerKeyProvider provider =
        provider(
            builder()
                .fieldMapping(
                    CredentialFieldMapping.builder()
                        .apiKeyField("key")
                        .apiSecretField("secret")
                        .build()));

    VersionedCredential credential = provider.fetch(KEY);

    assertThat(credential.apiKey().value(InsecureSecretAccess.get())).isEqualTo(apiKey);
    assertThat(credential.apiSecret())
        .hasValueSatisfying(
            s -> assertThat(s.value(InsecureSecretAccess.get())).isEqualTo(apiSecret));
    assertThat(credential.scopes()).containsExactlyInAnyOrder("read", "trade");
    assertThat(credential.environment()).contains("prod");
    // the JSON's own createdAt (when the API key was issued) wins over the AWS version's
    // CreatedDate
    assertThat(credential.createdAt()).contains(Instant.parse("2026-01-01T00:00:00Z"));
    assertNowhere(apiKey, null, credential);
    assertNowhere(apiSecret, null, credential);
  }

  @Test
  void fetch_whenBinarySecret_decodesItAsUtf8Text() throws Exception {
    String apiKey = randomKey();
    String b64 =
        Base64.getEncoder()
            .encodeToString(("{\"apiKey\":\"" + apiKey + "\"}").getBytes(StandardCharsets.UTF_8));
    enqueueJson(
        200,
        "{\"Name\":\"prod/payments/api\",\"VersionId\":\"v-bin\",\"SecretBinary\":\""
            + b64
            + "\",\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.7640000E9}");

    VersionedCredential credential = provider(builder()).fetch(KEY);

    assertThat(credential.apiKey().value(InsecureSecretAccess.get())).isEqualTo(apiKey);
    assertThat(credential.version()).isEqualTo("v-bin");
  }

  @Test
  void fetch_whenBinarySecretIsNotUtf8_throwsMalformedNamingKeyAndVersion() {
    byte[] raw = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, 0x41, 0x42};
    enqueueJson(
        200,
        "{\"Name\":\"prod/payments/api\",\"VersionId\":\"v-raw\",\"SecretBinary\":\""
            + Base64.getEncoder().encodeToString(raw)
            + "\",\"VersionStages\":[\"AWSCURRENT\"]}");

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> provider(builder()).fetch(KEY));

    assertThat(e.getMessage()).contains("prod/payments/api", "UTF-8", "v-raw");
    assertThat(e.version()).contains("v-raw");
  }

  @Test
  void fetch_whenJsonLacksTheApiKeyField_throwsMalformedWithoutEchoingTheValue() {
    String other = randomKey();
    enqueueSecretString("v-bad", "{\"token\":\"" + other + "\"}");

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> provider(builder()).fetch(KEY));

    assertThat(e.getMessage()).contains("apiKey", "v-bad");
    assertNowhere(other, e);
  }

  @Test
  void fetch_whenAccessDenied_throwsDeniedNamingThePermission() {
    enqueueError(
        "AccessDeniedException",
        "User: arn:aws:sts::123456789012:assumed-role/app/i-1 is not authorized to perform:"
            + " secretsmanager:GetSecretValue on resource: prod/payments/api because no identity-based policy allows"
            + " the secretsmanager:GetSecretValue action");

    KeyAccessDeniedException e =
        catchThrowableOfType(KeyAccessDeniedException.class, () -> provider(builder()).fetch(KEY));

    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage())
        .contains("IAM permission secretsmanager:GetSecretValue", "prod/payments/api", "req-err");
  }

  @Test
  void fetch_whenKmsAccessDenied_throwsDeniedNamingKmsDecrypt() {
    enqueueError("AccessDeniedException", "Access to KMS is not allowed");

    KeyAccessDeniedException e =
        catchThrowableOfType(KeyAccessDeniedException.class, () -> provider(builder()).fetch(KEY));

    assertThat(e.getMessage()).contains("kms:Decrypt");
  }

  @Test
  void fetch_whenDecryptionFailure_throwsDeniedNamingKmsDecrypt() {
    enqueueError(
        "DecryptionFailure",
        "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");

    KeyAccessDeniedException e =
        catchThrowableOfType(KeyAccessDeniedException.class, () -> provider(builder()).fetch(KEY));

    assertThat(e.getMessage()).contains("kms:Decrypt");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void fetch_whenSecretMissing_throwsNotFound() {
    enqueueError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");

    KeyNotFoundException e =
        catchThrowableOfType(KeyNotFoundException.class, () -> provider(builder()).fetch(KEY));

    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains("prod/payments/api", "AWSCURRENT");
  }

  @Test
  void fetch_whenThrottled_throwsRetryableUnavailable() {
    enqueueError("ThrottlingException", "Rate exceeded");

    KeyProviderUnavailableException e =
        catchThrowableOfType(
            KeyProviderUnavailableException.class, () -> provider(builder()).fetch(KEY));

    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void fetch_whenServerError_throwsRetryableUnavailable() {
    enqueueJson(
        500,
        "{\"__type\":\"InternalServiceError\",\"Message\":\"An error occurred on the server side.\"}");

    assertThatThrownBy(() -> provider(builder()).fetch(KEY))
        .isInstanceOf(KeyProviderUnavailableException.class);
  }

  /** The provider as a user builds it: no retry strategy of the test's own. */
  private AwsSecretsManagerKeyProvider.Builder plainBuilder() {
    return AwsSecretsManagerKeyProvider.builder()
        .region(Region.EU_WEST_1)
        .endpointOverride(URI.create("http://127.0.0.1:" + server.getPort()))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create("keyguard-test", "keyguard-test-secret")))
        .timeSource(new FakeClock(NOW));
  }

  @Test
  void fetch_whenServerErrorsRepeat_makesOneHttpAttemptPerFetch() {
    for (int i = 0; i < 4; i++) {
      enqueueJson(500, "{\"__type\":\"InternalServiceError\",\"Message\":\"try again\"}");
    }

    assertThatThrownBy(() -> provider(plainBuilder()).fetch(KEY))
        .isInstanceOf(KeyProviderUnavailableException.class);

    assertThat(server.getRequestCount())
        .as("the key manager's backoff is the retry policy, not the SDK's retries")
        .isEqualTo(1);
  }

  @Test
  void fetch_whenTheCustomizerChoosesARetryStrategy_keepsTheSdkRetries() {
    for (int i = 0; i < 4; i++) {
      enqueueJson(500, "{\"__type\":\"InternalServiceError\",\"Message\":\"try again\"}");
    }

    assertThatThrownBy(
            () ->
                provider(
                        plainBuilder()
                            .clientCustomizer(
                                b ->
                                    b.overrideConfiguration(
                                        o ->
                                            o.retryStrategy(
                                                AwsRetryStrategy.standardRetryStrategy()))))
                    .fetch(KEY))
        .isInstanceOf(KeyProviderUnavailableException.class);

    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void fetch_whenTheCustomizerReplacesTheOverrideConfiguration_theCallTimeoutStillBoundsATrickle() {
    // 8 bytes every 200 ms: each read succeeds, so only the call timeout can end the call
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/x-amz-json-1.1")
            .body(
                "{\"Padding\":\""
                    + "p".repeat(240)
                    + "\",\"Name\":\"prod/payments/api\",\"VersionId\":\"v1\",\"SecretString\":\"x\"}")
            .throttleBody(8, 200, TimeUnit.MILLISECONDS)
            .build());
    List<String> seen = new ArrayList<>();
    AwsSecretsManagerKeyProvider provider =
        provider(
            plainBuilder()
                .apiCallTimeout(Duration.ofMillis(500))
                .clientCustomizer(
                    // the SDK's overrideConfiguration(...) replaces, it does not merge
                    b ->
                        b.overrideConfiguration(
                            o ->
                                o.addExecutionInterceptor(
                                    new ExecutionInterceptor() {
                                      @Override
                                      public void beforeTransmission(
                                          Context.BeforeTransmission context,
                                          ExecutionAttributes attributes) {
                                        seen.add("sent");
                                      }
                                    }))));
    long start = System.nanoTime();

    assertThatThrownBy(() -> provider.fetch(KEY))
        .isInstanceOf(KeyProviderUnavailableException.class);

    // the body alone takes about 8 s to trickle in
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(seen).as("the customizer's interceptor ran").containsExactly("sent");
  }

  @Test
  void fetch_whenEndpointDown_throwsRetryableUnavailable() {
    AwsSecretsManagerKeyProvider provider = provider(builder());
    server.close();

    KeyProviderUnavailableException e =
        catchThrowableOfType(KeyProviderUnavailableException.class, () -> provider.fetch(KEY));

    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getCause()).isNotNull();
  }

  @Test
  void fetch_whenSuccessResponseIsNotJson_neverQuotesTheBody() {
    String leaked = randomKey();
    enqueueJson(
        200,
        "{\"Name\":\"prod/payments/api\",\"VersionId\":\"v1\",\"SecretString\":\""
            + leaked
            + "\" garbage");

    KeyProviderUnavailableException e =
        catchThrowableOfType(
            KeyProviderUnavailableException.class, () -> provider(builder()).fetch(KEY));

    assertNowhere(leaked, e);
  }

  @Test
  void fetch_withVersionCheck_downloadsTheValueOnlyWhenTheVersionChanged() throws Exception {
    String first = randomKey();
    String second = randomKey();
    AwsSecretsManagerKeyProvider provider = provider(builder().versionCheck(true));

    enqueueDescribe("{\"v1\":[\"AWSCURRENT\"]}", null);
    enqueueSecretString("v1", first);
    VersionedCredential one = provider.fetch(KEY);
    enqueueDescribe("{\"v1\":[\"AWSCURRENT\"]}", null);
    VersionedCredential again = provider.fetch(KEY);
    enqueueDescribe("{\"v1\":[\"AWSPREVIOUS\"],\"v2\":[\"AWSCURRENT\"]}", null);
    enqueueSecretString("v2", second);
    VersionedCredential two = provider.fetch(KEY);

    assertThat(server.getRequestCount()).isEqualTo(5);
    assertThat(target(take())).isEqualTo("secretsmanager.DescribeSecret");
    RecordedRequest get1 = take();
    assertThat(target(get1)).isEqualTo("secretsmanager.GetSecretValue");
    assertThat(body(get1)).contains("\"VersionId\":\"v1\"");
    assertThat(target(take())).isEqualTo("secretsmanager.DescribeSecret");
    assertThat(target(take())).isEqualTo("secretsmanager.DescribeSecret");
    assertThat(body(take())).contains("\"VersionId\":\"v2\"");
    assertThat(one.version()).isEqualTo("v1");
    assertThat(again.sameVersionAs(one)).isTrue();
    assertThat(again.apiKey().equalsSecret(one.apiKey())).isTrue();
    assertThat(two.version()).isEqualTo("v2");
    assertThat(two.apiKey().value(InsecureSecretAccess.get())).isEqualTo(second);
  }

  @Test
  void fetch_withVersionCheck_whenNoVersionInTheStage_throwsNotFound() {
    enqueueDescribe("{\"v1\":[\"AWSPENDING\"]}", null);

    KeyNotFoundException e =
        catchThrowableOfType(
            KeyNotFoundException.class, () -> provider(builder().versionCheck(true)).fetch(KEY));

    assertThat(e.getMessage()).contains("no version in stage AWSCURRENT");
  }

  @Test
  void fetch_whenSecretScheduledForDeletion_throwsNotFound() {
    enqueueJson(
        200,
        "{\"Name\":\"prod/payments/api\",\"DeletedDate\":1.7640000E9,\"VersionIdsToStages\":{\"v1\":[\"AWSCURRENT\"]}}");

    KeyNotFoundException e =
        catchThrowableOfType(
            KeyNotFoundException.class, () -> provider(builder().versionCheck(true)).fetch(KEY));

    assertThat(e.getMessage()).contains("scheduled for deletion", "restore");
  }

  @Test
  void fetch_withTags_takesScopesAndEnvironmentFromTagsWhereTheValueHasNone() {
    enqueueDescribe(
        "{\"v1\":[\"AWSCURRENT\"]}",
        "[{\"Key\":\"keyguard:scopes\",\"Value\":\"read trade\"},{\"Key\":\"keyguard:environment\",\"Value\":\"staging\"},"
            + "{\"Key\":\"team\",\"Value\":\"payments\"}]");
    enqueueSecretString("v1", randomKey());

    VersionedCredential credential = provider(builder().readTags(true)).fetch(KEY);

    assertThat(credential.scopes()).containsExactlyInAnyOrder("read", "trade");
    assertThat(credential.environment()).contains("staging");
    assertThat(server.getRequestCount())
        .as("readTags implies the version check: describe + one get")
        .isEqualTo(2);
  }

  @Test
  void fetch_withCustomTagNames_readsThoseTags() {
    enqueueDescribe(
        "{\"v1\":[\"AWSCURRENT\"]}",
        "[{\"Key\":\"env\",\"Value\":\"prod\"},{\"Key\":\"perm\",\"Value\":\"read\"}]");
    enqueueSecretString("v1", "{\"apiKey\":\"" + randomKey() + "\",\"environment\":\"dev\"}");

    VersionedCredential credential =
        provider(builder().readTags(true).environmentTag("env").scopesTag("perm")).fetch(KEY);

    assertThat(credential.environment())
        .as("the value's own field wins over the tag")
        .contains("dev");
    assertThat(credential.scopes()).containsExactly("read");
  }

  @Test
  void fetchAlternates_returnsTheAwsPendingVersion() throws Exception {
    String pending = randomKey();
    enqueueSecretString("v2", pending, "AWSPENDING");

    List<VersionedCredential> alternates = provider(builder()).fetchAlternates(KEY);

    assertThat(alternates)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.version()).isEqualTo("v2");
              assertThat(c.apiKey().value(InsecureSecretAccess.get())).isEqualTo(pending);
            });
    assertThat(body(take())).contains("\"VersionStage\":\"AWSPENDING\"");
  }

  @Test
  void fetchAlternates_whenNoPendingVersion_returnsEmpty() {
    enqueueError(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: AWSPENDING");

    assertThat(provider(builder()).fetchAlternates(KEY)).isEmpty();
  }

  @Test
  void fetchAlternates_withSeveralStages_readsThemInOrderAndSkipsDuplicates() throws Exception {
    enqueueSecretString("v3", randomKey(), "AWSPENDING");
    enqueueSecretString("v1", randomKey(), "AWSPREVIOUS");

    List<VersionedCredential> alternates =
        provider(builder().alternateStages("AWSPENDING", "AWSPREVIOUS")).fetchAlternates(KEY);

    assertThat(alternates).extracting(VersionedCredential::version).containsExactly("v3", "v1");
    assertThat(body(take())).contains("AWSPENDING");
    assertThat(body(take())).contains("AWSPREVIOUS");
  }

  @Test
  void fetchAlternates_whenTurnedOff_makesNoCall() {
    assertThat(provider(builder().noAlternates()).fetchAlternates(KEY)).isEmpty();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void fetchAlternates_withVersionCheck_skipsAPendingStageOnTheCurrentVersion() {
    enqueueDescribe("{\"v1\":[\"AWSCURRENT\",\"AWSPENDING\"]}", null);

    assertThat(provider(builder().versionCheck(true)).fetchAlternates(KEY)).isEmpty();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void fetchAlternates_whenDenied_throwsDenied() {
    enqueueError(
        "AccessDeniedException", "not authorized to perform: secretsmanager:GetSecretValue");

    assertThatThrownBy(() -> provider(builder()).fetchAlternates(KEY))
        .isInstanceOf(KeyAccessDeniedException.class);
  }

  @Test
  void endpointOverride_whenCleartextToARemoteHost_isRejected() {
    assertThatThrownBy(
            () ->
                AwsSecretsManagerKeyProvider.builder()
                    .endpointOverride(URI.create("http://secrets.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
    assertThatThrownBy(
            () ->
                AwsSecretsManagerKeyProvider.builder()
                    .endpointOverride(URI.create("ftp://127.0.0.1")))
        .isInstanceOf(IllegalArgumentException.class);
    AwsSecretsManagerKeyProvider.builder()
        .endpointOverride(URI.create("https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com"))
        .endpointOverride(URI.create("http://localhost:4566"))
        .endpointOverride(URI.create("http://[::1]:4566"));
  }

  @Test
  void build_whenClientGivenWithClientSettings_namesTheConflict() {
    try (SecretsManagerClient client =
        SecretsManagerClient.builder()
            .region(Region.EU_WEST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .httpClientBuilder(
                software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
            .build()) {
      assertThatThrownBy(
              () ->
                  AwsSecretsManagerKeyProvider.builder()
                      .client(client)
                      .region(Region.US_EAST_1)
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("region");
    }
  }

  @Test
  void build_whenTagNamesSetWithoutReadTags_fails() {
    assertThatThrownBy(() -> builder().scopesTag("perm").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("readTags(true)");
  }

  @Test
  void build_whenCurrentStageIsAlsoAnAlternate_fails() {
    assertThatThrownBy(() -> builder().versionStage("AWSPENDING").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("AWSPENDING");
  }

  @Test
  void builder_rejectsBadSettingsWhenSet() {
    AwsSecretsManagerKeyProvider.Builder b = AwsSecretsManagerKeyProvider.builder();
    assertThatThrownBy(() -> b.apiCallTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.connectTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.versionStage(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.alternateStages("AWSPENDING", "AWSPENDING"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.scopesTag("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void close_closesOnlyAClientItBuilt() {
    try (SecretsManagerClient callers =
        SecretsManagerClient.builder()
            .region(Region.EU_WEST_1)
            .endpointOverride(URI.create("http://127.0.0.1:" + server.getPort()))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .httpClientBuilder(
                software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
            .build()) {
      AwsSecretsManagerKeyProvider.builder().client(callers).build().close();
      enqueueSecretString("v1", randomKey());
      AwsSecretsManagerKeyProvider second =
          provider(AwsSecretsManagerKeyProvider.builder().client(callers));

      assertThat(second.fetch(KEY).version()).as("the caller's client still works").isEqualTo("v1");
    }
    AwsSecretsManagerKeyProvider own = builder().build();
    own.close();
    assertThatThrownBy(() -> own.fetch(KEY)).isInstanceOf(RuntimeException.class);
  }

  @Test
  void toString_showsSettingsOnly() {
    AwsSecretsManagerKeyProvider provider = provider(builder().versionCheck(true));

    assertThat(provider.toString())
        .contains("AWSCURRENT", "AWSPENDING", "versionCheck=true", "eu-west-1");
    assertThat(provider.name()).isEqualTo("aws-secrets-manager");
  }

  @Test
  void everyFailure_neverEchoesTheSecretString() {
    String apiKey = randomKey();
    enqueueSecretString("v-ok", apiKey);
    AwsSecretsManagerKeyProvider provider = provider(builder());
    VersionedCredential credential = provider.fetch(KEY);
    // a vendor message that quotes a live key is scrubbed by the Redactor once the key is
    // registered
    dev.keyguard.Redactor.global().register(credential.apiKey());
    enqueueError("AccessDeniedException", "not authorized for value " + apiKey);

    KeyGuardException e = catchThrowableOfType(KeyGuardException.class, () -> provider.fetch(KEY));

    assertThat(e.getMessage()).doesNotContain(apiKey);
    assertNowhere(apiKey, null, credential, provider);
  }
}
