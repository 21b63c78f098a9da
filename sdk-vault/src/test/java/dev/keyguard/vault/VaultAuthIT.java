package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.CanaryDetector;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * AppRole (plain and response-wrapped) and Kubernetes logins against a real OpenBao, and the token
 * lifecycle across a short TTL and the max TTL.
 */
class VaultAuthIT {

  @RegisterExtension static final OpenBaoServer BAO = new OpenBaoServer();

  private static final String KEY_PATH = "auth-it/market-data";
  private static String roleId;

  @TempDir Path dir;

  @BeforeAll
  static void setUp() {
    BAO.policy("reader", "path \"secret/data/auth-it/*\" {\n  capabilities = [\"read\"]\n}\n");
    BAO.put("secret", KEY_PATH, Map.of("apiKey", TestSecrets.randomValue()));
    BAO.call("POST", "sys/auth/approle", Map.of("type", "approle"));
    BAO.call(
        "POST",
        "auth/approle/role/app",
        Map.of("token_ttl", "10s", "token_max_ttl", "30s", "token_policies", List.of("reader")));
    roleId =
        BAO.call("GET", "auth/approle/role/app/role-id", null)
            .path("data")
            .path("role_id")
            .asText();
    // the secret id is a canary: the run fails if it reaches any output
    BAO.call(
        "POST",
        "auth/approle/role/app/custom-secret-id",
        Map.of("secret_id", Canaries.rawValue(Canaries.apiSecret())));
  }

  private static VaultKeyProvider.Builder builder(VaultAuthentication auth) {
    return VaultKeyProvider.builder()
        .address(BAO.address())
        .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
        .authentication(auth);
  }

