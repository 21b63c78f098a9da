package dev.keyguard.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.vault.VaultAuthentication;
import dev.keyguard.vault.VaultKeyProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vault / OpenBao quick start: an API key kept in a KV v2 secret, read through KeyGuard with an
 * AppRole login whose token is renewed, and kept fresh across a new version.
 *
 * <p>Against a local OpenBao dev server with TLS ({@code scripts/vault-quickstart.sh} does all of
 * this): it starts {@code bao server -dev -dev-tls}, sets {@code VAULT_ADDR}, {@code VAULT_CACERT}
 * and a root {@code VAULT_TOKEN}, and runs this class with {@code --demo}, which uses the root
 * token only to set the server up as an operator would (the secret, a read-only policy on exactly
 * its path, an AppRole role), then reads the key as the application, through AppRole.
 *
 * <p>Against your Vault: {@code VAULT_ADDR=https://vault.example.com:8200 VAULT_TOKEN=…
 * VAULT_CACERT=… java -cp … dev.keyguard.examples.VaultQuickStart --key apps/market-data} reads
 * that key (in mount {@code secret}) with the token from the environment.
 *
 * <p>The README's Vault section shows the regions between {@code README-VAULT-BEGIN} and {@code
 * README-VAULT-END}, in README order. Nothing here logs a key or a token: credentials print as key
 * id, version and fingerprint.
 */
public final class VaultQuickStart {

