package dev.keyguard.aws;

import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * A {@link KeyProvider} that reads keys from AWS Secrets Manager. The key id is the secret's name
 * or ARN.
 *
 * <h2>What it reads</h2>
 *
 * <ul>
 *   <li>{@link #fetch(KeyId)} reads the version in stage {@code AWSCURRENT} (configurable) and uses
 *       its AWS version id as the credential's version, so a rotation is seen as a new version. It
 *       always names the stage or the version id in the request: it never relies on the service's
 *       default stage.
 *   <li>{@link #fetchAlternates(KeyId)} reads the versions in the alternate stages (default {@code
 *       AWSPENDING}) for rotation windows: while a rotation is under way the API may already accept
 *       the pending key, or only it. The key manager asks for alternates only after the API
 *       rejected the current key.
 *   <li>String and binary secrets. Either holds a plain API key, or a JSON object mapped to the
 *       credential's parts by the shared {@link CredentialFieldMapping} ({@code {"apiKey": "…",
 *       "apiSecret": "…"}} by default). A binary secret must be UTF-8 text.
 *   <li>{@code createdAt} is the version's {@code CreatedDate} unless the JSON value has its own.
 *   <li>With {@link Builder#readTags(boolean)}, the secret's tags {@code keyguard:scopes}
 *       (space-separated: AWS tag values may not contain commas) and {@code keyguard:environment}
 *       give the scopes and environment where the JSON value does not.
 * </ul>
 *
 * <h2>Calls to AWS, and what they cost</h2>
 *
 * <p>AWS bills Secrets Manager per API call ({@code GetSecretValue} and {@code DescribeSecret}
 * alike), and with a customer-managed KMS key every {@code GetSecretValue} also makes a billed
 * {@code kms:Decrypt} call that counts against the KMS request quota. The provider makes the
 * following calls per {@code fetch}. The {@link dev.keyguard.key.KeyManager} fetches each key once
 * per refresh period {@code R} ({@code refreshAfter}, default 5 minutes, jittered ±10 %), so that
 * is {@code 3600 s / R} fetches per key per hour and per instance of the application: 12 at the
 * default. Callers never multiply it: all threads share one fetch per key. Cold start adds one
 * fetch, a rejected key one forced refresh and one {@code fetchAlternates}.
 *
 * <table>
 *   <caption>Calls per fetch</caption>
 *   <tr><th>settings</th><th>calls per fetch</th><th>per key per hour, R = 5 min</th></tr>
 *   <tr><td>default (no tags, no version check)</td><td>1 {@code GetSecretValue}</td>
 *       <td>12 {@code GetSecretValue}</td></tr>
 *   <tr><td>{@code versionCheck(true)}</td><td>1 {@code DescribeSecret}, plus 1 {@code
 *       GetSecretValue} when the version changed</td><td>12 {@code DescribeSecret} + 1 {@code
 *       GetSecretValue} per rotation</td></tr>
 *   <tr><td>{@code readTags(true)} (implies the version check)</td><td>same as the version
 *       check</td><td>same</td></tr>
 *   <tr><td>{@code readTags(true)}, {@code versionCheck(false)}</td><td>1 {@code DescribeSecret} +
 *       1 {@code GetSecretValue}</td><td>24</td></tr>
 * </table>
 *
 * <p>So the metadata check does not lower the number of Secrets Manager calls by itself: it swaps a
 * {@code GetSecretValue} for a {@code DescribeSecret} and adds one call per rotation. It saves work
 * when {@code DescribeSecret} is made anyway (tags are read: without the check every refresh would
 * make both calls), and it saves the {@code kms:Decrypt} behind every unchanged re-read when the
 * secret uses a customer-managed KMS key. It also keeps the secret value off the wire and out of
 * memory on refreshes that find nothing new, and it needs the extra permission {@code
 * secretsmanager:DescribeSecret}; hence it is off by default and on when tags are read. {@code
 * fetchAlternates} makes one call per alternate stage (or one {@code DescribeSecret} plus one
 * {@code GetSecretValue} per alternate that exists, with the version check); it runs only after the
 * API rejected a key.
 *
 * <h2>Permissions</h2>
 *
 * {@code secretsmanager:GetSecretValue} on the secret; {@code secretsmanager:DescribeSecret} with
 * the version check or tags; {@code kms:Decrypt} on the secret's KMS key if it is a
 * customer-managed key.
 *
 * <h2>Errors</h2>
 *
 * <ul>
 *   <li>no such secret, or no version in the stage: {@link KeyNotFoundException};
 *   <li>access denied, invalid AWS credentials, KMS decryption failure: {@link
 *       dev.keyguard.KeyAccessDeniedException}, not retryable, naming the missing permission;
 *   <li>throttling, HTTP 5xx, network failures and timeouts: {@link
 *       dev.keyguard.KeyProviderUnavailableException}, retryable;
 *   <li>a value that is not a usable credential: {@link MalformedSecretException}.
 * </ul>
 *
 * No message ever holds the secret value; the SDK exception is kept as the cause (except for a
 * response that could not be parsed, whose text may quote the secret).
 *
 * <h2>HTTP client</h2>
 *
 * When the provider builds its own {@link SecretsManagerClient}, it uses the JDK's {@code
 * HttpURLConnection} ({@code url-connection-client}): a few calls per key per hour need no
 * connection pool, and the jar adds no third-party HTTP stack. The module excludes the Apache and
 * Netty clients the AWS service module brings by default. A caller that wants another HTTP client
 * passes its own {@code SecretsManagerClient}.
 *
 * <h2>Example</h2>
 *
 * <pre>{@code
 * AwsSecretsManagerKeyProvider provider = AwsSecretsManagerKeyProvider.builder()
 *     .region(Region.EU_WEST_1)              // default: the SDK's region chain (AWS_REGION, profile, IMDS)
 *     .build();                              // credentials: the SDK's default credential chain
 * KeyManager keys = KeyManager.builder().provider(provider).build();
 * ManagedKey marketData = keys.key("prod/market-data/api-key");   // the secret's name or ARN
 * keys.awaitReady(Duration.ofSeconds(10));
 * VersionedCredential credential = marketData.current();          // version = the AWS version id
 * // on shutdown: keys.close(); provider.close();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. {@link #close()} closes the {@code
 * SecretsManagerClient} if the provider built it, and never one the caller passed in.
 */
