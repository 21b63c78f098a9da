package dev.keyguard.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.HttpClientOptions;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.security.keyvault.secrets.SecretServiceVersion;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyProvider;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyProvider} that reads keys from Azure Key Vault secrets through the Azure SDK's {@link
 * SecretClient}. The key id names the secret (see <a href="#names">names</a>).
 *
 * <h2>What it reads</h2>
 *
 * <ul>
 *   <li>{@link #fetch(KeyId)} reads the latest version and serves it if it is usable now: enabled,
 *       its {@code notBefore} passed and its {@code expiresOn} not reached (on the provider's
 *       {@link TimeSource}). Key Vault itself serves expired and not-yet-valid versions, and
 *       refuses a disabled one with {@code 403 Forbidden} ({@code SecretDisabled}); the provider
 *       never serves any of them. When the latest version is not usable, it lists the versions and
 *       serves the newest usable one (the previous version during a staged rollout, or after the
 *       latest was disabled). The version id is the credential's version; {@code expiresOn}, {@code
 *       notBefore} and {@code createdOn} become its {@code expiresAt}, {@code notBefore} and {@code
 *       createdAt}, so the key manager refreshes ahead of {@code expiresOn} and never serves the
 *       value after it.
 *   <li>A version pinned with {@link Builder#pinVersion(String, String)} is read by its id; if it
 *       is not usable, the fetch fails (no fallback).
 *   <li>{@link #fetchAlternates(KeyId)} offers the previous usable version (the newest usable one
 *       older than the one {@code fetch} serves) for rotation windows: the key manager asks for it
 *       only after the API rejected the current key.
 *   <li>The value is a plain API key or a JSON object mapped by the shared {@link
 *       CredentialFieldMapping} ({@code {"apiKey": "…", "apiSecret": "…"}} by default). A secret
 *       whose content type is {@code application/json} must hold a JSON object.
 *   <li>The secret's tags {@code keyguard:scopes} (comma- or space-separated) and {@code
 *       keyguard:environment} give the scopes and the environment where the JSON value does not
 *       (the tags come with every read: no extra call).
 * </ul>
 *
 * <h2 id="names">Secret names</h2>
 *
 * Key Vault names allow only letters, digits and {@code -} (1 to 127). By default each {@code .},
 * {@code _}, {@code /} and {@code :} of the key id becomes {@code -} ({@code coingecko.pro} reads
 * secret {@code coingecko-pro}) and any other character is refused with a message that names it
 * ({@link #secretNameFor(KeyId)}); {@link Builder#secretNameMapping(Function)} replaces the rule.
 *
 * <h2>Calls and permissions</h2>
 *
 * One {@code GET /secrets/{name}} per fetch (permission {@code secrets/get}, in the RBAC role
 * <em>Key Vault Secrets User</em>). When the latest version is not usable, and for alternates, one
 * {@code GET /secrets/{name}/versions} (25 versions a page; {@code secrets/list}, in the same role)
 * and one {@code GET} of the chosen version. At the key manager's default refresh period (5
 * minutes) that is 12 reads per key per hour per application instance, whatever the number of
 * threads; Key Vault's service limit is 4,000 secret reads per 10 seconds per vault.
 *
 * <h2>Errors</h2>
 *
 * <ul>
 *   <li>no such secret ({@code 404 SecretNotFound}; a soft-deleted secret too): {@link
 *       KeyNotFoundException};
 *   <li>{@code 403} (no role or access policy, the firewall, a disabled pinned version) and {@code
 *       401} after the bearer challenge: {@link KeyAccessDeniedException}, naming the missing
 *       permission;
 *   <li>{@code 429}, {@code 5xx}, network failures and timeouts: {@link
 *       KeyProviderUnavailableException}, retryable; also when the only enabled version is not
 *       valid yet (it names when it will be);
 *   <li>every version expired or disabled: a non-retryable {@link KeyGuardException} that says
 *       which; a value that is not a usable credential: {@link MalformedSecretException}.
 * </ul>
 *
 * No message ever holds the secret value or the access token.
 *
 * <h2>HTTP logging</h2>
 *
 * The Azure SDK can log HTTP bodies ({@code AZURE_HTTP_LOG_DETAIL_LEVEL=BODY_AND_HEADERS}, or
 * {@link HttpLogOptions}), and the body of a {@code GET} is the secret. A client the provider
 * builds logs at most {@code HEADERS}, whatever the environment or {@link
 * Builder#httpLogLevel(HttpLogDetailLevel)} ask for, with the SDK's own redaction of {@code
 * Authorization} and of every header and query parameter not on its allow list. A {@code
 * SecretClient} passed with {@link Builder#client(SecretClient)} keeps its own log options: build
 * it with {@code HttpLogOptions} at {@code HEADERS} or lower.
 *
 * <h2>Example</h2>
 *
 * <pre>{@code
 * AzureKeyVaultKeyProvider provider = AzureKeyVaultKeyProvider.builder()
 *     .vaultUrl("https://my-vault.vault.azure.net")   // credential: DefaultAzureCredential
 *     .build();
 * KeyManager keys = KeyManager.builder().provider(provider).build();
 * ManagedKey coingecko = keys.key("coingecko.pro");    // secret coingecko-pro
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. {@link #close()} releases nothing the caller passed
 * in; the SDK's shared Netty resources stay for the process.
 */
public final class AzureKeyVaultKeyProvider implements KeyProvider, AutoCloseable {

  /** The default tag that carries the scopes, comma- or space-separated. */
  public static final String DEFAULT_SCOPES_TAG = "keyguard:scopes";

  /** The default tag that carries the environment ({@code prod}, {@code dev}, …). */
  public static final String DEFAULT_ENVIRONMENT_TAG = "keyguard:environment";

  private static final Logger LOG = LoggerFactory.getLogger(AzureKeyVaultKeyProvider.class);

  private static final String JSON_CONTENT_TYPE = "application/json";

  private final SecretClient client;
  private final Function<KeyId, String> secretNames;
  private final Map<KeyId, String> pinned;
  private final CredentialFieldMapping mapping;
  private final String scopesTag;
  private final String environmentTag;
  private final int maxAlternates;
  private final TimeSource time;
  private final String description;

  private AzureKeyVaultKeyProvider(Builder b, SecretClient client, String description) {
    this.client = client;
    this.secretNames = b.secretNames;
    this.pinned = Map.copyOf(b.pinned);
    this.mapping = b.mapping;
    this.scopesTag = b.scopesTag;
    this.environmentTag = b.environmentTag;
    this.maxAlternates = b.maxAlternates;
    this.time = b.timeSource;
    this.description = description;
  }

  /**
   * Starts a provider.
   *
   * @return a builder with the defaults: {@code DefaultAzureCredential} (needs {@code
   *     azure-identity}), the latest usable version, one alternate, the default field mapping, tags
   *     {@code keyguard:scopes} and {@code keyguard:environment}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The secret name the default mapping gives a key id: {@code .}, {@code _}, {@code /} and {@code
   * :} become {@code -}; letters, digits and {@code -} stay.
   *
   * @param keyId the key id
   * @return the Key Vault secret name, such as {@code coingecko-pro} for {@code coingecko.pro}
   * @throws IllegalArgumentException if the key id has another character, or maps to more than 127
   *     characters; the message names the character
   */
  public static String secretNameFor(KeyId keyId) {
    return SecretNames.defaultName(Objects.requireNonNull(keyId, "keyId"));
  }

  /**
   * Reads the newest usable version of the key's secret (or the pinned version).
   *
   * <p>Blocking: one call to Key Vault, three when the latest version is not usable (see the class
   * documentation).
   *
   * @param keyId the key; its secret name comes from the name mapping
   * @return the credential, with the Key Vault version id as its version
   * @throws KeyNotFoundException if there is no such secret
   * @throws KeyAccessDeniedException if Key Vault denies the read, or every version is disabled
   * @throws KeyProviderUnavailableException if Key Vault throttles, fails or cannot be reached, or
   *     the only enabled version is not valid yet
   * @throws MalformedSecretException if the value is not a usable credential
   * @throws KeyGuardException if the key id cannot name a secret, or every version expired
   */
  @Override
  public VersionedCredential fetch(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    String name = secretName(keyId);
    String pin = pinned.get(keyId);
    Instant now = time.now();
    if (pin != null) {
      KeyVaultSecret secret = get(keyId, name, pin);
      String refusal = refusal(secret.getProperties(), now);
      if (refusal != null) {
        throw new KeyGuardException(
            "pinned version "
                + pin
                + " of Azure Key Vault secret '"
                + name
                + "' (key '"
                + keyId
                + "') "
                + refusal
                + ": pin another version or remove the pin",
            null,
            keyId,
            pin,
            false);
      }
      return toCredential(keyId, name, secret, now);
    }

    KeyVaultSecret latest = getLatestUnlessDisabled(keyId, name);
    if (latest != null && refusal(latest.getProperties(), now) == null) {
      return toCredential(keyId, name, latest, now);
    }
    String why =
        latest == null
            ? "is disabled"
            : latest.getProperties().getVersion() + " " + refusal(latest.getProperties(), now);
    List<SecretProperties> versions = listVersions(keyId, name);
    List<SecretProperties> usable = usableNewestFirst(versions, now);
    if (usable.isEmpty()) {
      throw noUsableVersion(keyId, name, versions, now);
    }
    SecretProperties chosen = usable.get(0);
    LOG.info(
        "key '{}': the latest version of secret '{}' {}; serving version {} instead",
        keyId,
        name,
        why,
        chosen.getVersion());
    return read(keyId, name, chosen.getVersion(), now);
  }

  /**
   * Offers the previous usable versions: enabled, valid now, newest first, after the one {@link
   * #fetch(KeyId)} serves; at most {@link Builder#maxAlternates(int)} (default one). None for a
   * pinned key.
   *
   * @param keyId the key
   * @return the alternates, newest first; empty if none
   * @throws KeyAccessDeniedException if Key Vault denies the listing
   * @throws KeyProviderUnavailableException if Key Vault throttles, fails or cannot be reached
   */
  @Override
  public List<VersionedCredential> fetchAlternates(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    if (maxAlternates == 0 || pinned.containsKey(keyId)) {
      return List.of();
    }
    String name = secretName(keyId);
    Instant now = time.now();
    List<SecretProperties> usable;
    try {
      usable = usableNewestFirst(listVersions(keyId, name), now);
    } catch (KeyNotFoundException e) {
      return List.of();
    }
    List<VersionedCredential> out = new ArrayList<>();
    for (int i = 1; i < usable.size() && out.size() < maxAlternates; i++) {
      String version = usable.get(i).getVersion();
      try {
        out.add(read(keyId, name, version, now));
      } catch (KeyNotFoundException | KeyAccessDeniedException e) {
        LOG.debug("key '{}': alternate version {} of '{}' not readable", keyId, version, name);
      }
    }
    LOG.debug("key '{}': {} alternate version(s) of secret '{}'", keyId, out.size(), name);
    return List.copyOf(out);
  }

  /** Returns {@code azure-key-vault}. */
  @Override
  public String name() {
    return "azure-key-vault";
  }

  /** Nothing to release: the SDK's HTTP resources are shared by the process. */
  @Override
  public void close() {
    // SecretClient has no close(); its Netty event loops are shared and daemon threads
  }

  /** Returns the settings; never a secret or a token. */
  @Override
  public String toString() {
    return description;
  }

  private String secretName(KeyId keyId) {
    try {
      return SecretNames.map(secretNames, keyId);
    } catch (IllegalArgumentException e) {
      throw new KeyGuardException(String.valueOf(e.getMessage()), null, keyId, null, false);
    } catch (RuntimeException e) {
      throw new KeyGuardException(
          "the secretNameMapping failed for key id '" + keyId + "': " + e.getClass().getName(),
          e,
          keyId,
          null,
          false);
    }
  }

  /** The latest version, or null if Key Vault refuses it as disabled ({@code SecretDisabled}). */
  private @Nullable KeyVaultSecret getLatestUnlessDisabled(KeyId keyId, String name) {
    try {
      return checked(keyId, name, "latest version", client.getSecret(name, ""));
    } catch (HttpResponseException e) {
      if (e.getResponse() != null && AzureErrors.details(e).isDisabled()) {
        LOG.debug("key '{}': the latest version of secret '{}' is disabled", keyId, name);
        return null;
      }
      throw AzureErrors.map(e, keyId, name, AzureErrors.GET, "latest version");
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, keyId, name, AzureErrors.GET, "latest version");
    }
  }

  private KeyVaultSecret get(KeyId keyId, String name, String version) {
    String target = version.isEmpty() ? "latest version" : "version " + version;
    KeyVaultSecret secret;
    try {
      secret = client.getSecret(name, version);
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, keyId, name, AzureErrors.GET, target);
    }
    return checked(keyId, name, target, secret);
  }

  private static KeyVaultSecret checked(
      KeyId keyId, String name, String target, @Nullable KeyVaultSecret secret) {
    if (secret == null
        || secret.getProperties() == null
        || secret.getProperties().getVersion() == null) {
      throw new KeyProviderUnavailableException(
          "Azure Key Vault returned no version id for secret '"
              + name
              + "' (key '"
              + keyId
              + "', "
              + target
              + ")",
          keyId);
    }
    return secret;
  }

  private VersionedCredential read(KeyId keyId, String name, String version, Instant now) {
    KeyVaultSecret secret = get(keyId, name, version);
    String refusal = refusal(secret.getProperties(), now);
    if (refusal != null) {
      // changed between the listing and the read
      throw new KeyProviderUnavailableException(
          "version " + version + " of secret '" + name + "' " + refusal + " since it was listed",
          null,
          keyId,
          version);
    }
    return toCredential(keyId, name, secret, now);
  }

  private List<SecretProperties> listVersions(KeyId keyId, String name) {
    List<SecretProperties> out = new ArrayList<>();
    try {
      for (SecretProperties p : client.listPropertiesOfSecretVersions(name)) {
        if (p != null && p.getVersion() != null) {
          out.add(p);
        }
      }
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, keyId, name, AzureErrors.LIST, "list of versions");
    }
    return out;
  }

  /** Why a version may not be served now, or null if it may. */
  private static @Nullable String refusal(SecretProperties p, Instant now) {
    if (!Boolean.TRUE.equals(p.isEnabled())) {
      return "is disabled";
    }
    OffsetDateTime nbf = p.getNotBefore();
    if (nbf != null && now.isBefore(nbf.toInstant())) {
      return "is not valid before " + nbf.toInstant();
    }
    OffsetDateTime exp = p.getExpiresOn();
    if (exp != null && !now.isBefore(exp.toInstant())) {
      return "expired at " + exp.toInstant();
    }
    return null;
  }

  /**
   * Usable versions, newest first: by creation time, then update time; versions created and updated
   * in the same second (Key Vault stamps whole seconds) keep the listing's order.
   */
  private static List<SecretProperties> usableNewestFirst(
      List<SecretProperties> versions, Instant now) {
    List<SecretProperties> usable = new ArrayList<>();
    for (SecretProperties p : versions) {
      if (refusal(p, now) == null) {
        usable.add(p);
      }
    }
    usable.sort(
        Comparator.comparing(
                (SecretProperties p) -> instant(p.getCreatedOn()), Comparator.reverseOrder())
            .thenComparing(p -> instant(p.getUpdatedOn()), Comparator.reverseOrder()));
    return usable;
  }

  private static Instant instant(@Nullable OffsetDateTime t) {
    return t == null ? Instant.MIN : t.toInstant();
  }

  private static KeyGuardException noUsableVersion(
      KeyId keyId, String name, List<SecretProperties> versions, Instant now) {
    Instant soonest = null;
    int disabled = 0;
    int expired = 0;
    for (SecretProperties p : versions) {
      if (!Boolean.TRUE.equals(p.isEnabled())) {
        disabled++;
        continue;
      }
      Instant exp = p.getExpiresOn() == null ? null : p.getExpiresOn().toInstant();
      if (exp != null && !now.isBefore(exp)) {
        expired++;
        continue;
      }
      Instant nbf = p.getNotBefore() == null ? null : p.getNotBefore().toInstant();
      if (nbf != null && now.isBefore(nbf) && (soonest == null || nbf.isBefore(soonest))) {
        soonest = nbf;
      }
    }
    String counts =
        versions.size()
            + " version(s): "
            + disabled
            + " disabled, "
            + expired
            + " expired"
            + (soonest == null ? "" : ", the next becomes valid at " + soonest);
    String what =
        "Azure Key Vault secret '" + name + "' (key '" + keyId + "') has no usable version";
    if (soonest != null) {
      return new KeyProviderUnavailableException(
          what + " yet (" + counts + "); retried until then", null, keyId, null);
    }
    if (expired == 0 && disabled > 0) {
      return new KeyAccessDeniedException(
          what
              + " ("
              + counts
              + "): enable a version (az keyvault secret set-attributes --enabled true) or set a"
              + " new one",
          null,
          keyId,
          null);
    }
    return new KeyGuardException(
        what + " (" + counts + "): set a new version (az keyvault secret set)",
        null,
        keyId,
        null,
        false);
  }

  private VersionedCredential toCredential(
      KeyId keyId, String name, KeyVaultSecret secret, Instant now) {
    SecretProperties p = secret.getProperties();
    String version = p.getVersion();
    String value = secret.getValue();
    if (value == null) {
      throw new MalformedSecretException(
          "Azure Key Vault secret '" + name + "' version " + version + " has no value",
          null,
          keyId,
          version);
    }
    VersionedCredential.Builder builder;
    try {
      if (isJson(p.getContentType()) && !value.stripLeading().startsWith("{")) {
        throw new MalformedSecretException(
            "the content type is application/json but the value is not a JSON object", keyId);
      }
      builder = mapping.parse(keyId, value);
    } catch (MalformedSecretException e) {
      throw new MalformedSecretException(
          e.getMessage() + " (Azure Key Vault secret '" + name + "', version " + version + ")",
          null,
          keyId,
          version);
    }
    builder.version(version).fetchedAt(now);
    if (p.getNotBefore() != null) {
      builder.notBefore(p.getNotBefore().toInstant());
    }
    if (p.getExpiresOn() != null) {
      builder.expiresAt(p.getExpiresOn().toInstant());
    }
    VersionedCredential credential = builder.build();
    VersionedCredential.Builder extra = credential.toBuilder();
    boolean changed = false;
    if (credential.createdAt().isEmpty() && p.getCreatedOn() != null) {
      extra.createdAt(p.getCreatedOn().toInstant());
      changed = true;
    }
    Map<String, String> tags = p.getTags() == null ? Map.of() : p.getTags();
    String scopes = tags.get(scopesTag);
    if (credential.scopes().isEmpty() && scopes != null) {
      List<String> list = new ArrayList<>();
      for (String s : scopes.split("[\\s,]+")) {
        if (!s.isEmpty()) {
          list.add(s);
        }
      }
      extra.scopes(list);
      changed = true;
    }
    String environment = tags.get(environmentTag);
    if (credential.environment().isEmpty() && environment != null && !environment.isBlank()) {
      extra.environment(environment.strip());
      changed = true;
    }
    if (changed) {
      credential = extra.build();
    }
    LOG.debug("key '{}': read version {} of secret '{}'", keyId, version, name);
    return credential;
  }

  private static boolean isJson(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String base =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .strip()
            .toLowerCase(Locale.ROOT);
    return base.equals(JSON_CONTENT_TYPE);
  }

  /** The log level a client the provider builds uses: at most {@code HEADERS}, never a body. */
  static HttpLogOptions safeLogOptions(@Nullable HttpLogDetailLevel requested) {
    // new HttpLogOptions() takes its level from AZURE_HTTP_LOG_DETAIL_LEVEL
    HttpLogDetailLevel level = requested != null ? requested : new HttpLogOptions().getLogLevel();
    if (level == null) {
      level = HttpLogDetailLevel.NONE;
    }
    if (level.shouldLogBody()) {
      LOG.warn(
          "Azure SDK HTTP logging at {} would print secret values (the body of a GET): the"
              + " Key Vault client logs at HEADERS instead",
          level);
      level = HttpLogDetailLevel.HEADERS;
    }
    // a fresh instance: the SDK's default allow lists (never Authorization), no custom loggers
    return new HttpLogOptions().setLogLevel(level);
  }

  /**
   * Builds an {@link AzureKeyVaultKeyProvider}. Each setting is checked when it is set; when a
   * setting is called more than once, the last call wins; {@link #build()} rejects conflicting or
   * missing settings. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable SecretClient client;
    private @Nullable String vaultUrl;
    private @Nullable TokenCredential credential;
    private @Nullable HttpClient httpClient;

    /** One attempt per fetch: the key manager's backoff is the retry policy. */
    private static final RetryOptions NO_SDK_RETRIES =
        new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1)));

    private @Nullable RetryOptions retryOptions;
    private @Nullable HttpLogDetailLevel httpLogLevel;
    private @Nullable SecretServiceVersion serviceVersion;
    private boolean challengeResourceVerification = true;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(15);
    private boolean timeoutsSet;
    private Function<KeyId, String> secretNames = SecretNames.defaults();
    private final Map<KeyId, String> pinned = new HashMap<>();
    private CredentialFieldMapping mapping = CredentialFieldMapping.defaults();
    private String scopesTag = DEFAULT_SCOPES_TAG;
    private String environmentTag = DEFAULT_ENVIRONMENT_TAG;
    private int maxAlternates = 1;
    private TimeSource timeSource = TimeSource.system();

    private Builder() {}

    /**
     * Uses a client the caller built and owns. Conflicts with every setting that configures a
     * client the provider builds ({@link #vaultUrl(String)}, {@link #credential(TokenCredential)},
     * {@link #httpClient(HttpClient)}, …). Its HTTP log options are the caller's: keep them at
     * {@code HEADERS} or lower, or the SDK logs secret values.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(SecretClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Sets the vault, such as {@code https://my-vault.vault.azure.net} (required unless {@link
     * #client(SecretClient)} is given).
     *
     * @param vaultUrl the vault URL; {@code https} only
     * @return this builder
     * @throws IllegalArgumentException if it is not an absolute {@code https} URL with a host
     */
    public Builder vaultUrl(String vaultUrl) {
      Objects.requireNonNull(vaultUrl, "vaultUrl");
      URI uri;
      try {
        uri = URI.create(vaultUrl);
      } catch (IllegalArgumentException e) {
        // the text is not echoed: a malformed URL may carry credentials
        throw new IllegalArgumentException(
            "vaultUrl is not a URL; expected https://<vault-name>.vault.azure.net");
      }
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "vaultUrl must be an https URL with a host, such as https://my-vault.vault.azure.net"
                + " (Key Vault and its token policy refuse http); got scheme "
                + uri.getScheme()
                + (uri.getHost() == null ? " and no host" : " on host " + uri.getHost()));
      }
      if (uri.getRawUserInfo() != null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "vaultUrl must have no user info, query or fragment: "
                + uri.getScheme()
                + "://"
                + uri.getHost());
      }
      this.vaultUrl = vaultUrl;
      return this;
    }

    /**
     * Sets the Entra ID credential (default: {@code DefaultAzureCredential}, which needs {@code
     * com.azure:azure-identity} on the class path: environment, workload identity, managed
     * identity, Azure CLI, …).
     *
     * @param credential the token credential
     * @return this builder
     */
    public Builder credential(TokenCredential credential) {
      this.credential = Objects.requireNonNull(credential, "credential");
      return this;
    }

    /**
     * Sets the HTTP client (for a proxy, or a private CA); default: the SDK's Netty client with the
     * provider's timeouts. Conflicts with the timeouts.
     *
     * @param httpClient the Azure HTTP client
     * @return this builder
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * Sets the SDK's retry options. Default: none. The key manager already retries a failed fetch
     * on its own capped backoff while it serves the last good key, so an outage costs one Key Vault
     * call per retry interval; the SDK's own default (3 retries with exponential backoff) would
     * make it four, and hold a refresh for their waits. Set options here to turn the SDK's retries
     * back on (they honour {@code Retry-After} on 429 and 503), for example for a vault shared with
     * heavy readers.
     *
     * @param retryOptions the retry options
     * @return this builder
     */
    public Builder retryOptions(RetryOptions retryOptions) {
      this.retryOptions = Objects.requireNonNull(retryOptions, "retryOptions");
      return this;
    }

    /**
     * Sets the SDK's HTTP log level (default: {@code AZURE_HTTP_LOG_DETAIL_LEVEL}, else none).
     * {@code BODY} and {@code BODY_AND_HEADERS} are lowered to {@code HEADERS}, with a warning: a
     * body is a secret value.
     *
     * @param level the level
     * @return this builder
     */
    public Builder httpLogLevel(HttpLogDetailLevel level) {
      this.httpLogLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /**
     * Sets the Key Vault API version (default: the SDK's latest, {@code 2025-07-01} for 4.11).
     *
     * @param version the service version
     * @return this builder
     */
    public Builder serviceVersion(SecretServiceVersion version) {
      this.serviceVersion = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * Lets the token challenge name a resource other than the vault's domain. The SDK checks by
     * default that the challenge's {@code resource} matches the vault host, so a look-alike server
     * cannot ask for a token for another resource; turn it off only for a local emulator on a
     * loopback host.
     *
     * @return this builder
     */
    public Builder disableChallengeResourceVerificationForTesting() {
      this.challengeResourceVerification = false;
      return this;
    }

    /**
     * Sets the connect and response timeouts of the HTTP client the provider builds (defaults 5 and
     * 15 seconds). The key manager keeps serving the last good key meanwhile.
     *
     * @param connect the TCP and TLS connect timeout
     * @param response the time to wait for a response, and between reads
     * @return this builder
     */
    public Builder timeouts(Duration connect, Duration response) {
      this.connectTimeout = positive(connect, "connect");
      this.responseTimeout = positive(response, "response");
      this.timeoutsSet = true;
      return this;
    }

    /**
     * Replaces the key id → secret name mapping (default {@link #secretNameFor(KeyId)}). Its
     * results are checked on every fetch: a name with a character other than letters, digits and
     * {@code -} is refused.
     *
     * @param mapping the mapping
     * @return this builder
     */
    public Builder secretNameMapping(Function<KeyId, String> mapping) {
      this.secretNames = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    /**
     * Pins a key to one version: it is read by its id, never replaced by a newer one, and the fetch
     * fails if it is disabled, expired or not yet valid.
     *
     * @param keyId the key id
     * @param version the Key Vault version id (32 hexadecimal characters)
     * @return this builder
     */
    public Builder pinVersion(String keyId, String version) {
      Objects.requireNonNull(version, "version");
      if (!version.matches("[0-9a-zA-Z]{1,64}")) {
        throw new IllegalArgumentException(
            "a Key Vault version id is letters and digits (32 hexadecimal characters): " + version);
      }
      pinned.put(KeyId.of(keyId), version);
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
     * Sets the tags that carry the scopes and the environment (defaults {@code keyguard:scopes},
     * {@code keyguard:environment}).
     *
     * @param scopesTag the tag with the scopes, comma- or space-separated
     * @param environmentTag the tag with the environment
     * @return this builder
     */
    public Builder tags(String scopesTag, String environmentTag) {
      this.scopesTag = tagName(scopesTag);
      this.environmentTag = tagName(environmentTag);
      return this;
    }

    /**
     * Sets how many previous versions {@link #fetchAlternates(KeyId)} offers (default 1; 0 turns
     * alternates off).
     *
     * @param max 0 to 25
     * @return this builder
     */
    public Builder maxAlternates(int max) {
      if (max < 0 || max > 25) {
        throw new IllegalArgumentException("maxAlternates must be 0 to 25, was " + max);
      }
      this.maxAlternates = max;
      return this;
    }

    /**
     * Sets the time source that decides whether a version is valid now and stamps {@code fetchedAt}
     * (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Builds the provider, and the {@link SecretClient} unless one was passed in.
     *
     * @return the provider
     * @throws IllegalStateException if neither a client nor a vault URL was given, a client was
     *     given together with settings for a client the provider builds, an HTTP client together
     *     with timeouts, or no credential was given and {@code azure-identity} is missing
     */
    public AzureKeyVaultKeyProvider build() {
      if (client != null) {
        List<String> conflicts = new ArrayList<>();
        if (vaultUrl != null) {
          conflicts.add("vaultUrl");
        }
        if (credential != null) {
          conflicts.add("credential");
        }
        if (httpClient != null) {
          conflicts.add("httpClient");
        }
        if (retryOptions != null) {
          conflicts.add("retryOptions");
        }
        if (httpLogLevel != null) {
          conflicts.add("httpLogLevel");
        }
        if (serviceVersion != null) {
          conflicts.add("serviceVersion");
        }
        if (!challengeResourceVerification) {
          conflicts.add("disableChallengeResourceVerificationForTesting");
        }
        if (timeoutsSet) {
          conflicts.add("timeouts");
        }
        if (!conflicts.isEmpty()) {
          throw new IllegalStateException(
              "client(...) was given, so "
                  + String.join(", ", conflicts)
                  + " cannot apply: configure them on your SecretClient, or drop client(...)");
        }
        return new AzureKeyVaultKeyProvider(
            this, client, describe("client=caller's, vault=" + client.getVaultUrl()));
      }
      if (vaultUrl == null) {
        throw new IllegalStateException(
            "set vaultUrl(\"https://<vault-name>.vault.azure.net\") or pass client(...)");
      }
      if (httpClient != null && timeoutsSet) {
        throw new IllegalStateException(
            "httpClient(...) was given, so timeouts(...) cannot apply: set them on your client");
      }
      TokenCredential tokens = credential != null ? credential : DefaultCredential.create();
      HttpClient http =
          httpClient != null
              ? httpClient
              : HttpClient.createDefault(
                  new HttpClientOptions()
                      .setConnectTimeout(connectTimeout)
                      .setResponseTimeout(responseTimeout)
                      .setReadTimeout(responseTimeout));
      SecretClientBuilder b =
          new SecretClientBuilder()
              .vaultUrl(vaultUrl)
              .credential(tokens)
              .httpClient(http)
              .httpLogOptions(safeLogOptions(httpLogLevel));
      b.retryOptions(retryOptions != null ? retryOptions : NO_SDK_RETRIES);
      if (serviceVersion != null) {
        b.serviceVersion(serviceVersion);
      }
      if (!challengeResourceVerification) {
        b.disableChallengeResourceVerification();
      }
      SecretClient built = b.buildClient();
      return new AzureKeyVaultKeyProvider(
          this,
          built,
          describe(
              "vault="
                  + vaultUrl
                  + ", credential="
                  + tokens.getClass().getSimpleName()
                  + (challengeResourceVerification ? "" : ", challengeResourceVerification=off")));
    }

    private String describe(String client) {
      return "AzureKeyVaultKeyProvider["
          + client
          + ", pinned="
          + pinned.keySet()
          + ", maxAlternates="
          + maxAlternates
          + ", tags="
          + scopesTag
          + "/"
          + environmentTag
          + "]";
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " timeout must be positive, was " + d);
      }
      return d;
    }

    private static String tagName(String name) {
      Objects.requireNonNull(name, "tag");
      if (name.isBlank() || name.length() > 512) {
        throw new IllegalArgumentException("a tag name must be 1 to 512 characters");
      }
      return name;
    }
  }
}
