package dev.keyguard.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.X509TrustManager;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * An Azure Key Vault secrets data plane for tests, written from the published REST specification
 * ({@code specification/keyvault/data-plane/Secrets/stable/2025-07-01/secrets.json} in {@code
 * Azure/azure-rest-api-specs}, with the worked examples beside it), not from what the provider
 * calls. It is not the service: KeyGuard's Azure tests run against this emulator.
 *
 * <p>What it does, as the specification and the service's documented behaviour say:
 *
 * <ul>
 *   <li>HTTPS only, on a loopback port, with a self-signed certificate made at start ({@link
 *       #trustManager()} trusts it).
 *   <li>{@code api-version} is required and must be one the service knows ({@code 7.0} to {@code
 *       7.6}, {@code 2025-07-01}); otherwise {@code 400 BadParameter}.
 *   <li>A request without a bearer token gets the service's challenge: {@code 401} with {@code
 *       WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>",
 *       resource="https://vault.azure.net"}; an unknown token gets {@code 401} too. Tokens are
 *       issued per RBAC role ({@link #issueToken(Role)}); an operation the role does not allow gets
 *       {@code 403 Forbidden} / {@code ForbiddenByRbac} naming the data action.
 *   <li>Set (a new version each time, {@code previousVersion} linked), get latest and by version,
 *       list secrets and versions (paged by {@code maxresults}, default and maximum 25, with an
 *       absolute {@code nextLink} carrying {@code $skiptoken}; no values in listings), update
 *       attributes, content type and tags of a version, delete (soft delete: the secret moves to
 *       the deleted secrets, its name cannot be reused until it is purged or recovered), get,
 *       recover and purge deleted secrets.
 *   <li>Error bodies {@code {"error":{"code":…,"message":…,"innererror":{"code":…}}}}: {@code
 *       SecretNotFound} (404), {@code Forbidden}/{@code SecretDisabled} (403) when getting a
 *       disabled version, {@code Conflict} (409) when setting a deleted name, {@code BadParameter}
 *       (400). Like the service it serves expired and not-yet-valid versions: {@code exp} and
 *       {@code nbf} are for the client to honour.
 *   <li>Throttling: {@link #throttleNext(int, Duration)} answers the next requests with {@code 429
 *       Throttled} and {@code Retry-After}. {@link #stop()} and {@link #restart()} take it down and
 *       bring it back on the same port.
 * </ul>
 *
 * <p>Where each behaviour comes from: paths, parameters, schemas, paging and the response shapes
 * from the specification and its examples (checked by {@code KeyVaultEmulatorTest}); the challenge
 * header from Key Vault's authentication documentation; the {@code SecretDisabled} body, and that
 * {@code get} serves expired and not-yet-valid versions, from the service's documented behaviour.
 * Approximated, because no source gives them exactly: the wording of the 400, the invalid-token
 * 401, the 429 and the RBAC 403 messages (their codes and structure follow the service), and the
 * {@code $skiptoken} format (opaque to clients). Not modelled: certificates' secrets, backup and
 * restore, the firewall, propagation delays, the service's real throttling limits.
 *
 * <p>Timestamps ({@code created}, {@code updated}) come from the clock given at start, in whole
 * seconds as the service gives them. Thread-safe.
 */
public final class KeyVaultEmulator implements AutoCloseable {

  /** The API version {@code SecretClient} 4.11 sends. */
  public static final String API_VERSION = "2025-07-01";

  /** The tenant named in the challenge. */
  public static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

  /** The challenge a request without a valid token gets, exactly as the service sends it. */
  public static final String CHALLENGE =
      "Bearer authorization=\"https://login.microsoftonline.com/"
          + TENANT
          + "\", resource=\"https://vault.azure.net\"";

  private static final Set<String> API_VERSIONS =
      Set.of("7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01");

  private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
  private static final int MAX_RESULTS = 25;
  private static final int RECOVERABLE_DAYS = 90;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A secrets permission, as an access policy names it. */
  public enum Permission {
    GET,
    LIST,
    SET,
    DELETE,
    RECOVER,
    PURGE
  }

  /** The built-in RBAC roles for secrets. */
  public enum Role {
    /** Key Vault Secrets User: read secret contents and metadata. */
    SECRETS_USER(EnumSet.of(Permission.GET, Permission.LIST)),
    /** Key Vault Secrets Officer: every secrets operation. */
    SECRETS_OFFICER(EnumSet.allOf(Permission.class)),
    /** Key Vault Reader: metadata only, never a secret value. */
    READER(EnumSet.of(Permission.LIST)),
    /** An identity with no role on the vault. */
    NONE(EnumSet.noneOf(Permission.class));

    final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
      this.permissions = permissions;
    }
  }

  private final Supplier<Instant> clock;
  private final HeldCertificate certificate;
  private final HandshakeCertificates serverCertificates;
  private final Map<String, Role> tokens = new ConcurrentHashMap<>();
  private final Map<String, StoredSecret> secrets = new LinkedHashMap<>();
  private final Map<String, DeletedSecret> deleted = new LinkedHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger throttled = new AtomicInteger();
  private volatile Duration retryAfter = Duration.ofSeconds(1);
  private final int port;
  private HttpsServer server;
  private ExecutorService executor;

  private static final class Version {
    final String id;
    final String value;
    String contentType;
    Map<String, String> tags;
    boolean enabled = true;
    Long nbf;
    Long exp;
    final long created;
    long updated;
    final String previousVersion;

    Version(String id, String value, long created, String previousVersion) {
      this.id = id;
      this.value = value;
      this.created = created;
      this.updated = created;
      this.previousVersion = previousVersion;
    }
  }

  private static final class StoredSecret {
    final String name;
    final List<Version> versions = new ArrayList<>(); // oldest first

    StoredSecret(String name) {
      this.name = name;
    }

    Version latest() {
      return versions.get(versions.size() - 1);
    }
  }

  private record DeletedSecret(StoredSecret secret, long deletedDate) {}

  private KeyVaultEmulator(Supplier<Instant> clock) throws IOException {
    this.clock = clock;
    this.certificate =
        new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .addSubjectAlternativeName("localhost")
            // the name the network-fault test switches off in its hosts file
            .addSubjectAlternativeName(AzureNetworkFaultsIT.VAULT_HOST)
            .duration(1, TimeUnit.DAYS)
            .build();
    this.serverCertificates =
        new HandshakeCertificates.Builder().heldCertificate(certificate).build();
    this.server = newServer(0);
    this.port = server.getAddress().getPort();
    server.start();
  }

  /**
   * Starts an emulator on a free loopback port, on the system clock.
   *
   * @return the running emulator
   * @throws IOException if no port can be bound
   */
  public static KeyVaultEmulator start() throws IOException {
    return new KeyVaultEmulator(Instant::now);
  }

  /**
   * Starts an emulator whose {@code created} / {@code updated} times come from a clock (a test's
   * fake clock).
   *
   * @param clock the clock
   * @return the running emulator
   * @throws IOException if no port can be bound
   */
  public static KeyVaultEmulator start(Supplier<Instant> clock) throws IOException {
    return new KeyVaultEmulator(clock);
  }

  private HttpsServer newServer(int bindPort) throws IOException {
    HttpsServer s =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPort), 64);
    s.setHttpsConfigurator(new HttpsConfigurator(serverCertificates.sslContext()));
    executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "key-vault-emulator");
              t.setDaemon(true);
              return t;
            });
    s.setExecutor(executor);
    s.createContext("/", this::handle);
    return s;
  }

  /**
   * The vault URL, such as {@code https://127.0.0.1:53117}.
   *
   * @return the URL
   */
  public String vaultUrl() {
    return "https://127.0.0.1:" + port;
  }

  /**
   * The emulator's self-signed certificate.
   *
   * @return the certificate
   */
  public X509Certificate certificate() {
    return certificate.certificate();
  }

  /**
   * A trust manager that trusts the emulator's certificate and nothing else.
   *
   * @return the trust manager
   */
  public X509TrustManager trustManager() {
    return new HandshakeCertificates.Builder()
        .addTrustedCertificate(certificate.certificate())
        .build()
        .trustManager();
  }

  /**
   * Issues an access token for an identity with a role on the vault; the token is random.
   *
   * @param role the role
   * @return the token, to be sent as {@code Authorization: Bearer <token>}
   */
  public String issueToken(Role role) {
    String token = "eyJ" + TestSecrets.randomBase64Url(48);
    tokens.put(token, role);
    return token;
  }

  /**
   * Answers the next {@code count} authenticated requests with {@code 429 Throttled}.
   *
   * @param count how many
   * @param retryAfter the {@code Retry-After} to send (whole seconds)
   */
  public void throttleNext(int count, Duration retryAfter) {
    this.retryAfter = retryAfter;
    throttled.set(count);
  }

  /** Takes the emulator down: connections are refused until {@link #restart()}. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  /**
   * Brings the emulator back on the same port, with the same secrets.
   *
   * @throws IOException if the port cannot be bound again
   */
  public synchronized void restart() throws IOException {
    if (server == null) {
      server = newServer(port);
      server.start();
    }
  }

  /**
   * The requests received so far, as {@code METHOD path} (no query, no headers, no bodies).
   *
   * @return the requests, oldest first
   */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    stop();
  }

  // ---------------------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try {
      byte[] body = readAll(exchange.getRequestBody());
      URI uri = exchange.getRequestURI();
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      String path = uri.getRawPath();
      requests.add(method + " " + path);
      Response response;
      try {
        response = dispatch(exchange, method, path, query(uri.getRawQuery()), body);
      } catch (RuntimeException e) {
        response = error(500, "InternalServerError", "emulator failure: " + e, null);
      }
      send(exchange, response);
    } finally {
      exchange.close();
    }
  }

  private record Response(int status, JsonNode body, Map<String, String> headers) {}

  private Response dispatch(
      HttpExchange exchange, String method, String path, Map<String, String> query, byte[] body) {
    String apiVersion = query.get("api-version");
    if (apiVersion == null || apiVersion.isEmpty()) {
      return error(
          400,
          "BadParameter",
          "The request URI contains an invalid or missing api-version query parameter.",
          null);
    }
    if (!API_VERSIONS.contains(apiVersion)) {
      return error(
          400,
          "BadParameter",
          "The specified version ("
              + apiVersion
              + ") is not recognized. Consider using the latest supported version ("
              + API_VERSION
              + ").",
          null);
    }
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return unauthorized("AKV10000: Request is missing a Bearer or PoP token.");
    }
    Role role = tokens.get(authorization.substring(7).strip());
    if (role == null) {
      return unauthorized("AKV10022: Invalid audience or token. The token is not valid here.");
    }
    if (throttled.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
      long seconds = Math.max(1, retryAfter.toSeconds());
      Response r =
          error(
              429,
              "Throttled",
              "Request was not processed because too many requests were received. Reason: A rate"
                  + " of 4000 requests in 10 seconds was exceeded. Retry after "
                  + seconds
                  + " seconds.",
              null);
      r.headers().put("Retry-After", Long.toString(seconds));
      return r;
    }

    String[] parts = path.split("/", -1); // "", "secrets", name, version
    List<String> segments = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      segments.add(URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
    }
    String collection = segments.isEmpty() ? "" : segments.get(0);
    if (collection.equals("secrets")) {
      if (segments.size() == 1 || (segments.size() == 2 && segments.get(1).isEmpty())) {
        return method.equals("GET")
            ? require(role, Permission.LIST, "secrets/readMetadata", "", () -> listSecrets(query))
            : badRoute(method, path);
      }
      String name = segments.get(1);
      String second = segments.size() > 2 ? segments.get(2) : null;
      if (segments.size() > 3) {
        return badRoute(method, path);
      }
      switch (method) {
        case "PUT":
          if (second != null && !second.isEmpty()) {
            return badRoute(method, path);
          }
          return require(role, Permission.SET, "secrets/setSecret", name, () -> set(name, body));
        case "DELETE":
          if (second != null && !second.isEmpty()) {
            return badRoute(method, path);
          }
          return require(role, Permission.DELETE, "secrets/delete", name, () -> delete(name));
        case "GET":
          if ("versions".equals(second)) {
            return require(
                role,
                Permission.LIST,
                "secrets/readMetadata",
                name,
                () -> listVersions(name, query));
          }
          return require(
              role,
              Permission.GET,
              "secrets/getSecret",
              name,
              () -> get(name, second == null ? "" : second));
        case "PATCH":
          return require(
              role,
              Permission.SET,
              "secrets/writeMetadata",
              name,
              () -> update(name, second == null ? "" : second, body));
        default:
          return badRoute(method, path);
      }
    }
    if (collection.equals("deletedsecrets") && segments.size() >= 2) {
      String name = segments.get(1);
      if (segments.size() == 2 && method.equals("GET")) {
        return require(role, Permission.GET, "deletedsecrets/read", name, () -> getDeleted(name));
      }
      if (segments.size() == 2 && method.equals("DELETE")) {
        return require(role, Permission.PURGE, "deletedsecrets/delete", name, () -> purge(name));
      }
      if (segments.size() == 3 && segments.get(2).equals("recover") && method.equals("POST")) {
        return require(
            role, Permission.RECOVER, "deletedsecrets/recover", name, () -> recover(name));
      }
    }
    return badRoute(method, path);
  }

  private Response require(
      Role role, Permission permission, String dataAction, String name, Supplier<Response> action) {
    if (!role.permissions.contains(permission)) {
      String resource =
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulator/providers"
              + "/Microsoft.KeyVault/vaults/emulator"
              + (name.isEmpty() ? "" : "/secrets/" + name);
      return error(
          403,
          "Forbidden",
          "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny"
              + " assignments or role definitions were changed recently, please observe"
              + " propagation time.\r\nCaller: appid=00000000-0000-0000-0000-000000000001\r\n"
              + "Action: 'Microsoft.KeyVault/vaults/"
              + dataAction
              + (dataAction.endsWith("delete") ? "" : "/action")
              + "'\r\nResource: '"
              + resource
              + "'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC'\r\n"
              + "Vault: emulator;location=local\r\n",
          "ForbiddenByRbac");
    }
    synchronized (this) {
      return action.get();
    }
  }

  private Response set(String name, byte[] body) {
    if (!NAME.matcher(name).matches()) {
      return error(
          400,
          "BadParameter",
          "The request URI contains an invalid name: "
              + name
              + ". Secret names may only contain alphanumeric characters and dashes.",
          null);
    }
    JsonNode request = parse(body);
    if (request == null || !request.path("value").isTextual()) {
      return error(400, "BadParameter", "Property value is required.", null);
    }
    String key = name.toLowerCase(Locale.ROOT);
    if (deleted.containsKey(key)) {
      return error(
          409,
          "Conflict",
          "Secret "
              + name
              + " is currently in a deleted but recoverable state, and its name cannot be reused;"
              + " in this state, the secret can only be recovered or purged.",
          null);
    }
    StoredSecret secret = secrets.computeIfAbsent(key, k -> new StoredSecret(name));
    long now = clock.get().getEpochSecond();
    String previous = secret.versions.isEmpty() ? null : secret.latest().id;
    Version v = new Version(newVersionId(), request.get("value").asText(), now, previous);
    if (request.hasNonNull("contentType")) {
      v.contentType = request.get("contentType").asText();
    }
    v.tags = tags(request.get("tags"));
    Response bad = applyAttributes(v, request.get("attributes"));
    if (bad != null) {
      return bad;
    }
    secret.versions.add(v);
    return ok(bundle(secret, v, true));
  }

  private Response get(String name, String version) {
    StoredSecret secret = secrets.get(name.toLowerCase(Locale.ROOT));
    Version v = secret == null ? null : find(secret, version);
    if (v == null) {
      return notFound(version.isEmpty() ? name : name + "/" + version);
    }
    if (!v.enabled) {
      return error(
          403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
    }
    return ok(bundle(secret, v, true));
  }

  private Response update(String name, String version, byte[] body) {
    StoredSecret secret = secrets.get(name.toLowerCase(Locale.ROOT));
    Version v = secret == null ? null : find(secret, version);
    if (v == null) {
      return notFound(version.isEmpty() ? name : name + "/" + version);
    }
    JsonNode request = parse(body);
    if (request == null) {
      return error(400, "BadParameter", "The request body is not valid JSON.", null);
    }
    if (request.has("contentType")) {
      v.contentType =
          request.get("contentType").isNull() ? null : request.get("contentType").asText();
    }
    if (request.has("tags")) {
      v.tags = tags(request.get("tags"));
    }
    Response bad = applyAttributes(v, request.get("attributes"));
    if (bad != null) {
      return bad;
    }
    v.updated = clock.get().getEpochSecond();
    return ok(bundle(secret, v, false));
  }

  private Response listVersions(String name, Map<String, String> query) {
    StoredSecret secret = secrets.get(name.toLowerCase(Locale.ROOT));
    if (secret == null) {
      return notFound(name);
    }
    List<ObjectNode> items = new ArrayList<>();
    List<Version> newestFirst = new ArrayList<>(secret.versions);
    Collections.reverse(newestFirst);
    for (Version v : newestFirst) {
      items.add(item(secret, v, true));
    }
    return page(items, query, "/secrets/" + secret.name + "/versions");
  }

  private Response listSecrets(Map<String, String> query) {
    List<ObjectNode> items = new ArrayList<>();
    for (StoredSecret s : secrets.values()) {
      items.add(item(s, s.latest(), false));
    }
    return page(items, query, "/secrets");
  }

  private Response page(List<ObjectNode> items, Map<String, String> query, String path) {
    int max = MAX_RESULTS;
    if (query.containsKey("maxresults")) {
      try {
        max = Integer.parseInt(query.get("maxresults"));
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 1 || max > MAX_RESULTS) {
        return error(
            400,
            "BadParameter",
            "invalid maxresults: the value must be between 1 and " + MAX_RESULTS + ".",
            null);
      }
    }
    int start = 0;
    String skip = query.get("$skiptoken");
    if (skip != null) {
      try {
        start =
            Integer.parseInt(
                new String(Base64.getUrlDecoder().decode(skip), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        return error(400, "BadParameter", "The skip token is not valid.", null);
      }
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode value = out.putArray("value");
    int end = Math.min(items.size(), start + max);
    for (int i = start; i < end; i++) {
      value.add(items.get(i));
    }
    if (end < items.size()) {
      String token =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(Integer.toString(end).getBytes(StandardCharsets.UTF_8));
      out.put(
          "nextLink",
          vaultUrl()
              + path
              + "?api-version="
              + API_VERSION
              + "&$skiptoken="
              + token
              + "&maxresults="
              + max);
    } else {
      out.putNull("nextLink");
    }
    return ok(out);
  }

  private Response delete(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    StoredSecret secret = secrets.remove(key);
    if (secret == null) {
      return notFound(name);
    }
    DeletedSecret d = new DeletedSecret(secret, clock.get().getEpochSecond());
    deleted.put(key, d);
    return ok(deletedBundle(d));
  }

  private Response getDeleted(String name) {
    DeletedSecret d = deleted.get(name.toLowerCase(Locale.ROOT));
    if (d == null) {
      return error(404, "SecretNotFound", "Deleted Secret not found", null);
    }
    return ok(deletedBundle(d));
  }

  private Response purge(String name) {
    DeletedSecret d = deleted.remove(name.toLowerCase(Locale.ROOT));
    if (d == null) {
      return error(404, "SecretNotFound", "Deleted Secret not found", null);
    }
    return new Response(204, null, new HashMap<>());
  }

  private Response recover(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    DeletedSecret d = deleted.remove(key);
    if (d == null) {
      return error(404, "SecretNotFound", "Deleted Secret not found", null);
    }
    secrets.put(key, d.secret());
    return ok(bundle(d.secret(), d.secret().latest(), false));
  }

  // ---------------------------------------------------------------------------------------------

  private static Version find(StoredSecret secret, String version) {
    if (version.isEmpty()) {
      return secret.latest();
    }
    for (Version v : secret.versions) {
      if (v.id.equalsIgnoreCase(version)) {
        return v;
      }
    }
    return null;
  }

  private Response applyAttributes(Version v, JsonNode attributes) {
    if (attributes == null || attributes.isNull()) {
      return null;
    }
    if (!attributes.isObject()) {
      return error(400, "BadParameter", "attributes must be an object.", null);
    }
    JsonNode enabled = attributes.get("enabled");
    if (enabled != null && !enabled.isNull()) {
      if (!enabled.isBoolean()) {
        return error(400, "BadParameter", "attributes.enabled must be a boolean.", null);
      }
      v.enabled = enabled.asBoolean();
    }
    for (String field : List.of("nbf", "exp")) {
      JsonNode t = attributes.get(field);
      if (t != null) {
        if (!t.isNull() && !t.canConvertToLong()) {
          return error(400, "BadParameter", "attributes." + field + " must be a unix time.", null);
        }
        Long value = t.isNull() ? null : t.asLong();
        if (field.equals("nbf")) {
          v.nbf = value;
        } else {
          v.exp = value;
        }
      }
    }
    if (v.nbf != null && v.exp != null && v.nbf > v.exp) {
      return error(400, "BadParameter", "nbf must not be after exp.", null);
    }
    return null;
  }

  private ObjectNode attributes(Version v) {
    ObjectNode a = JSON.createObjectNode();
    a.put("enabled", v.enabled);
    if (v.nbf != null) {
      a.put("nbf", v.nbf);
    }
    if (v.exp != null) {
      a.put("exp", v.exp);
    }
    a.put("created", v.created);
    a.put("updated", v.updated);
    a.put("recoveryLevel", "Recoverable+Purgeable");
    a.put("recoverableDays", RECOVERABLE_DAYS);
    return a;
  }

  private ObjectNode bundle(StoredSecret secret, Version v, boolean withValue) {
    ObjectNode b = JSON.createObjectNode();
    if (withValue) {
      b.put("value", v.value);
    }
    b.put("id", vaultUrl() + "/secrets/" + secret.name + "/" + v.id);
    if (v.contentType != null) {
      b.put("contentType", v.contentType);
    }
    b.set("attributes", attributes(v));
    if (v.tags != null) {
      b.set("tags", JSON.valueToTree(v.tags));
    }
    if (v.previousVersion != null) {
      b.put("previousVersion", v.previousVersion);
    }
    return b;
  }

  private ObjectNode item(StoredSecret secret, Version v, boolean withVersion) {
    ObjectNode b = JSON.createObjectNode();
    b.put("id", vaultUrl() + "/secrets/" + secret.name + (withVersion ? "/" + v.id : ""));
    if (v.contentType != null) {
      b.put("contentType", v.contentType);
    }
    b.set("attributes", attributes(v));
    if (v.tags != null) {
      b.set("tags", JSON.valueToTree(v.tags));
    }
    return b;
  }

  private ObjectNode deletedBundle(DeletedSecret d) {
    ObjectNode b = bundle(d.secret(), d.secret().latest(), false);
    b.put("recoveryId", vaultUrl() + "/deletedsecrets/" + d.secret().name);
    b.put("deletedDate", d.deletedDate());
    b.put("scheduledPurgeDate", d.deletedDate() + RECOVERABLE_DAYS * 86_400L);
    return b;
  }

  private static Map<String, String> tags(JsonNode node) {
    if (node == null || node.isNull() || !node.isObject()) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static String newVersionId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private Response notFound(String nameOrId) {
    return error(
        404,
        "SecretNotFound",
        "A secret with (name/id) "
            + nameOrId
            + " was not found in this key vault. If you recently deleted this secret you may be"
            + " able to recover it using the correct recovery command. For help resolving this"
            + " issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
        null);
  }

  private Response unauthorized(String message) {
    Response r = error(401, "Unauthorized", message, null);
    r.headers().put("WWW-Authenticate", CHALLENGE);
    return r;
  }

  private Response badRoute(String method, String path) {
    return error(
        400, "BadParameter", "The operation " + method + " " + path + " is not supported.", null);
  }

  private static Response ok(JsonNode body) {
    return new Response(200, body, new HashMap<>());
  }

  private static Response error(int status, String code, String message, String innerCode) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", code);
    error.put("message", message);
    if (innerCode != null) {
      error.putObject("innererror").put("code", innerCode);
    }
    return new Response(status, root, new HashMap<>());
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
    exchange.getResponseHeaders().set("x-ms-keyvault-service-version", "1.9.0.0");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    for (Map.Entry<String, String> h : response.headers().entrySet()) {
      exchange.getResponseHeaders().set(h.getKey(), h.getValue());
    }
    if (response.body() == null) {
      exchange.sendResponseHeaders(response.status(), -1);
      return;
    }
    byte[] bytes = JSON.writeValueAsBytes(response.body());
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(response.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }
}