  private static final Logger LOG = LoggerFactory.getLogger(VaultQuickStart.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY_PATH = "apps/market-data";

  private VaultQuickStart() {}

  /**
   * Runs the quick start.
   *
   * @param args {@code --demo} (against a dev server: sets it up with the root token), {@code --key
   *     PATH} (without {@code --demo}: the key to read, default {@code apps/market-data})
   * @throws Exception if a step fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = AwsQuickStart.Options.parse(args, "--demo");
    if (!options.containsKey("--demo")) {
      readWithTheEnvironmentToken(options.getOrDefault("--key", KEY_PATH));
      return;
    }
    Admin admin = new Admin(System.getenv());
    Path secretIdFile = admin.setUpAppRole();
    String roleId = admin.roleId();
    try (VaultKeyProvider vault = appRole(roleId, secretIdFile);
        KeyManager manager =
            KeyManager.builder().provider(vault).refreshAfter(Duration.ofSeconds(1)).build()) {
      ManagedKey key = manager.key("market-data");
      manager.awaitReady(Duration.ofSeconds(10));
      VersionedCredential first = key.current();
      LOG.info("serving {} through {}", first, vault);

      int written = admin.writeKey();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!key.current().version().equals(Integer.toString(written))
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      VersionedCredential second = key.current();
      if (!second.version().equals(Integer.toString(written))) {
        throw new IllegalStateException("version " + written + " was not served within 10 s");
      }
      LOG.info("a new version was written; now serving {}", second);
      Optional<VersionedCredential> retryWith = key.rejected(second); // the API answered 401
      LOG.info(
          "the API refused version {}; KeyGuard retries with {} (the previous version)",
          second.version(),
          retryWith.map(Object::toString).orElse("nothing"));
    }
    LOG.info("closed: the AppRole token was revoked");
  }

  private static void readWithTheEnvironmentToken(String keyPath) throws InterruptedException {
    // README-VAULT-BEGIN
    // VAULT_ADDR (or BAO_ADDR), VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT; keys in mount "secret"
    VaultKeyProvider vault = VaultKeyProvider.fromEnvironment();
    KeyManager manager = KeyManager.builder().provider(vault).build();
    ManagedKey key = manager.key(keyPath); // the key id is the path: secret/data/<keyPath>
    // README-VAULT-END
    try (vault;
        manager) {
      manager.awaitReady(Duration.ofSeconds(10));
      LOG.info("serving {} through {}", key.current(), vault);
    }
  }

  /**
   * AppRole: the production shape of the quick start.
   *
   * @param roleId the role id
   * @param secretIdFile the file the deployment writes the secret id to
   * @return the provider
   */
  static VaultKeyProvider appRole(String roleId, Path secretIdFile) {
    // README-VAULT-BEGIN
    VaultKeyProvider vault =
        VaultKeyProvider.builder()
            .fromEnvironment() // VAULT_ADDR, VAULT_NAMESPACE, VAULT_CACERT
            .authentication(
                VaultAuthentication.appRole()
                    .roleId(roleId) // bao read auth/approle/role/market-data/role-id
                    .secretIdFile(secretIdFile) // read again at each login
                    .build())
            .key("market-data", "secret", "apps/market-data") // secret/data/apps/market-data
            .tokenListener(event -> LOG.info("vault token: {}", event))
            .build();
    // README-VAULT-END
    return vault;
  }

  /**
   * Kubernetes: the pod's service-account token, a Vault role bound to the service account.
   *
   * @return the provider
   */
  static VaultKeyProvider kubernetes() {
    // README-VAULT-BEGIN
    VaultKeyProvider vault =
        VaultKeyProvider.builder()
            .address("https://vault.example.com:8200")
            .authentication(VaultAuthentication.kubernetes("market-data").build()) // the Vault role
            .key("market-data", "secret", "apps/market-data")
            .build();
    // README-VAULT-END
    return vault;
  }

  /**
   * A token file written by Vault Agent or OpenBao Agent, a namespace, a KV v1 mount and a pinned
   * version.
   *
   * @return the provider
   */
  static VaultKeyProvider agentTokenFile() {
    // README-VAULT-BEGIN
    VaultKeyProvider vault =
        VaultKeyProvider.builder()
            .address("https://vault.example.com:8200")
            .namespace("team-a") // X-Vault-Namespace
            .caCertificate(Path.of("/etc/vault/ca.pem")) // as VAULT_CACERT
            .authentication(VaultAuthentication.tokenFile(Path.of("/run/vault/token")))
            .key("openai", "legacy-kv", "apps/openai", "token") // KV v1, field "token"
            .kvVersion("legacy-kv", 1)
            .pinVersion("market-data", 7) // hold version 7 of secret/data/market-data
            .build();
    // README-VAULT-END
    return vault;
  }

  /** The operator's side of the demo, with the dev server's root token (never the app's). */
  private static final class Admin {
    private final String address;
    private final String rootToken;
    private final HttpClient http;

    Admin(Map<String, String> env) throws Exception {
      this.address = require(env, "VAULT_ADDR");
      this.rootToken = require(env, "VAULT_TOKEN");
      String ca = env.get("VAULT_CACERT");
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
      if (ca != null) {
        b.sslContext(trusting(Path.of(ca)));
      }
      this.http = b.build();
    }

    /** The secret, a policy that reads exactly its path, an AppRole role with that policy. */
    Path setUpAppRole() throws Exception {
      writeKey();
      call(
          "PUT",
          "sys/policies/acl/market-data-read",
          Map.of(
              "policy",
              "path \"secret/data/" + KEY_PATH + "\" {\n  capabilities = [\"read\"]\n}\n"));
      if (!call("GET", "sys/auth", null).path("data").has("approle/")) {
        call("POST", "sys/auth/approle", Map.of("type", "approle"));
      }
      call(
          "POST",
          "auth/approle/role/market-data",
          Map.of(
              "token_policies",
              List.of("market-data-read"),
              "token_ttl",
              "30s",
              "token_max_ttl",
              "10m"));
      String secretId =
          call("POST", "auth/approle/role/market-data/secret-id", Map.of())
              .path("data")
              .path("secret_id")
              .asText();
      Path dir = Files.createTempDirectory("keyguard-vault-quickstart");
      Path file =
          Files.createFile(
              dir.resolve("secret-id"),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, secretId);
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      LOG.info("set up: secret {}, policy market-data-read, AppRole role market-data", KEY_PATH);
      return file;
    }

    String roleId() throws Exception {
      return call("GET", "auth/approle/role/market-data/role-id", null)
          .path("data")
          .path("role_id")
          .asText();
    }

    /** Writes a new version with a random key; returns its number. */
    int writeKey() throws Exception {
      byte[] b = new byte[24];
      new SecureRandom().nextBytes(b);
      String value = "demo_" + HexFormat.of().formatHex(b);
      return call("POST", "secret/data/" + KEY_PATH, Map.of("data", Map.of("apiKey", value)))
          .path("data")
          .path("version")
          .asInt();
    }

    private JsonNode call(String method, String path, @Nullable Object body) throws Exception {
      HttpRequest.Builder r =
          HttpRequest.newBuilder(URI.create(address + "/v1/" + path))
              .timeout(Duration.ofSeconds(10))
              .header("X-Vault-Token", rootToken)
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      HttpResponse<byte[]> response = http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            method + " " + path + " answered HTTP " + response.statusCode());
      }
      return response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static String require(Map<String, String> env, String name) {
      String v = env.get(name);
      if (v == null || v.isBlank()) {
        throw new IllegalStateException(name + " is not set: run scripts/vault-quickstart.sh");
      }
      return v;
    }

    private static SSLContext trusting(Path ca) throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      try (InputStream in = Files.newInputStream(ca)) {
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("ca-" + i++, c);
        }
      } catch (IOException e) {
        throw new IllegalStateException("could not read VAULT_CACERT " + ca, e);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(store);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    }
  }
}
