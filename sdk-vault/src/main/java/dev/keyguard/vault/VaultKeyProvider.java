package dev.keyguard.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.key.KeyProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * A {@link KeyProvider} that reads keys from HashiCorp Vault or OpenBao, through the Vault HTTP API
 * on OkHttp and Jackson (no vendor client).
 *
 * <h2>Where each key is read</h2>
 *
 * <p>Each key id maps to a KV mount, a path in it and (optionally) the field that holds the API
 * key; a key id that is not mapped is read at the same path in the {@linkplain
 * Builder#defaultMount(String) default mount} ({@code secret}, KV v2):
 *
 * <pre>{@code
 * VaultKeyProvider vault = VaultKeyProvider.builder()
 *     .address("https://vault.example.com:8200")
 *     .authentication(VaultAuthentication.kubernetes("market-data").build())
 *     .key("coingecko", "secret", "market-data/coingecko")      // secret/data/market-data/coingecko
 *     .key("openai", "legacy-kv", "apps/openai", "token")       // a KV v1 mount, field "token"
 *     .kvVersion("legacy-kv", 1)
 *     .build();
 * }</pre>
 *
 * <h2>What it reads</h2>
 *
 * <ul>
 *   <li>KV v2 ({@code GET /v1/<mount>/data/<path>}): the version number is the credential's
 *       version, so a new version written to Vault is seen as a rotation, and its {@link
 *       VersionedCredential#versionSequence() versionSequence}: KV v2 numbers versions upwards (a
 *       rollback writes a new version), so a key manager refuses an answer numbered below the
 *       version it holds (a standby or replica lagging behind, a restored backup, a replayed
 *       answer) with a {@link dev.keyguard.KeyVersionRegressedException}; {@code created_time} is
 *       its {@code createdAt}; the {@code custom_metadata} keys {@code keyguard:scopes} (comma or
 *       space separated) and {@code keyguard:environment} give scopes and environment where the
 *       secret's own fields do not. A deleted (its {@code deletion_time} has passed) or destroyed
 *       version is never served. {@link Builder#pinVersion(String, int)} reads one version.
 *   <li>{@link #fetchAlternates(KeyId)}: the previous version of a KV v2 secret (if it is neither
 *       deleted nor destroyed), which the key manager tries after the API rejected the current one:
 *       the rotation window while the API does not yet accept the new key.
 *   <li>KV v1 ({@code GET /v1/<mount>/<path>}): no versions; the version id is derived from the
 *       value's fingerprint, as the local providers do.
 *   <li>The secret's fields are mapped by the shared {@link CredentialFieldMapping} ({@code
 *       apiKey}, {@code apiSecret}, {@code scopes}, … by default).
 * </ul>
 *
 * <h2>Authentication, transport, errors</h2>
 *
 * <p>The token comes from a {@link VaultAuthentication} (token, token file, AppRole, Kubernetes)
 * and is renewed at about 2/3 of its TTL, with a new login when renewal is refused or the max TTL
 * is near; {@link Builder#tokenListener(VaultTokenListener)} receives what happens. The token is a
 * {@link Secret} registered with the redactor: it is never in a message, a log line or {@link
 * #toString()}. The Vault address must be https (loopback http only through {@link
 * HttpsPolicy.Builder#allowLoopbackCleartextForTesting()}), TLS 1.2+, with the system CAs or the CA
 * of {@link Builder#caCertificate(Path)} ({@code VAULT_CACERT}). {@code X-Vault-Namespace} is sent
 * with every request when a namespace is set.
 *
 * <p>HTTP 403 is a {@link dev.keyguard.KeyAccessDeniedException} naming the path and the {@code
 * read} capability a policy must grant (after one new login, for methods that can log in again);
 * 404 a {@link KeyNotFoundException}; 400 a non-retryable {@link KeyGuardException}; 412 (a replica
 * behind a write), 429, 5xx and 503 (sealed) and network failures a retryable {@link
 * KeyProviderUnavailableException}, on which the key manager keeps the last good key and retries
 * with backoff. An answer without an expected field is a {@link MalformedSecretException} naming
 * the field.
 *
 * <h2>Threads</h2>
 *
 * <p>Thread-safe; {@link #fetch(KeyId)} blocks on the network and is meant for a key manager's
 * refresh thread. Token renewals run on one daemon thread of the provider's own ({@code
 * keyguard-vault-token-N}) or on the {@linkplain Builder#scheduler(ScheduledExecutorService)
 * scheduler given}; see {@link VaultTokenListener} for where events are delivered. {@link #close()}
 * stops renewals and revokes a token the provider logged in for.
 */
public final class VaultKeyProvider implements KeyProvider, AutoCloseable {

  /** The {@code custom_metadata} key that may carry a KV v2 secret's scopes. */
  public static final String SCOPES_METADATA_KEY = "keyguard:scopes";

  /** The {@code custom_metadata} key that may carry a KV v2 secret's environment. */
  public static final String ENVIRONMENT_METADATA_KEY = "keyguard:environment";

  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Where one key is read. */
  record Location(String mount, String path, int kvVersion, CredentialFieldMapping mapping) {

    String dataPath() {
      return kvVersion == 2 ? mount + "/data/" + path : mount + "/" + path;
    }

    @Override
    public String toString() {
      return dataPath() + " (KV v" + kvVersion + ")";
    }
  }

  private final VaultHttp http;
  private final VaultSession session;
  private final TimeSource time;
  private final String defaultMount;
  private final Map<String, Integer> kvVersions;
  private final Map<KeyId, Location> keys;
  private final Map<KeyId, Integer> pinned;
  private final CredentialFieldMapping mapping;
  private final boolean previousVersionAsAlternate;

  private VaultKeyProvider(Builder b, HttpUrl address, VaultAuthentication auth) {
    this.time = b.timeSource;
    this.http =
        new VaultHttp(
            address,
            b.namespace,
            b.httpsPolicy,
            b.connectTimeout,
            b.readTimeout,
            b.eventListenerForTesting);
    ScheduledExecutorService scheduler = b.scheduler;
    boolean owns = scheduler == null;
    if (scheduler == null) {
      ScheduledThreadPoolExecutor own =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "keyguard-vault-token-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      own.setRemoveOnCancelPolicy(true);
      scheduler = own;
    }
    this.session = new VaultSession(http, auth, time, scheduler, owns, b.listeners);
    this.defaultMount = b.defaultMount;
    this.kvVersions = Map.copyOf(b.kvVersions);
    this.mapping = b.mapping;
    Map<KeyId, Location> mapped = new LinkedHashMap<>();
    b.keys.forEach(
        (id, k) ->
            mapped.put(
                id,
                new Location(
                    k.mount,
                    k.path,
                    kvVersionOf(k.mount),
                    k.mapping == null ? mapping : k.mapping)));
    this.keys = Map.copyOf(mapped);
    this.pinned = Map.copyOf(b.pinned);
    this.previousVersionAsAlternate = b.previousVersionAsAlternate;
  }

  /**
   * Starts a provider.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A provider configured from the environment as the Vault CLI reads it: {@code VAULT_ADDR} (or
   * {@code BAO_ADDR}), {@code VAULT_TOKEN} (or {@code BAO_TOKEN}), {@code VAULT_NAMESPACE} and
   * {@code VAULT_CACERT} (or their {@code BAO_} forms); keys in the default mount {@code secret}
   * (KV v2). See {@link Builder#fromEnvironment()}.
   *
   * @return the provider
   * @throws IllegalStateException if {@code VAULT_ADDR} or {@code VAULT_TOKEN} is missing, or
   *     {@code VAULT_SKIP_VERIFY} asks to skip TLS verification
   */
  public static VaultKeyProvider fromEnvironment() {
    return builder().fromEnvironment().build();
  }

  // ---------------------------------------------------------------------------------- reads

  /**
   * Reads the current (or pinned) version of a key.
   *
   * @param keyId the key
   * @return the credential, with the KV v2 version number as its version
   * @throws KeyNotFoundException if there is no secret, or its version is deleted or destroyed
   * @throws dev.keyguard.KeyAccessDeniedException if Vault denies the read
   * @throws KeyProviderUnavailableException if Vault cannot answer now
   * @throws MalformedSecretException if the answer or the secret lacks a field
   */
  @Override
  public VersionedCredential fetch(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    Location location = locate(keyId);
    if (location.kvVersion() == 1) {
      return readV1(keyId, location);
    }
    VersionedCredential c = readV2(keyId, location, pinned.get(keyId));
    if (c == null) {
      throw new KeyNotFoundException(
          "Vault has no servable version at '" + location.dataPath() + "' for key '" + keyId + "'",
          keyId);
    }
    return c;
  }

  /**
   * The previous KV v2 version, if it is neither deleted nor destroyed; none for KV v1, a pinned
   * version, or with {@link Builder#previousVersionAsAlternate(boolean)} off.
   *
   * @param keyId the key
   * @return at most one credential
   * @throws KeyGuardException as for {@link #fetch(KeyId)}
   */
  @Override
  public List<VersionedCredential> fetchAlternates(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    Location location = locate(keyId);
    if (location.kvVersion() == 1 || !previousVersionAsAlternate || pinned.containsKey(keyId)) {
      return List.of();
    }
    VersionedCredential current = readV2(keyId, location, null);
    int previous = Integer.parseInt(current.version()) - 1;
    if (previous < 1) {
      return List.of();
    }
    VersionedCredential before;
    try {
      before = readV2(keyId, location, previous);
    } catch (KeyNotFoundException e) {
      return List.of();
    }
    return List.of(before);
  }

  /** A short name for logs and events. */
  @Override
  public String name() {
    return "vault";
  }

  /** Where a key is read; visible for tests and the README's "at a glance". */
  Location locate(KeyId keyId) {
    Location mapped = keys.get(keyId);
    if (mapped != null) {
      return mapped;
    }
    String path = keyId.value();
    checkPath(path, "key id '" + keyId + "' (read in the default mount as a path)");
    return new Location(defaultMount, path, kvVersionOf(defaultMount), mapping);
  }

  private int kvVersionOf(String mount) {
    return kvVersions.getOrDefault(mount, 2);
  }

  /** Reads one KV v2 version; a deleted or destroyed one is a {@link KeyNotFoundException}. */
  private VersionedCredential readV2(KeyId keyId, Location location, @Nullable Integer version) {
    Map<String, String> query = version == null ? Map.of() : Map.of("version", version.toString());
    VaultHttp.Reply reply = read(keyId, location, query);
    JsonNode data = reply.json() == null ? null : reply.json().get("data");
    JsonNode metadata = data == null ? null : data.get("metadata");
    String what = version == null ? "the current version" : "version " + version;
    if (reply.status() == 404 && metadata != null && metadata.isObject()) {
      String gone = goneReason(metadata);
      if (gone != null) {
        throw new KeyNotFoundException(
            what
                + " ("
                + metadata.path("version").asText("?")
                + ") of '"
                + location.dataPath()
                + "' for key '"
                + keyId
                + "' is "
                + gone
                + " in Vault and is not served: write a new version, or undelete it (bao kv"
                + " undelete -mount="
                + location.mount()
                + " -versions=N "
                + location.path()
                + ")",
            null,
            keyId,
            metadata.path("version").asText(null));
      }
    }
    if (!reply.ok()) {
      throw VaultErrors.map(reply, call(keyId, location));
    }
    if (reply.unreadable()) {
      throw unreadable(keyId, location, reply);
    }
    if (data == null || !data.isObject()) {
      throw missing(keyId, location, "data");
    }
    if (metadata == null || !metadata.isObject()) {
      throw missing(keyId, location, "data.metadata");
    }
    JsonNode versionNode = metadata.get("version");
    if (versionNode == null || !versionNode.canConvertToInt() || versionNode.asInt() < 1) {
      throw missing(keyId, location, "data.metadata.version");
    }
    String versionId = Integer.toString(versionNode.asInt());
    String gone = goneReason(metadata);
    if (gone != null) {
      throw new KeyNotFoundException(
          "version "
              + versionId
              + " of '"
              + location.dataPath()
              + "' for key '"
              + keyId
              + "' is "
              + gone
              + " in Vault and is not served: write a new version",
          null,
          keyId,
          versionId);
    }
    JsonNode kv = data.get("data");
    if (kv == null || !kv.isObject()) {
      throw missing(keyId, location, "data.data");
    }
    VersionedCredential parsed = parse(keyId, location, kv).version(versionId).build();
    // KV v2 numbers versions upwards (a rollback writes a new one): a lower number went backwards
    VersionedCredential.Builder b = parsed.toBuilder().versionSequence(versionNode.asInt());
    if (parsed.createdAt().isEmpty()) {
      Instant created = instant(metadata.get("created_time"));
      if (created != null) {
        b.createdAt(created);
      }
    }
    JsonNode custom = metadata.get("custom_metadata");
    if (custom != null && custom.isObject()) {
      JsonNode scopes = custom.get(SCOPES_METADATA_KEY);
      if (parsed.scopes().isEmpty() && scopes != null && scopes.isTextual()) {
        List<String> list = new ArrayList<>();
        for (String s : scopes.textValue().split("[\\s,]+", -1)) {
          if (!s.isEmpty()) {
            list.add(s);
          }
        }
        b.scopes(list);
      }
      JsonNode environment = custom.get(ENVIRONMENT_METADATA_KEY);
      if (parsed.environment().isEmpty()
          && environment != null
          && environment.isTextual()
          && !environment.textValue().isBlank()) {
        b.environment(environment.textValue().strip());
      }
    }
    return b.build();
  }

  private VersionedCredential readV1(KeyId keyId, Location location) {
    VaultHttp.Reply reply = read(keyId, location, Map.of());
    if (!reply.ok()) {
      throw VaultErrors.map(reply, call(keyId, location));
    }
    if (reply.unreadable()) {
      throw unreadable(keyId, location, reply);
    }
    JsonNode data = reply.json() == null ? null : reply.json().get("data");
    if (data == null || !data.isObject()) {
      throw missing(keyId, location, "data");
    }
    return parse(keyId, location, data).build();
  }

  /** One GET with the session's token; after a 403, once more with a new login if there is one. */
  private VaultHttp.Reply read(KeyId keyId, Location location, Map<String, String> query) {
    Secret token = session.token();
    VaultHttp.Reply reply = get(keyId, location, query, token);
    if (reply.status() == 403 && session.refused(token)) {
      reply = get(keyId, location, query, session.token());
    }
    return reply;
  }

  private VaultHttp.Reply get(
      KeyId keyId, Location location, Map<String, String> query, Secret token) {
    try {
      return http.get(location.dataPath(), token, query);
    } catch (IOException e) {
      throw VaultErrors.transport(e, call(keyId, location));
    }
  }

  private VaultErrors.Call call(KeyId keyId, Location location) {
    return new VaultErrors.Call(keyId, "read", location.dataPath(), http.namespace());
  }

  private VersionedCredential.Builder parse(KeyId keyId, Location location, JsonNode fields) {
    byte[] json;
    try {
      json = VaultHttp.MAPPER.writeValueAsBytes(fields);
    } catch (JsonProcessingException e) {
      throw new MalformedSecretException(
          "the secret at '" + location.dataPath() + "' for key '" + keyId + "' is not readable",
          keyId);
    }
    try {
      return location.mapping().parse(keyId, json).fetchedAt(time.now());
    } finally {
      Arrays.fill(json, (byte) 0);
    }
  }

  /** Why a KV v2 version is not servable, or null if it is. */
  private @Nullable String goneReason(JsonNode metadata) {
    if (metadata.path("destroyed").asBoolean(false)) {
      return "destroyed";
    }
    Instant deletion = instant(metadata.get("deletion_time"));
    if (deletion != null && !deletion.isAfter(time.now())) {
      return "deleted";
    }
    return null;
  }

  private static @Nullable Instant instant(@Nullable JsonNode node) {
    if (node == null || !node.isTextual() || node.textValue().isBlank()) {
      return null;
    }
    try {
      return Instant.parse(node.textValue());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static MalformedSecretException unreadable(
      KeyId keyId, Location location, VaultHttp.Reply reply) {
    return new MalformedSecretException(
        "the Vault answer for key '"
            + keyId
            + "' at '"
            + location.dataPath()
            + "' (HTTP "
            + reply.status()
            + ") is not one well-formed JSON document (an HTML page from a proxy, a truncated or"
            + " non-UTF-8 body, a repeated field, or content after the document); nothing of it is"
            + " served: check that the address points at Vault itself",
        keyId);
  }

  private static MalformedSecretException missing(KeyId keyId, Location location, String field) {
    return new MalformedSecretException(
        "the Vault answer for key '"
            + keyId
            + "' at '"
            + location.dataPath()
            + "' has no field '"
            + field
            + "': is the mount KV v"
            + location.kvVersion()
            + "? (set kvVersion(\""
            + location.mount()
            + "\", "
            + (location.kvVersion() == 2 ? 1 : 2)
            + ") if not)",
        keyId);
  }

  /** The token's lifecycle state, for tests. */
  VaultSession session() {
    return session;
  }

  /**
   * Stops token renewal, revokes a token the provider logged in for (AppRole, Kubernetes; best
   * effort), and releases the HTTP client. Idempotent.
   */
  @Override
  public void close() {
    session.close();
    http.close();
  }

  /** Address, namespace, auth method and key mapping; never a token. */
  @Override
  public String toString() {
    HttpUrl a = http.address();
    String path = a.encodedPath().equals("/") ? "" : a.encodedPath();
    return "VaultKeyProvider[address="
        + a.scheme()
        + "://"
        + a.host()
        + ":"
        + a.port()
        + path
        + (http.namespace() == null ? "" : ", namespace=" + http.namespace())
        + ", auth="
        + session.method()
        + ", defaultMount="
        + defaultMount
        + " (KV v"
        + kvVersionOf(defaultMount)
        + "), keys="
        + keys
        + "]";
  }

  static void checkPath(String path, String what) {
    if (path.isEmpty()
        || path.startsWith("/")
        || path.endsWith("/")
        || path.contains("//")
        || path.contains("?")
        || path.contains("#")
        || path.contains("%")
        || path.contains("\\")) {
      throw new IllegalArgumentException(
          what
              + " must be a Vault path such as apps/openai: no leading, trailing or double '/', no"
              + " '?', '#', '%' or '\\'");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(what + " must not contain '.' or '..' segments");
      }
    }
  }

  private record KeySpec(String mount, String path, @Nullable CredentialFieldMapping mapping) {}

  /**
   * Builds a {@link VaultKeyProvider}. Each setting is checked when it is set; when a setting is
   * called more than once, the last call wins; {@link #build()} checks what is missing. Not
   * thread-safe.
   */
  public static final class Builder {
    private @Nullable String address;
    private @Nullable String namespace;
    private HttpsPolicy httpsPolicy = HttpsPolicy.strict();
    private @Nullable VaultAuthentication authentication;
    private String defaultMount = "secret";
    private final Map<String, Integer> kvVersions = new LinkedHashMap<>();
    private final Map<KeyId, KeySpec> keys = new LinkedHashMap<>();
    private final Map<KeyId, Integer> pinned = new LinkedHashMap<>();
    private CredentialFieldMapping mapping = CredentialFieldMapping.defaults();
    private boolean previousVersionAsAlternate = true;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration readTimeout = Duration.ofSeconds(10);
    private okhttp3.@Nullable EventListener eventListenerForTesting;
    private TimeSource timeSource = TimeSource.system();
    private @Nullable ScheduledExecutorService scheduler;
    private final List<VaultTokenListener> listeners = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the Vault address (required), such as {@code https://vault.example.com:8200}. It must
     * use https; http is accepted for a loopback address only, with an {@link HttpsPolicy} that
     * allows it for testing (checked at {@link #build()}).
     *
     * @param address the address, optionally with a path prefix of a proxy in front of Vault
     * @return this builder
     */
    public Builder address(String address) {
      Objects.requireNonNull(address, "address");
      if (HttpUrl.parse(address.strip()) == null) {
        throw new IllegalArgumentException(
            "the Vault address must be an absolute http(s) URL such as"
                + " https://vault.example.com:8200, was '"
                + address
                + "'");
      }
      this.address = address.strip();
      return this;
    }

    /**
     * Sets the Vault Enterprise / OpenBao namespace, sent as {@code X-Vault-Namespace} with every
     * request (login included).
     *
     * @param namespace the namespace, such as {@code team-a} or {@code team-a/prod}
     * @return this builder
     */
    public Builder namespace(String namespace) {
      Objects.requireNonNull(namespace, "namespace");
      String n = namespace.strip();
      while (n.endsWith("/")) {
        n = n.substring(0, n.length() - 1);
      }
      if (n.isEmpty() || n.startsWith("/") || n.contains("..")) {
        throw new IllegalArgumentException("the namespace must be a path such as team-a/prod");
      }
      for (int i = 0; i < n.length(); i++) {
        if (n.charAt(i) < 0x21 || n.charAt(i) > 0x7e) {
          throw new IllegalArgumentException(
              "the namespace must be visible ASCII (it is sent in a header)");
        }
      }
      this.namespace = n;
      return this;
    }

    /**
     * Sets the transport rules for the Vault address (default {@link HttpsPolicy#strict()}): the
     * trusted CAs, pins and proxy apply; TLS 1.2+ always.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder httpsPolicy(HttpsPolicy policy) {
      this.httpsPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Trusts only the CA certificates in a PEM file for the Vault server, as {@code VAULT_CACERT}
     * does for the Vault CLI: applied to the policy set so far ({@link
     * HttpsPolicy.Builder#trustCertificates(Path)}).
     *
     * @param pemFile the CA bundle
     * @return this builder
     * @throws IllegalArgumentException if the file holds no certificate, or a private key
     */
    public Builder caCertificate(Path pemFile) {
      Objects.requireNonNull(pemFile, "pemFile");
      this.httpsPolicy = httpsPolicy.toBuilder().trustCertificates(pemFile).build();
      return this;
    }

    /**
     * Sets how the provider gets its Vault token (required).
     *
     * @param authentication the method
     * @return this builder
     */
    public Builder authentication(VaultAuthentication authentication) {
      this.authentication = Objects.requireNonNull(authentication, "authentication");
      return this;
    }

    /**
     * Sets the mount where a key id that is not {@linkplain #key(String, String, String) mapped} is
     * read, at the path of the key id (default {@code secret}).
     *
     * @param mount the mount, such as {@code secret} or {@code kv/team-a}
     * @return this builder
     */
    public Builder defaultMount(String mount) {
      this.defaultMount = mount(mount);
      return this;
    }

    /**
     * Sets the KV version of a mount (default 2 for every mount).
     *
     * @param mount the mount
     * @param version 1 or 2
     * @return this builder
     */
    public Builder kvVersion(String mount, int version) {
      if (version != 1 && version != 2) {
        throw new IllegalArgumentException("the KV version must be 1 or 2, was " + version);
      }
      this.kvVersions.put(mount(mount), version);
      return this;
    }

    /**
     * Maps a key id to a secret: mount and path, as {@code bao kv get -mount=MOUNT PATH} reads it.
     *
     * @param keyId the key id the application asks for
     * @param mount the KV mount
     * @param path the secret's path in the mount
     * @return this builder
     */
    public Builder key(String keyId, String mount, String path) {
      Objects.requireNonNull(path, "path");
      checkPath(path, "the path of key '" + keyId + "'");
      keys.put(KeyId.of(keyId), new KeySpec(mount(mount), path, null));
      return this;
    }

    /**
     * Maps a key id to one field of a secret, which holds the API key (the secret's other fields
     * use the default names of {@link CredentialFieldMapping}).
     *
     * @param keyId the key id
     * @param mount the KV mount
     * @param path the secret's path in the mount
     * @param apiKeyField the field that holds the API key, such as {@code token}
     * @return this builder
     */
    public Builder key(String keyId, String mount, String path, String apiKeyField) {
      Objects.requireNonNull(path, "path");
      checkPath(path, "the path of key '" + keyId + "'");
      keys.put(
          KeyId.of(keyId),
          new KeySpec(
              mount(mount),
              path,
              CredentialFieldMapping.builder().apiKeyField(apiKeyField).build()));
      return this;
    }

    /**
     * Reads one KV v2 version of a key instead of the current one (to hold a version during an
     * incident, or roll back). No alternates are offered for a pinned key.
     *
     * @param keyId the key id
     * @param version the version, 1 or more
     * @return this builder
     */
    public Builder pinVersion(String keyId, int version) {
      if (version < 1) {
        throw new IllegalArgumentException("a KV v2 version is 1 or more, was " + version);
      }
      pinned.put(KeyId.of(keyId), version);
      return this;
    }

    /**
     * Sets how a secret's fields map to the credential's parts (default {@link
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
     * Offers the previous KV v2 version as an alternate after the API rejected the current one
     * (default true).
     *
     * @param enabled whether to offer it
     * @return this builder
     */
    public Builder previousVersionAsAlternate(boolean enabled) {
      this.previousVersionAsAlternate = enabled;
      return this;
    }

    /**
     * Sets the TCP connect timeout (default 5 s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the read timeout (default 10 s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive(timeout, "readTimeout");
      return this;
    }

    /**
     * Observes the provider's HTTP client (DNS lookups, connection attempts) for the network-fault
     * integration tests, which count the attempts below KeyGuard that never reach a proxy.
     * Package-private: not part of the API.
     */
    Builder eventListenerForTesting(okhttp3.EventListener listener) {
      this.eventListenerForTesting = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets the time source for token lifetimes, deletion times and {@code fetchedAt} (default
     * {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Runs token renewals on a scheduler of yours (which the provider never shuts down); default:
     * one daemon thread of the provider's own, {@code keyguard-vault-token-N}.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Adds a listener for token events (logins, renewals, failures).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder tokenListener(VaultTokenListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Applies the environment the Vault CLI reads: {@code VAULT_ADDR}, {@code VAULT_TOKEN} (token
     * authentication), {@code VAULT_NAMESPACE}, {@code VAULT_CACERT}, each also as {@code BAO_…}
     * (the {@code VAULT_} form wins). Unset variables leave the setting as it is. {@code
     * VAULT_SKIP_VERIFY} set to true is refused: KeyGuard never skips TLS verification.
     *
     * @return this builder
     * @throws IllegalStateException if {@code VAULT_SKIP_VERIFY} is true
     */
    public Builder fromEnvironment() {
      return fromEnvironment(System.getenv());
    }

    Builder fromEnvironment(Map<String, String> env) {
      String skip = variable(env, "SKIP_VERIFY");
      if (skip != null && !skip.equals("0") && !skip.equalsIgnoreCase("false")) {
        throw new IllegalStateException(
            "VAULT_SKIP_VERIFY is set: KeyGuard never skips TLS verification of the Vault server;"
                + " unset it and give the Vault CA with VAULT_CACERT");
      }
      String addr = variable(env, "ADDR");
      if (addr != null) {
        address(addr);
      }
      String ns = variable(env, "NAMESPACE");
      if (ns != null) {
        namespace(ns);
      }
      String ca = variable(env, "CACERT");
      if (ca != null) {
        caCertificate(Path.of(ca));
      }
      if (variable(env, "TOKEN") != null) {
        authentication(VaultAuthentication.tokenFromEnvironment(env));
      }
      return this;
    }

    private static @Nullable String variable(Map<String, String> env, String suffix) {
      for (String prefix : new String[] {"VAULT_", "BAO_"}) {
        String v = env.get(prefix + suffix);
        if (v != null && !v.isBlank()) {
          return v.strip();
        }
      }
      return null;
    }

    /**
     * Builds the provider. No call is made to Vault until the first fetch.
     *
     * @return the provider
     * @throws IllegalStateException if the address or the authentication is missing
     * @throws IllegalArgumentException if the address is not https (see {@link #address(String)})
     */
    public VaultKeyProvider build() {
      if (address == null) {
        throw new IllegalStateException(
            "the Vault address is required: address(\"https://vault.example.com:8200\") or"
                + " VAULT_ADDR with fromEnvironment()");
      }
      if (authentication == null) {
        throw new IllegalStateException(
            "authentication is required: authentication(VaultAuthentication.appRole()...),"
                + " .kubernetes(role), .tokenFile(path), or VAULT_TOKEN with fromEnvironment()");
      }
      for (Map.Entry<KeyId, Integer> pin : pinned.entrySet()) {
        KeySpec spec = keys.get(pin.getKey());
        String mount = spec == null ? defaultMount : spec.mount();
        if (kvVersions.getOrDefault(mount, 2) != 2) {
          throw new IllegalStateException(
              "pinVersion(\""
                  + pin.getKey()
                  + "\", …): mount "
                  + mount
                  + " is KV v1, which has no"
                  + " versions");
        }
      }
      HttpUrl url = VaultHttp.checkedAddress(address, httpsPolicy);
      return new VaultKeyProvider(this, url, authentication);
    }

    private static String mount(String mount) {
      Objects.requireNonNull(mount, "mount");
      String m = mount.strip();
      while (m.endsWith("/")) {
        m = m.substring(0, m.length() - 1);
      }
      checkPath(m, "the mount '" + mount + "'");
      return m;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }
  }
}