public final class AwsSecretsManagerKeyProvider implements KeyProvider, AutoCloseable {

  /** The stage AWS gives the version in use. */
  public static final String AWSCURRENT = "AWSCURRENT";

  /** The stage AWS gives the version a rotation is putting in place. */
  public static final String AWSPENDING = "AWSPENDING";

  /** The stage AWS gives the version that was current before the last rotation. */
  public static final String AWSPREVIOUS = "AWSPREVIOUS";

  /** The default tag that carries the scopes, space-separated. */
  public static final String DEFAULT_SCOPES_TAG = "keyguard:scopes";

  /** The default tag that carries the environment ({@code prod}, {@code dev}, …). */
  public static final String DEFAULT_ENVIRONMENT_TAG = "keyguard:environment";

  private static final Logger LOG = LoggerFactory.getLogger(AwsSecretsManagerKeyProvider.class);

  private final SecretsManagerClient client;
  private final boolean ownsClient;
  private final String versionStage;
  private final List<String> alternateStages;
  private final CredentialFieldMapping mapping;
  private final boolean readTags;
  private final String scopesTag;
  private final String environmentTag;
  private final boolean versionCheck;
  private final TimeSource time;
  private final String description;

  /** With the version check: the last value read per key, reused while its version is current. */
  private final Map<KeyId, VersionedCredential> lastRead = new ConcurrentHashMap<>();

