package dev.keyguard.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.ApiPresets;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.FakeScheduler;
import dev.keyguard.testing.InMemoryKeyProviderForTesting;
import dev.keyguard.testing.TestSecrets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import okhttp3.FormBody;
import org.jspecify.annotations.Nullable;

/**
 * The README's "Testing and sandboxes" section, kept here so that it compiles with every build
 * ({@code ReadmeSandboxesTest} fails when the two drift apart). Each method holds one README block
 * between {@code README-SANDBOXES-BEGIN} and {@code README-SANDBOXES-END}, in README order. The
 * methods that call a sandbox need the network; {@link #rotationInATest(String)} runs against a
 * local test server.
 */
public final class Sandboxes {

  private Sandboxes() {}

  /**
   * Binance Spot Testnet: the {@code BINANCE} preset with the base URL overridden.
   *
   * @param manager the application's key manager
   * @return the testnet account, as JSON
   */
  public static @Nullable JsonNode binanceSpotTestnet(KeyManager manager) {
    // README-SANDBOXES-BEGIN
    // The preset sets the base URL, the HMAC scheme, rejection codes and rate-limit headers;
    // a setting made after it wins, so only the base URL changes. Paths keep their /api prefix.
    KeyGuardClient testnet =
        KeyGuardClient.builder()
            .preset(ApiPresets.BINANCE)
            .baseUrl("https://testnet.binance.vision")
            .managedKey(manager.key("binance-testnet")) // a key pair made on testnet.binance.vision
            .build();

    JsonNode account = testnet.get("/api/v3/account", JsonNode.class);
    // README-SANDBOXES-END
    return account;
  }

  /**
   * Coinbase Advanced Trade's static sandbox, with a throw-away key made at run time: prints the
   * sandbox's (static) list of accounts.
   *
   * @throws GeneralSecurityException if the JDK cannot make a P-256 key
   */
  public static void coinbaseStaticSandbox() throws GeneralSecurityException {
    // README-SANDBOXES-BEGIN
    // The static sandbox checks no credential, but the client always signs a JWT: give it a
    // throw-away P-256 key made at run time, never a real one.
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    String throwAwayPem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(ec.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    InMemoryKeyProviderForTesting keys =
        new InMemoryKeyProviderForTesting()
            .put(
                VersionedCredential.builder(
                        KeyId.of("coinbase-sandbox"),
                        Secret.of("organizations/sandbox/apiKeys/throw-away"))
                    .apiSecret(Secret.of(throwAwayPem))
                    .build());

    try (KeyManager manager = KeyManager.builder().provider(keys).build()) {
      KeyGuardClient sandbox =
          KeyGuardClient.builder()
              .preset(ApiPresets.COINBASE_ADVANCED_TRADE)
              .baseUrl("https://api-sandbox.coinbase.com")
              .managedKey(manager.key("coinbase-sandbox"))
              .build();

      // accounts and orders only; the answers are canned, in the production format
      JsonNode accounts = sandbox.get("/api/v3/brokerage/accounts", JsonNode.class);
      System.out.println(accounts == null ? "(an empty answer)" : accounts.toPrettyString());
    }
    // README-SANDBOXES-END
  }

  /**
   * Kraken Spot has no sandbox: an order checked with {@code validate=true}, not placed.
   *
   * @param manager the application's key manager
   * @return Kraken's answer, as JSON
   */
  public static @Nullable JsonNode krakenValidateOnly(KeyManager manager) {
    // README-SANDBOXES-BEGIN
    KeyGuardClient kraken =
        KeyGuardClient.builder()
            .preset(ApiPresets.KRAKEN)
            .managedKey(manager.key("kraken")) // a real key with the order permission
            .build();

    FormBody order =
        new FormBody.Builder() // the scheme adds the nonce and signs the body
            .add("ordertype", "limit")
            .add("type", "buy")
            .add("volume", "0.0001")
            .add("pair", "XBTUSD")
            .add("price", "1000")
            .add("validate", "true") // Kraken checks the key and the order, and places nothing
            .build();
    JsonNode checked = kraken.post("/0/private/AddOrder", order, JsonNode.class);
    // README-SANDBOXES-END
    return checked;
  }

  /**
   * A staging server whose certificate comes from a private CA.
   *
   * @param key the key for the staging server
   * @return a client that trusts the private CA and the system CAs
   */
  public static KeyGuardClient privateCa(ManagedKey key) {
    // README-SANDBOXES-BEGIN
    // The CA and the system CAs. trustCertificates(...) instead trusts that CA alone; both take
    // a PEM file, PEM bytes or a KeyStore. Pins and TLS 1.2+ apply either way.
    HttpsPolicy staging =
        HttpsPolicy.builder()
            .addTrustedCertificates(Path.of("/etc/ssl/private/staging-ca.pem"))
            .build();

    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(ApiPresets.TOKEN_METRICS)
            .baseUrl("https://api.staging.example.internal/v2")
            .httpsPolicy(staging)
            .managedKey(key)
            .build();
    // README-SANDBOXES-END
    return client;
  }

  /**
   * A test against a local plain-HTTP server: an in-memory key that rotates on a fake clock. Calls
   * {@code GET /price} twice, before and after the rotation.
   *
   * @param localServer the test server's URL, such as {@code http://127.0.0.1:8089}
   */
  public static void rotationInATest(String localServer) {
    // README-SANDBOXES-BEGIN
    FakeClock clock = new FakeClock();
    FakeScheduler scheduler = new FakeScheduler(clock); // runs refreshes when the test says so
    InMemoryKeyProviderForTesting keys = new InMemoryKeyProviderForTesting();
    keys.put(
        VersionedCredential.builder(KeyId.of("market-data"), TestSecrets.randomSecret())
            .version("1")
            .build());

    try (KeyManager manager =
        KeyManager.builder()
            .provider(keys)
            .timeSource(clock)
            .scheduler(scheduler)
            .refreshAfter(Duration.ofMinutes(5))
            .build()) {
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl(localServer) // http://127.0.0.1:<port>
              .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
              .authScheme(AuthSchemes.header("x-api-key"))
              .managedKey(manager.key("market-data"))
              .timeSource(clock) // backoff and Retry-After waits pass on the fake clock
              .build();
      JsonNode before = client.get("/price", Map.of("ids", "bitcoin"), JsonNode.class);

      // rotate: the next refresh, 5 minutes (plus jitter) later on the fake clock, picks it up
      keys.put(
          VersionedCredential.builder(KeyId.of("market-data"), TestSecrets.randomSecret())
              .version("2")
              .build());
      scheduler.advance(Duration.ofMinutes(6));
      JsonNode after = client.get("/price", Map.of("ids", "bitcoin"), JsonNode.class); // version 2
    }
    // README-SANDBOXES-END
  }
}
