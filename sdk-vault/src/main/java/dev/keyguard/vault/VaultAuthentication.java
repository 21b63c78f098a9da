package dev.keyguard.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link VaultKeyProvider} gets its Vault token: one method per instance, in the manner of
 * Spring Vault's {@code ClientAuthentication}. The token's lifecycle (look-up, renewal at about 2/3
 * of its TTL, a new login when renewal is refused or the max TTL is near) is layered on top by the
 * provider, not here.
 *
 * <ul>
 *   <li>{@link #token(Secret)}: a token you already have (not renewable by KeyGuard unless Vault
 *       says it is).
 *   <li>{@link #tokenFromEnvironment()}: {@code VAULT_TOKEN} (or {@code BAO_TOKEN}).
 *   <li>{@link #tokenFile(Path)}: a token file such as a Vault Agent sink, read again whenever a
 *       new token is needed.
 *   <li>{@link #appRole()}: AppRole login with a role id and a secret id (from a file or an
 *       environment variable, optionally response-wrapped).
 *   <li>{@link #kubernetes(String)}: Kubernetes login with the pod's service-account JWT.
 * </ul>
 *
 * <p>Every token, secret id and JWT is a {@link Secret} registered with {@link Redactor#global()}
 * while in use, so it is redacted from every log line and message KeyGuard writes. Instances are
 * immutable and thread-safe. The class cannot be extended outside this package.
 *
 * <pre>{@code
 * VaultAuthentication auth = VaultAuthentication.appRole()
 *     .roleId("7f0a…")                                   // not a secret, but not logged either
 *     .secretIdFile(Path.of("/run/secrets/vault-secret-id"))
 *     .build();
 * }</pre>
 */
public abstract class VaultAuthentication {

  /** Where a Kubernetes pod finds its service-account token. */
  public static final Path DEFAULT_KUBERNETES_JWT =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  /** Larger token, secret id or JWT files are refused. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  VaultAuthentication() {}

  /**
   * A login's result: the token and what Vault said of its lease, if it said anything.
   *
   * @param token the client token
   * @param ttl the lease duration; null if not known (a given token: look it up)
   * @param renewable whether Vault said the token is renewable
   */
  record Login(Secret token, @Nullable Duration ttl, boolean renewable) {}

  /**
   * Logs in (or reads the given token).
   *
   * @param http the Vault client
   * @return the token, registered with the redactor
   * @throws KeyGuardException typed as for a key read
   */
  abstract Login login(VaultHttp http);

  /** Whether another {@link #login} can give another token (a given token cannot). */
  abstract boolean canLogInAgain();

  /** The method's name for messages and events: {@code token}, {@code approle}, … */
  abstract String method();

  // ------------------------------------------------------------------------------ factories

  /**
   * Uses a token you already have. KeyGuard looks it up for its TTL and renews it if Vault says it
   * is renewable; when it expires there is no way to get another, so prefer AppRole or Kubernetes
   * for long-running services.
   *
   * @param token the token
   * @return the authentication
   * @throws IllegalArgumentException if the token holds a character that cannot go in a header (the
   *     message never shows it)
   */
  public static VaultAuthentication token(Secret token) {
    Objects.requireNonNull(token, "token");
    VaultHttp.checkedTokenCharacters(token, "token(...)");
    return new GivenToken("token(...)", () -> token, false);
  }

  /**
   * Uses the token in {@code VAULT_TOKEN}, or {@code BAO_TOKEN} if that is unset, read now.
   *
   * @return the authentication
   * @throws IllegalStateException if neither variable is set
   */
  public static VaultAuthentication tokenFromEnvironment() {
    return tokenFromEnvironment(System.getenv());
  }

  static VaultAuthentication tokenFromEnvironment(Map<String, String> env) {
    String name = env.get("VAULT_TOKEN") != null ? "VAULT_TOKEN" : "BAO_TOKEN";
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "no Vault token: set VAULT_TOKEN (or BAO_TOKEN), or use another VaultAuthentication");
    }
    Secret token = register(Secret.of(value.strip()));
    VaultHttp.checkedTokenCharacters(token, name);
    return new GivenToken(name, () -> token, false);
  }

  /**
   * Reads the token from a file (a Vault Agent or OpenBao Agent token sink, a mounted secret). The
   * file is read at the first use and again whenever the token is refused or expires, so a token
   * the agent rotated is picked up. Surrounding whitespace is stripped.
   *
   * @param file the token file
   * @return the authentication
   */
  public static VaultAuthentication tokenFile(Path file) {
    Objects.requireNonNull(file, "file");
    String where = "token file " + file;
    return new GivenToken(
        where,
        () -> VaultHttp.checkedTokenCharacters(register(readSecretFile(file, "token")), where),
        true);
  }

  /**
   * Starts an AppRole login ({@code POST /v1/auth/approle/login}).
   *
   * @return a builder
   */
  public static AppRoleBuilder appRole() {
    return new AppRoleBuilder();
  }

  /**
   * Starts a Kubernetes login ({@code POST /v1/auth/kubernetes/login}) as the given Vault role,
   * with the pod's service-account token from {@link #DEFAULT_KUBERNETES_JWT}.
   *
   * @param role the Vault role bound to the service account
   * @return a builder
   */
  public static KubernetesBuilder kubernetes(String role) {
    return new KubernetesBuilder(role);
  }

  // ---------------------------------------------------------------------------- helpers

  static Secret register(Secret secret) {
    Redactor.global().register(secret);
    return secret;
  }

  /** Reads a small secret file; messages name the file, never its content. */
  static Secret readSecretFile(Path file, String what) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new MalformedSecretException(
            "the " + what + " file " + file + " is larger than 64 KiB", null);
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new KeyAccessDeniedException(
          "could not read the "
              + what
              + " file "
              + file
              + ": "
              + e.getClass().getSimpleName()
              + "; check that it exists and that this process may read it",
          null);
    }
    try {
      String text = new String(bytes, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        throw new MalformedSecretException("the " + what + " file " + file + " is empty", null);
      }
      return Secret.of(text);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The token of a login answer: {@code auth.client_token}, {@code auth.lease_duration}, … */
  static Login fromLoginReply(VaultHttp.Reply reply, String what) {
    JsonNode auth = reply.json() == null ? null : reply.json().get("auth");
    if (auth == null || !auth.isObject()) {
      throw new MalformedSecretException(
          "the Vault answer to " + what + " has no field 'auth'", null);
    }
    JsonNode token = auth.get("client_token");
    if (token == null || !token.isTextual() || token.textValue().isEmpty()) {
      throw new MalformedSecretException(
          "the Vault answer to " + what + " has no field 'auth.client_token'", null);
    }
    Secret secret = register(Secret.of(token.textValue()));
    VaultHttp.checkedTokenCharacters(secret, what);
    JsonNode lease = auth.get("lease_duration");
    Duration ttl =
        lease != null && lease.canConvertToLong() ? Duration.ofSeconds(lease.asLong()) : null;
    return new Login(secret, ttl, auth.path("renewable").asBoolean(false));
  }

  /** Calls a login endpoint and maps its failures: a refusal there is a denial. */
  static Login postLogin(VaultHttp http, String mount, ObjectNode body, String method) {
    String path = "auth/" + mount + "/login";
    VaultErrors.Call call = new VaultErrors.Call(null, "update", path, http.namespace());
    VaultHttp.Reply reply;
    try {
      reply = http.post(path, null, body);
    } catch (IOException e) {
      throw VaultErrors.transport(e, call);
    }
    if (reply.status() == 400 || reply.status() == 403) {
      String vault = reply.errors();
      throw new KeyAccessDeniedException(
          "Vault refused the "
              + method
              + " login at '"
              + path
              + "'"
              + (http.namespace() == null ? "" : " in namespace '" + http.namespace() + "'")
              + " (HTTP "
              + reply.status()
              + "): check the role and the credentials the login uses"
              + (vault.isEmpty() ? "" : "; Vault said: " + vault),
          null);
    }
    if (!reply.ok()) {
      throw VaultErrors.map(reply, call);
    }
    return fromLoginReply(reply, method + " login at '" + path + "'");
  }

  static String mountName(String mount) {
    Objects.requireNonNull(mount, "mount");
    String m = mount.strip();
    while (m.startsWith("/")) {
      m = m.substring(1);
    }
    while (m.endsWith("/")) {
      m = m.substring(0, m.length() - 1);
    }
    if (m.isEmpty() || m.contains("..") || m.contains("?") || m.contains("#")) {
      throw new IllegalArgumentException("an auth mount must be a path such as 'approle'");
    }
    return m;
  }

  // ----------------------------------------------------------------------- implementations

  /** A token given directly, from the environment or from a file. */
  private static final class GivenToken extends VaultAuthentication {
    private final String where;
    private final java.util.function.Supplier<Secret> read;
    private final boolean rereadable;

    GivenToken(String where, java.util.function.Supplier<Secret> read, boolean rereadable) {
      this.where = where;
      this.read = read;
      this.rereadable = rereadable;
    }

    @Override
    Login login(VaultHttp http) {
      Secret token = read.get();
      Redactor.global().register(token);
      return new Login(token, null, false);
    }

    @Override
    boolean canLogInAgain() {
      return rereadable;
    }

    @Override
    String method() {
      return "token";
    }

    @Override
    public String toString() {
      return "VaultAuthentication.token[" + where + "]";
    }
  }

  /** AppRole: role id and secret id, the secret id optionally response-wrapped. */
  private static final class AppRole extends VaultAuthentication {
    private final String mount;
    private final String roleId;
    private final String secretIdSource;
    private final java.util.function.Supplier<Secret> secretId;
    private final boolean wrapped;

    AppRole(AppRoleBuilder b) {
      this.mount = b.mount;
      this.roleId = Objects.requireNonNull(b.roleId);
      this.secretIdSource = Objects.requireNonNull(b.secretIdSource);
      this.secretId = Objects.requireNonNull(b.secretId);
      this.wrapped = b.wrapped;
    }

    @Override
    Login login(VaultHttp http) {
      Secret secret = register(secretId.get());
      if (!wrapped) {
        return postLogin(http, mount, body(secret), "AppRole");
      }
      // a wrapping token and the secret id it wraps are good for one login: stay redacted for the
      // grace period, then forgotten
      Secret unwrapped;
      try {
        unwrapped = unwrapSecretId(http, secret);
      } finally {
        Redactor.global().retire(secret);
      }
      try {
        return postLogin(http, mount, body(unwrapped), "AppRole");
      } finally {
        Redactor.global().retire(unwrapped);
      }
    }

    private ObjectNode body(Secret secret) {
      ObjectNode body = VaultHttp.MAPPER.createObjectNode();
      body.put("role_id", roleId);
      body.put("secret_id", secret.value(InsecureSecretAccess.get()));
      return body;
    }

    /** {@code POST /v1/sys/wrapping/unwrap} with the wrapping token: {@code data.secret_id}. */
    private Secret unwrapSecretId(VaultHttp http, Secret wrappingToken) {
      VaultHttp.checkedTokenCharacters(wrappingToken, secretIdSource);
      String path = "sys/wrapping/unwrap";
      VaultErrors.Call call = new VaultErrors.Call(null, "update", path, http.namespace());
      VaultHttp.Reply reply;
      try {
        reply = http.post(path, wrappingToken, VaultHttp.MAPPER.createObjectNode());
      } catch (IOException e) {
        throw VaultErrors.transport(e, call);
      }
      if (reply.status() == 400 || reply.status() == 403) {
        throw new KeyAccessDeniedException(
            "Vault refused to unwrap the wrapped secret id from "
                + secretIdSource
                + " (HTTP "
                + reply.status()
                + "): a wrapping token can be unwrapped once only and expires; deliver a fresh"
                + " wrapped secret id",
            null);
      }
      if (!reply.ok()) {
        throw VaultErrors.map(reply, call);
      }
      JsonNode id = reply.json() == null ? null : reply.json().path("data").get("secret_id");
      if (id == null || !id.isTextual() || id.textValue().isEmpty()) {
        throw new MalformedSecretException(
            "the Vault answer to sys/wrapping/unwrap has no field 'data.secret_id': is the"
                + " wrapped value a secret id?",
            null);
      }
      return register(Secret.of(id.textValue()));
    }

    @Override
    boolean canLogInAgain() {
      return true;
    }

    @Override
    String method() {
      return "approle";
    }

    @Override
    public String toString() {
      return "VaultAuthentication.appRole[mount="
          + mount
          + ", secretId from "
          + secretIdSource
          + (wrapped ? ", response-wrapped" : "")
          + "]";
    }
  }

  /** Kubernetes: the service-account JWT, read at each login. */
  private static final class Kubernetes extends VaultAuthentication {
    private final String mount;
    private final String role;
    private final Path jwtFile;

    Kubernetes(KubernetesBuilder b) {
      this.mount = b.mount;
      this.role = b.role;
      this.jwtFile = b.jwtFile;
    }

    @Override
    Login login(VaultHttp http) {
      Secret jwt = register(readSecretFile(jwtFile, "service-account token"));
      ObjectNode body = VaultHttp.MAPPER.createObjectNode();
      body.put("role", role);
      body.put("jwt", jwt.value(InsecureSecretAccess.get()));
      return postLogin(http, mount, body, "Kubernetes");
    }

    @Override
    boolean canLogInAgain() {
      return true;
    }

    @Override
    String method() {
      return "kubernetes";
    }

    @Override
    public String toString() {
      return "VaultAuthentication.kubernetes[mount="
          + mount
          + ", role="
          + role
          + ", jwt="
          + jwtFile
          + "]";
    }
  }

  // ------------------------------------------------------------------------------ builders

  /**
   * Builds an AppRole authentication. The role id is required, and exactly one source of the secret
   * id. Each setting is checked when it is set; the last call wins. Not thread-safe.
   */
  public static final class AppRoleBuilder {
    private String mount = "approle";
    private @Nullable String roleId;
    private @Nullable String secretIdSource;
    private java.util.function.@Nullable Supplier<Secret> secretId;
    private boolean wrapped;

    private AppRoleBuilder() {}

    /**
     * Sets the mount of the AppRole auth method (default {@code approle}).
     *
     * @param mount the mount path, such as {@code approle} or {@code team-a/approle}
     * @return this builder
     */
    public AppRoleBuilder mount(String mount) {
      this.mount = mountName(mount);
      return this;
    }

    /**
     * Sets the role id ({@code bao read auth/approle/role/NAME/role-id}).
     *
     * @param roleId the role id
     * @return this builder
     */
    public AppRoleBuilder roleId(String roleId) {
      Objects.requireNonNull(roleId, "roleId");
      if (roleId.isBlank()) {
        throw new IllegalArgumentException("roleId must not be blank");
      }
      this.roleId = roleId.strip();
      return this;
    }

    /**
     * Reads the secret id from a file at each login (a file your deployment writes), so a new one
     * written there is used at the next login.
     *
     * @param file the file
     * @return this builder
     */
    public AppRoleBuilder secretIdFile(Path file) {
      Objects.requireNonNull(file, "file");
      this.secretIdSource = "secret id file " + file;
      this.secretId = () -> readSecretFile(file, "secret id");
      return this;
    }

    /**
     * Reads the secret id from an environment variable at each login.
     *
     * @param variable the variable's name, such as {@code VAULT_SECRET_ID}
     * @return this builder
     */
    public AppRoleBuilder secretIdFromEnvironment(String variable) {
      return secretIdFromEnvironment(variable, System::getenv);
    }

    AppRoleBuilder secretIdFromEnvironment(String variable, Function<String, String> env) {
      Objects.requireNonNull(variable, "variable");
      this.secretIdSource = "environment variable " + variable;
      this.secretId =
          () -> {
            String value = env.apply(variable);
            if (value == null || value.isBlank()) {
              throw new KeyAccessDeniedException(
                  "the AppRole secret id variable " + variable + " is not set", null);
            }
            return Secret.of(value.strip());
          };
      return this;
    }

    /**
     * Uses a secret id you hold (it cannot change, so a login after it expires fails).
     *
     * @param secretId the secret id
     * @return this builder
     */
    public AppRoleBuilder secretId(Secret secretId) {
      Objects.requireNonNull(secretId, "secretId");
      register(secretId);
      this.secretIdSource = "secretId(...)";
      this.secretId = () -> secretId;
      return this;
    }

    /**
     * Says the secret id source holds a response-wrapping token ({@code bao write -wrap-ttl=60s -f
     * auth/approle/role/NAME/secret-id}), which is unwrapped ({@code sys/wrapping/unwrap}) at
     * login. A wrapping token works once: deliver a new one before each login (a new one is needed
     * only when the token can no longer be renewed).
     *
     * @param wrapped whether the secret id is response-wrapped (default false)
     * @return this builder
     */
    public AppRoleBuilder responseWrapped(boolean wrapped) {
      this.wrapped = wrapped;
      return this;
    }

    /**
     * Builds the authentication.
     *
     * @return the authentication
     * @throws IllegalStateException if the role id or the secret id source is missing
     */
    public VaultAuthentication build() {
      if (roleId == null) {
        throw new IllegalStateException("AppRole needs roleId(...)");
      }
      if (secretId == null) {
        throw new IllegalStateException(
            "AppRole needs a secret id: secretIdFile(...), secretIdFromEnvironment(...) or"
                + " secretId(...)");
      }
      return new AppRole(this);
    }
  }

  /** Builds a Kubernetes authentication. Not thread-safe. */
  public static final class KubernetesBuilder {
    private final String role;
    private String mount = "kubernetes";
    private Path jwtFile = DEFAULT_KUBERNETES_JWT;

    private KubernetesBuilder(String role) {
      Objects.requireNonNull(role, "role");
      if (role.isBlank()) {
        throw new IllegalArgumentException("the Kubernetes role must not be blank");
      }
      this.role = role.strip();
    }

    /**
     * Sets the mount of the Kubernetes auth method (default {@code kubernetes}).
     *
     * @param mount the mount path
     * @return this builder
     */
    public KubernetesBuilder mount(String mount) {
      this.mount = mountName(mount);
      return this;
    }

    /**
     * Sets the file of the service-account token (default {@link #DEFAULT_KUBERNETES_JWT}); a
     * projected token with a Vault audience works too. Read at each login, so a rotated projected
     * token is used.
     *
     * @param file the JWT file
     * @return this builder
     */
    public KubernetesBuilder jwtFile(Path file) {
      this.jwtFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Builds the authentication.
     *
     * @return the authentication
     */
    public VaultAuthentication build() {
      return new Kubernetes(this);
    }
  }
}