  private AwsSecretsManagerKeyProvider(Builder b, SecretsManagerClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.versionStage = b.versionStage;
    this.alternateStages = List.copyOf(b.alternateStages);
    this.mapping = b.mapping;
    this.readTags = b.readTags;
    this.scopesTag = b.scopesTag;
    this.environmentTag = b.environmentTag;
    this.versionCheck = b.versionCheck != null ? b.versionCheck : b.readTags;
    this.time = b.timeSource;
    this.description =
        "AwsSecretsManagerKeyProvider[stage="
            + versionStage
            + ", alternates="
            + alternateStages
            + ", versionCheck="
            + versionCheck
            + ", readTags="
            + readTags
            + (b.region != null ? ", region=" + b.region.id() : "")
            + (b.endpointOverride != null ? ", endpoint=" + b.endpointOverride : "")
            + (ownsClient ? "" : ", client=caller's")
            + "]";
  }

  /**
   * Starts a provider.
   *
   * @return a builder with the defaults: the SDK's default credential chain and region, stage
   *     {@code AWSCURRENT}, alternate stage {@code AWSPENDING}, the default field mapping, no tags,
   *     no version check
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the version in the configured stage ({@code AWSCURRENT} by default).
   *
   * <p>Blocking: one or two calls to AWS, see the class documentation. With the version check, a
   * version already read is not downloaded again.
   *
   * @param keyId the secret's name or ARN
   * @return the credential, with the AWS version id as its version
   * @throws KeyNotFoundException if there is no such secret, no version in the stage, or the secret
   *     is scheduled for deletion
   * @throws dev.keyguard.KeyAccessDeniedException if AWS denies the call or cannot decrypt the
   *     value; the message names the missing permission
   * @throws dev.keyguard.KeyProviderUnavailableException if AWS throttles, fails or cannot be
   *     reached
   * @throws MalformedSecretException if the value is not a usable credential
   */
  @Override
  public VersionedCredential fetch(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    if (!versionCheck) {
      DescribeSecretResponse metadata = readTags ? describe(keyId) : null;
      VersionedCredential read = getByStage(keyId, versionStage);
      return withTags(read, metadata);
    }
    DescribeSecretResponse metadata = describe(keyId);
    String versionId = versionInStage(metadata, versionStage);
    if (versionId == null) {
      lastRead.remove(keyId);
      throw new KeyNotFoundException(
          "AWS Secrets Manager secret '"
              + keyId
              + "' has no version in stage "
              + versionStage
              + ": put a value (aws secretsmanager put-secret-value) or finish the rotation",
          keyId);
    }
    VersionedCredential previous = lastRead.get(keyId);
    VersionedCredential read;
    if (previous != null && previous.version().equals(versionId)) {
      LOG.debug("key '{}': version {} unchanged, value not downloaded again", keyId, versionId);
      read = previous.toBuilder().fetchedAt(time.now()).build();
    } else {
      read = getByVersionId(keyId, versionId);
      lastRead.put(keyId, read);
    }
    return withTags(read, metadata);
  }

  /**
   * Reads the versions in the alternate stages ({@code AWSPENDING} by default), in the configured
   * order; stages that hold no version, or the same version as the current stage, are left out.
   *
   * @param keyId the secret's name or ARN
   * @return the alternate credentials, in the configured stage order; empty if none
   * @throws dev.keyguard.KeyAccessDeniedException if AWS denies the call
   * @throws dev.keyguard.KeyProviderUnavailableException if AWS throttles, fails or cannot be
   *     reached
   * @throws MalformedSecretException if an alternate value is not a usable credential
   */
  @Override
  public List<VersionedCredential> fetchAlternates(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    if (alternateStages.isEmpty()) {
      return List.of();
    }
    List<VersionedCredential> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    if (versionCheck) {
      DescribeSecretResponse metadata;
      try {
        metadata = describe(keyId);
      } catch (KeyNotFoundException e) {
        return List.of();
      }
      String current = versionInStage(metadata, versionStage);
      if (current != null) {
        seen.add(current);
      }
      for (String stage : alternateStages) {
        String versionId = versionInStage(metadata, stage);
        if (versionId != null && seen.add(versionId)) {
          try {
            out.add(withTags(getByVersionId(keyId, versionId), metadata));
          } catch (KeyNotFoundException e) {
            LOG.debug("key '{}': version {} in stage {} vanished", keyId, versionId, stage);
          }
        }
      }
    } else {
      DescribeSecretResponse metadata = null;
      for (String stage : alternateStages) {
        VersionedCredential alternate;
        try {
          alternate = getByStage(keyId, stage);
        } catch (KeyNotFoundException e) {
          LOG.debug("key '{}': no version in stage {}", keyId, stage);
          continue;
        }
        if (seen.add(alternate.version())) {
          if (readTags && metadata == null) {
            metadata = describe(keyId);
          }
          out.add(withTags(alternate, metadata));
        }
      }
    }
    LOG.debug("key '{}': {} alternate version(s) in stages {}", keyId, out.size(), alternateStages);
    return List.copyOf(out);
  }