  private Path file(String name, Secret content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content.value(InsecureSecretAccess.get()) + "\n", StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void appRole_tenSecondTokenOver40Seconds_isRenewedThenReplacedAtTheMaxTtl_andNoReadFails()
      throws Exception {
    Path secretId = file("secret-id", Canaries.apiSecret());
    List<VaultTokenEvent> events = new CopyOnWriteArrayList<>();
    Set<Secret> tokens = new LinkedHashSet<>();
    int reads = 0;
    try (LogCapture logs = LogCapture.root();
        VaultKeyProvider provider =
            builder(VaultAuthentication.appRole().roleId(roleId).secretIdFile(secretId).build())
                .tokenListener(events::add)
                .build()) {
      long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      while (System.nanoTime() < end) {
        provider.fetch(KeyId.of(KEY_PATH)); // throws if a read fails
        reads++;
        tokens.add(provider.session().state().token());
        Thread.sleep(250);
      }
      Secret first = tokens.iterator().next();

      assertThat(reads).isGreaterThan(100);
      assertThat(events).noneMatch(VaultTokenEvent.Failed.class::isInstance);
      assertThat(events)
          .filteredOn(VaultTokenEvent.Renewed.class::isInstance)
          .map(e -> (VaultTokenEvent.Renewed) e)
          .hasSizeGreaterThanOrEqualTo(3)
          .anyMatch(VaultTokenEvent.Renewed::cappedByMaxTtl)
          .anyMatch(r -> !r.cappedByMaxTtl());
      assertThat(events)
          .filteredOn(VaultTokenEvent.LoggedIn.class::isInstance)
          .map(e -> (VaultTokenEvent.LoggedIn) e)
          .anyMatch(l -> l.reLogin() && l.reason().equals("max TTL near"))
          .allMatch(l -> l.method().equals("approle"));
      assertThat(tokens).as("a new token after the max TTL").hasSizeGreaterThanOrEqualTo(2);
      assertThat(lookUp(first)).as("the first token expired at its max TTL").isEqualTo(403);
      CanaryDetector issued = new CanaryDetector(new ArrayList<>(tokens));
      issued.scan("logs", logs.text());
      issued.scan("events", events.toString());
      issued.throwIfViolated("an issued Vault token appeared in the logs or events");
    }
    Secret last = new ArrayList<>(tokens).get(tokens.size() - 1);
    assertThat(lookUp(last)).as("close() revoked the token it logged in for").isEqualTo(403);
  }

  @Test
  void appRole_withAResponseWrappedSecretId_unwrapsItOnce() throws Exception {
    Secret wrapping = BAO.wrapped("POST", "auth/approle/role/app/secret-id", Map.of());
    Path secretId = file("wrapped-secret-id", wrapping);
    try (VaultKeyProvider provider =
        builder(
                VaultAuthentication.appRole()
                    .roleId(roleId)
                    .secretIdFile(secretId)
                    .responseWrapped(true)
                    .build())
            .build()) {

      assertThat(provider.fetch(KeyId.of(KEY_PATH)).version()).isEqualTo("1");
    }
    try (VaultKeyProvider again =
        builder(
                VaultAuthentication.appRole()
                    .roleId(roleId)
                    .secretIdFile(secretId)
                    .responseWrapped(true)
                    .build())
            .build()) {
      assertThatThrownBy(() -> again.fetch(KeyId.of(KEY_PATH)))
          .isInstanceOf(KeyAccessDeniedException.class)
          .hasMessageContaining("unwrap")
          .hasMessageContaining("once");
    }
  }

  @Test
  void appRole_withAWrongSecretId_isDeniedWithoutShowingIt() throws Exception {
    Secret wrong = Canaries.withSpecialCharacters();
    try (VaultKeyProvider provider =
        builder(VaultAuthentication.appRole().roleId(roleId).secretId(wrong).build()).build()) {

      assertThatThrownBy(() -> provider.fetch(KeyId.of(KEY_PATH)))
          .isInstanceOf(KeyAccessDeniedException.class)
          .hasMessageContaining("AppRole login at 'auth/approle/login'")
          .satisfies(e -> Canaries.assertAbsentFrom(e.getMessage()));
    }
  }

  @Test
  void kubernetes_logsInThroughTheTokenReview() throws Exception {
    try (TokenReviewStub stub = new TokenReviewStub()) {
      BAO.call("POST", "sys/auth/kubernetes", Map.of("type", "kubernetes"));
      BAO.call(
          "POST",
          "auth/kubernetes/config",
          Map.of(
              "kubernetes_host",
              stub.host(),
              "disable_local_ca_jwt",
              true,
              // required with disable_local_ca_jwt; unused for the stub's http host
              "kubernetes_ca_cert",
              new HeldCertificate.Builder().certificateAuthority(0).build().certificatePem()));
      BAO.call(
          "POST",
          "auth/kubernetes/role/market-data",
          Map.of(
              "bound_service_account_names", List.of(TokenReviewStub.SERVICE_ACCOUNT),
              "bound_service_account_namespaces", List.of(TokenReviewStub.NAMESPACE),
              "token_policies", List.of("reader"),
              "token_ttl", "1m"));
      Path jwt = file("token", stub.jwt());
      List<VaultTokenEvent> events = new CopyOnWriteArrayList<>();

      try (VaultKeyProvider provider =
          builder(VaultAuthentication.kubernetes("market-data").jwtFile(jwt).build())
              .tokenListener(events::add)
              .build()) {
        assertThat(provider.fetch(KeyId.of(KEY_PATH)).version()).isEqualTo("1");
        assertThat(stub.reviews()).isGreaterThanOrEqualTo(1);
        assertThat(events)
            .first()
            .isInstanceOfSatisfying(
                VaultTokenEvent.LoggedIn.class,
                l -> {
                  assertThat(l.method()).isEqualTo("kubernetes");
                  assertThat(l.ttl()).contains(Duration.ofMinutes(1));
                  assertThat(l.renewable()).isTrue();
                });
      }

      Path other = file("other-token", Secret.of(TestSecrets.randomValue()));
      try (VaultKeyProvider refused =
          builder(VaultAuthentication.kubernetes("market-data").jwtFile(other).build()).build()) {
        assertThatThrownBy(() -> refused.fetch(KeyId.of(KEY_PATH)))
            .isInstanceOf(KeyAccessDeniedException.class)
            .hasMessageContaining("Kubernetes login");
      }
    }
  }

  /** The status of {@code lookup-self} with a token: 200 while it is valid, 403 after. */
  private static int lookUp(Secret token) {
    try {
      BAO.call("GET", "auth/token/lookup-self", null, null, token);
      return 200;
    } catch (IllegalStateException e) {
      return e.getMessage().contains("HTTP 403") ? 403 : -1;
    }
  }
}