  /** Returns {@code aws-secrets-manager}. */
  @Override
  public String name() {
    return "aws-secrets-manager";
  }

  /**
   * Closes the {@link SecretsManagerClient} if this provider built it; a client the caller passed
   * in stays open.
   */
  @Override
  public void close() {
    lastRead.clear();
    if (ownsClient) {
      client.close();
    }
  }

  /** Returns the settings; never a secret. */
  @Override
  public String toString() {
    return description;
  }

  private VersionedCredential getByStage(KeyId keyId, String stage) {
    GetSecretValueRequest request =
        GetSecretValueRequest.builder().secretId(keyId.value()).versionStage(stage).build();
    return read(keyId, request, "stage " + stage);
  }

  private VersionedCredential getByVersionId(KeyId keyId, String versionId) {
    GetSecretValueRequest request =
        GetSecretValueRequest.builder().secretId(keyId.value()).versionId(versionId).build();
    return read(keyId, request, "version " + versionId);
  }

  private VersionedCredential read(KeyId keyId, GetSecretValueRequest request, String target) {
    GetSecretValueResponse response;
    try {
      response = client.getSecretValue(request);
    } catch (SdkException | CleartextRefusal.Refused e) {
      throw AwsErrors.map(e, keyId, "GetSecretValue", target);
    }
    String versionId = response.versionId();
    if (versionId == null || versionId.isBlank()) {
      throw new KeyGuardException(
          "AWS Secrets Manager returned no version id for key '" + keyId + "' (" + target + ")",
          null,
          keyId,
          null,
          true);
    }
    VersionedCredential.Builder builder;
    try {
      builder = parse(keyId, response, target);
    } catch (MalformedSecretException e) {
      throw new MalformedSecretException(
          e.getMessage() + " (AWS version " + versionId + ")", null, keyId, versionId);
    }
    VersionedCredential credential = builder.version(versionId).fetchedAt(time.now()).build();
    if (credential.createdAt().isEmpty() && response.createdDate() != null) {
      credential = credential.toBuilder().createdAt(response.createdDate()).build();
    }
    LOG.debug("key '{}': read version {} ({})", keyId, versionId, target);
    return credential;
  }

  private VersionedCredential.Builder parse(
      KeyId keyId, GetSecretValueResponse response, String target) {
    if (response.secretString() != null) {
      return mapping.parse(keyId, response.secretString());
    }
    SdkBytes binary = response.secretBinary();
    if (binary != null) {
      byte[] bytes = binary.asByteArray();
      try {
        return mapping.parse(keyId, bytes);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
    throw new MalformedSecretException(
        "AWS Secrets Manager secret '"
            + keyId
            + "' ("
            + target
            + ") has neither SecretString nor SecretBinary",
        keyId);
  }

  private DescribeSecretResponse describe(KeyId keyId) {
    DescribeSecretResponse response;
    try {
      response =
          client.describeSecret(DescribeSecretRequest.builder().secretId(keyId.value()).build());
    } catch (SdkException | CleartextRefusal.Refused e) {
      throw AwsErrors.map(e, keyId, "DescribeSecret", "metadata");
    }
    if (response.deletedDate() != null) {
      lastRead.remove(keyId);
      throw new KeyNotFoundException(
          "secret '"
              + keyId
              + "' is scheduled for deletion in AWS Secrets Manager (since "
              + response.deletedDate()
              + "): restore it (aws secretsmanager restore-secret) or"
              + " point the key id at another secret",
          keyId);
    }
    return response;
  }

  private static @Nullable String versionInStage(DescribeSecretResponse metadata, String stage) {
    if (!metadata.hasVersionIdsToStages()) {
      return null;
    }
    for (Map.Entry<String, List<String>> e : metadata.versionIdsToStages().entrySet()) {
      if (e.getValue() != null && e.getValue().contains(stage)) {
        return e.getKey();
      }
    }
    return null;
  }

  private VersionedCredential withTags(
      VersionedCredential read, @Nullable DescribeSecretResponse metadata) {
    if (!readTags || metadata == null || !metadata.hasTags()) {
      return read;
    }
    String scopesValue = null;
    String environmentValue = null;
    for (Tag tag : metadata.tags()) {
      if (scopesTag.equals(tag.key())) {
        scopesValue = tag.value();
      } else if (environmentTag.equals(tag.key())) {
        environmentValue = tag.value();
      }
    }
    VersionedCredential.Builder b = read.toBuilder();
    if (read.scopes().isEmpty() && scopesValue != null) {
      List<String> scopes = new ArrayList<>();
      for (String s : scopesValue.split("[\\s,]+")) {
        if (!s.isEmpty()) {
          scopes.add(s);
        }
      }
      b.scopes(scopes);
    }
    if (read.environment().isEmpty() && environmentValue != null && !environmentValue.isBlank()) {
      b.environment(environmentValue.strip());
    }
    return b.build();
  }

  /**
   * Builds an {@link AwsSecretsManagerKeyProvider}. Each setting is checked when it is set; when a
   * setting is called more than once, the last call wins; {@link #build()} rejects conflicting
   * settings. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable SecretsManagerClient client;
    private @Nullable Region region;
    private @Nullable URI endpointOverride;
    private @Nullable AwsCredentialsProvider credentialsProvider;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration apiCallTimeout = Duration.ofSeconds(10);
    private boolean timeoutsSet;
    private @Nullable Consumer<SecretsManagerClientBuilder> clientCustomizer;
    private String versionStage = AWSCURRENT;
    private List<String> alternateStages = List.of(AWSPENDING);
    private CredentialFieldMapping mapping = CredentialFieldMapping.defaults();
    private boolean readTags;
    private String scopesTag = DEFAULT_SCOPES_TAG;
    private String environmentTag = DEFAULT_ENVIRONMENT_TAG;
    private boolean tagNamesSet;
    private @Nullable Boolean versionCheck;
    private TimeSource timeSource = TimeSource.system();
    private final Set<String> cleartextHostsForTesting = new LinkedHashSet<>();

    private Builder() {}

    /**
     * Uses a client the caller built and owns (for its own HTTP client, retry policy, metrics or
     * credentials). The provider never closes it. Conflicts with {@link #region(Region)}, {@link
     * #endpointOverride(URI)}, {@link #credentialsProvider(AwsCredentialsProvider)}, the timeouts
     * and {@link #clientCustomizer(Consumer)}, which configure a client the provider builds.
     *
     * <p>{@link #build()} refuses a client whose endpoint override is cleartext (http to anything
     * but a loopback address), but the provider cannot add its last check before each request to a
     * client it did not build: an endpoint provider or an interceptor of yours that sends a request
     * over http is yours to keep from doing so. Prefer {@link #clientCustomizer(Consumer)} where it
     * can do what you need.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(SecretsManagerClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Sets the region (default: the SDK's region chain: {@code AWS_REGION}, the profile, the
     * instance metadata).
     *
     * @param region the region
     * @return this builder
     */
    public Builder region(Region region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * Sends requests to another endpoint: a VPC interface endpoint, a FIPS endpoint, or a local
     * emulator in tests. It must use {@code https}, except on a loopback address ({@code
     * localhost}, {@code 127.x.x.x}, {@code [::1]}), where {@code http} is allowed for emulators.
     *
     * @param endpoint the endpoint URI, such as {@code
     *     https://vpce-0123-abcd.secretsmanager.eu-west-1.vpce.amazonaws.com}
     * @return this builder
     * @throws IllegalArgumentException if the URI is not absolute, or uses {@code http} on a host
     *     that is not a loopback address
     */
    public Builder endpointOverride(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      String scheme =
          endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
      if (!endpoint.isAbsolute() || endpoint.getHost() == null) {
        throw new IllegalArgumentException(
            "endpointOverride must be an absolute URI with a host: " + endpoint);
      }
      if (scheme.equals("http")) {
        if (!CleartextRefusal.isLoopback(endpoint.getHost())) {
          throw new IllegalArgumentException(
              "endpointOverride must use https: secrets would cross the network in cleartext"
                  + " (http is allowed only on a loopback address, for emulators): "
                  + endpoint);
        }
      } else if (!scheme.equals("https")) {
        throw new IllegalArgumentException("endpointOverride must use https: " + endpoint);
      }
      this.endpointOverride = endpoint;
      return this;
    }

    /**
     * Sets the AWS credentials (default: the SDK's default credential chain).
     *
     * @param credentialsProvider the credentials provider
     * @return this builder
     */
    public Builder credentialsProvider(AwsCredentialsProvider credentialsProvider) {
      this.credentialsProvider = Objects.requireNonNull(credentialsProvider, "credentialsProvider");
      return this;
    }

    /**
     * Sets the TCP connect timeout of the client the provider builds (default 2 seconds).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      this.timeoutsSet = true;
      return this;
    }

    /**
     * Sets the time one call may take in total, from the first byte sent to the last byte read, in
     * the client the provider builds (default 10 seconds): a backend that answers slowly, or
     * trickles its answer, fails the call when it runs out. The key manager keeps serving the last
     * good key meanwhile and retries with its own backoff. A call timeout set by the {@link
     * #clientCustomizer(Consumer) customizer} wins.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder apiCallTimeout(Duration timeout) {
      this.apiCallTimeout = positive(timeout, "apiCallTimeout");
      this.timeoutsSet = true;
      return this;
    }

    /**
     * Adjusts the client the provider builds, after the provider's own settings (to add an {@code
     * ExecutionInterceptor}, a metrics publisher or a retry strategy).
     *
     * <p>The provider's client makes one HTTP attempt per call: the key manager's backoff is the
     * retry policy, so an outage costs one call per retry interval, not the SDK's three or four. A
     * retry strategy (or retry mode) set here turns the SDK's own retries back on. The SDK's {@code
     * overrideConfiguration(...)} replaces the whole override configuration; the provider puts its
     * {@link #apiCallTimeout(Duration) call timeout} back on top of what the customizer set, unless
     * the customizer set one itself.
     *
     * <p>Whatever the customizer sets, requests go out over {@code https} only ({@code http} to a
     * loopback address for an emulator): {@link #build()} refuses a cleartext endpoint, and a last
     * check before each request leaves refuses one set any other way (the SDK's {@code
     * AWS_ENDPOINT_URL} variables, a profile's {@code endpoint_url}, an endpoint provider) with an
     * {@link dev.keyguard.client.InsecureTransportException}.
     *
     * @param customizer called once by {@link #build()}
     * @return this builder
     */
    public Builder clientCustomizer(Consumer<SecretsManagerClientBuilder> customizer) {
      this.clientCustomizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /**
     * Allows {@code http} to one more host name, for a test whose emulator must be reached by a
     * name other than {@code localhost} (the DNS-failure test). Package-private: not for users.
     */
    Builder cleartextHostForTesting(String host) {
      cleartextHostsForTesting.add(host.toLowerCase(Locale.ROOT));
      return this;
    }

    /**
     * Sets the stage {@link #fetch(KeyId)} reads (default {@code AWSCURRENT}).
     *
     * @param stage a staging label
     * @return this builder
     */
    public Builder versionStage(String stage) {
      this.versionStage = stage(stage);
      return this;
    }

    /**
     * Sets the stages {@link #fetchAlternates(KeyId)} reads, in order (default {@code AWSPENDING});
     * for example {@code AWSPENDING, AWSPREVIOUS} to also accept the previous key while a rotation
     * is rolled back. None turns alternates off.
     *
     * @param stages staging labels
     * @return this builder
     */
    public Builder alternateStages(String... stages) {
      Objects.requireNonNull(stages, "stages");
      List<String> list = new ArrayList<>();
      for (String stage : stages) {
        String s = stage(stage);
        if (list.contains(s)) {
          throw new IllegalArgumentException("alternate stage " + s + " is listed twice");
        }
        list.add(s);
      }
      this.alternateStages = List.copyOf(list);
      return this;
    }

    /**
     * Turns rotation-window alternates off: {@link #fetchAlternates(KeyId)} returns none.
     *
     * @return this builder
     */
    public Builder noAlternates() {
      this.alternateStages = List.of();
      return this;
    }

    /**
     * Sets how JSON secrets map to the credential's parts (default {@link
     * CredentialFieldMapping#defaults()}).
     *
     * @param mapping the mapping
     * @return this builder
     */
    public Builder fieldMapping(CredentialFieldMapping mapping) {
      this.mapping = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    /**
     * Reads the secret's tags for scopes and environment (default off). Needs {@code
     * secretsmanager:DescribeSecret}, and turns the version check on unless {@link
     * #versionCheck(boolean)} says otherwise. Values in the JSON secret take precedence over tags.
     *
     * @param enabled whether to read tags
     * @return this builder
     */
    public Builder readTags(boolean enabled) {
      this.readTags = enabled;
      return this;
    }

    /**
     * Sets the tag that carries the scopes, space-separated (default {@code keyguard:scopes}).
     * Needs {@link #readTags(boolean) readTags(true)}.
     *
     * @param tagKey the tag key
     * @return this builder
     */
    public Builder scopesTag(String tagKey) {
      this.scopesTag = tagKey(tagKey);
      this.tagNamesSet = true;
      return this;
    }

    /**
     * Sets the tag that carries the environment (default {@code keyguard:environment}). Needs
     * {@link #readTags(boolean) readTags(true)}.
     *
     * @param tagKey the tag key
     * @return this builder
     */
    public Builder environmentTag(String tagKey) {
      this.environmentTag = tagKey(tagKey);
      this.tagNamesSet = true;
      return this;
    }

    /**
     * Checks the version with {@code DescribeSecret} before downloading the value, and reuses the
     * value already read while the version in the stage is unchanged. Default: on when tags are
     * read, off otherwise; see the class documentation for what it costs and saves.
     *
     * @param enabled whether to check the version first
     * @return this builder
     */
    public Builder versionCheck(boolean enabled) {
      this.versionCheck = enabled;
      return this;
    }

    /**
     * Sets the time source for the credentials' {@code fetchedAt} (default {@link
     * TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Builds the provider, and the {@link SecretsManagerClient} unless one was passed in.
     *
     * @return the provider
     * @throws IllegalStateException if a client was passed in together with settings for a client
     *     the provider builds, if tag names were set without {@link #readTags(boolean)
     *     readTags(true)}, if the current stage is also an alternate stage, or if no region is set
     *     and the SDK's region chain finds none
     */
    public AwsSecretsManagerKeyProvider build() {
      if (client != null) {
        List<String> conflicts = new ArrayList<>();
        if (region != null) {
          conflicts.add("region");
        }
        if (endpointOverride != null) {
          conflicts.add("endpointOverride");
        }
        if (credentialsProvider != null) {
          conflicts.add("credentialsProvider");
        }
        if (timeoutsSet) {
          conflicts.add("connectTimeout/apiCallTimeout");
        }
        if (clientCustomizer != null) {
          conflicts.add("clientCustomizer");
        }
        if (!conflicts.isEmpty()) {
          throw new IllegalStateException(
              "client(...) was given, so "
                  + String.join(", ", conflicts)
                  + " cannot apply: configure them on your SecretsManagerClient, or drop client(...)");
        }
      }
      if (tagNamesSet && !readTags) {
        throw new IllegalStateException(
            "scopesTag/environmentTag were set but readTags is off: call readTags(true)");
      }
      if (alternateStages.contains(versionStage)) {
        throw new IllegalStateException(
            "versionStage "
                + versionStage
                + " is also an alternate stage: remove it from alternateStages");
      }
      if (client != null) {
        String refusal = endpointRefusal(client);
        if (refusal != null) {
          throw new IllegalStateException("the SecretsManagerClient passed in " + refusal);
        }
        return new AwsSecretsManagerKeyProvider(this, client, false);
      }
      SecretsManagerClientBuilder b =
          SecretsManagerClient.builder()
              .httpClientBuilder(
                  UrlConnectionHttpClient.builder()
                      .connectionTimeout(connectTimeout)
                      .socketTimeout(apiCallTimeout))
              .overrideConfiguration(o -> o.apiCallTimeout(apiCallTimeout));
      if (region != null) {
        b.region(region);
      }
      if (endpointOverride != null) {
        b.endpointOverride(endpointOverride);
      }
      if (credentialsProvider != null) {
        b.credentialsProvider(credentialsProvider);
      }
      if (clientCustomizer != null) {
        clientCustomizer.accept(b);
      }
      b.overrideConfiguration(withProviderDefaults(b.overrideConfiguration()));
      SecretsManagerClient built;
      try {
        built = b.build();
      } catch (SdkException e) {
        throw new IllegalStateException(
            "could not build the SecretsManagerClient ("
                + e.getClass().getSimpleName()
                + ", the cause); set region(...) or AWS_REGION",
            e);
      }
      String refusal = endpointRefusal(built);
      if (refusal != null) {
        built.close();
        throw new IllegalStateException("the SecretsManagerClient built " + refusal);
      }
      return new AwsSecretsManagerKeyProvider(this, built, true);
    }

    /**
     * The customizer's override configuration (the SDK's {@code overrideConfiguration(...)}
     * replaces, it does not merge) with the provider's call timeout and single attempt where it set
     * none.
     */
    @SuppressWarnings("deprecation") // retryPolicy(): a customizer may still set the old API
    private ClientOverrideConfiguration withProviderDefaults(
        ClientOverrideConfiguration configured) {
      ClientOverrideConfiguration custom =
          configured != null ? configured : ClientOverrideConfiguration.builder().build();
      ClientOverrideConfiguration.Builder merged = custom.toBuilder();
      if (custom.apiCallTimeout().isEmpty()) {
        merged.apiCallTimeout(apiCallTimeout);
      }
      boolean retriesChosen =
          custom.retryStrategy().isPresent()
              || custom.retryMode().isPresent()
              || custom.retryStrategyConfigurator().isPresent()
              || custom.retryPolicy().isPresent();
      if (!retriesChosen) {
        merged.retryStrategy(AwsRetryStrategy.doNotRetry());
      }
      // last, so that it sees the request every other interceptor has modified
      merged.addExecutionInterceptor(new CleartextRefusal(cleartextHostsForTesting));
      return merged.build();
    }

    /** Why the client's endpoint override must not be used, or null if it may (or has none). */
    private @Nullable String endpointRefusal(SecretsManagerClient c) {
      URI endpoint = c.serviceClientConfiguration().endpointOverride().orElse(null);
      if (endpoint == null) {
        return null;
      }
      String why =
          CleartextRefusal.refusal(
              endpoint.getScheme(), endpoint.getHost(), cleartextHostsForTesting);
      return why == null ? null : "has the endpoint " + endpoint + ": " + why;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }

    private static String stage(String stage) {
      Objects.requireNonNull(stage, "stage");
      if (stage.isBlank() || stage.length() > 256 || !stage.strip().equals(stage)) {
        throw new IllegalArgumentException(
            "a version stage must be 1 to 256 characters without surrounding whitespace");
      }
      return stage;
    }

    private static String tagKey(String key) {
      Objects.requireNonNull(key, "tagKey");
      if (key.isBlank() || key.length() > 128) {
        throw new IllegalArgumentException("a tag key must be 1 to 128 characters");
      }
      return key;
    }
  }
}
