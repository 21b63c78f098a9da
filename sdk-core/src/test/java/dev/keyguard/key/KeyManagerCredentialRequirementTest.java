package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.REFRESH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyId;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A credential that lacks a part its auth scheme needs fails where it is loaded ({@code
 * awaitReady}, the first fetch, a refresh), with a message that names the missing field and the
 * fields found, never a value; not at the first signed request.
 */
class KeyManagerCredentialRequirementTest {

  private static final KeyId BINANCE = KeyId.of("binance");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final KeyManagerFixture f = new KeyManagerFixture();
  private final LogCapture logs = LogCapture.of("dev.keyguard");

  /** Every value stored in a JSON text below, to check that none reaches a message or a log. */
  private final List<Secret> storedValues = new ArrayList<>();

  @AfterEach
  void tearDown() {
    logs.close();
    f.close();
  }

  /** Real scheduler threads (awaitReady bounds real waiting), fake clock. */
  private KeyManager startWithOwnScheduler() {
    return f.start(
        KeyManager.builder()
            .provider(f.provider)
            .timeSource(f.clock)
            .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(20))
            .listener(f.events::add));
  }

  /** A generated value, remembered for the leak checks. */
  private String value() {
    String v = TestSecrets.randomBase64Url(24);
    storedValues.add(Secret.of(v));
    return v;
  }

  /** Stores a text value as a backend would: parsed by the default field mapping. */
  private VersionedCredential storeText(KeyId keyId, String stored) {
    return f.put(CredentialFieldMapping.defaults().parse(keyId, stored).build());
  }

  private static KeyGuardClient client(ManagedKey key, AuthScheme scheme) {
    return KeyGuardClient.builder()
        .baseUrl("https://api.example.com")
        .managedKey(key)
        .authScheme(scheme)
        .build();
  }

  private void assertNoValueIn(Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    SecretLeakAssertions.assertNoLeak(e, storedValues);
    SecretLeakAssertions.assertNoLeakInText(
        "stack trace", trace.toString(), storedValues.toArray(Secret[]::new));
    SecretLeakAssertions.assertNoLeakInText(
        "log", logs.text(), storedValues.toArray(Secret[]::new));
  }

  @Test
  void awaitReady_whenBinanceSecretIsStoredAsSecretKey_failsNamingApiSecretAndTheFieldsFound() {
    storeText(
        BINANCE,
        "{\"apiKey\":\"" + value() + "\",\"secretKey\":\"" + value() + "\",\"version\":\"3\"}");
    KeyManager manager = startWithOwnScheduler();
    ManagedKey key = manager.key(BINANCE, AuthSchemes.binanceHmac().requirement());

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> manager.awaitReady(WAIT));

    assertThat(e.getMessage())
        .contains("key 'binance' (version 3) has no API secret")
        .contains("the Binance HMAC-SHA256 scheme needs")
        .contains("expected field 'apiSecret'")
        .contains("found fields: apiKey, secretKey, version");
    assertThat(e.keyId()).contains(BINANCE);
    assertThat(e.isRetryable()).isFalse();
    assertThat(catchThrowableOfType(MalformedSecretException.class, key::current))
        .as("nothing is served")
        .hasMessageContaining("has no API secret");
    assertNoValueIn(e);
  }

  @Test
  void awaitReady_whenAClientOnTheKeyWasBuiltFirst_failsOnTheMissingApiSecret() {
    storeText(BINANCE, "{\"apiKey\":\"" + value() + "\",\"secretKey\":\"" + value() + "\"}");
    KeyManager manager = startWithOwnScheduler();
    ManagedKey key = manager.key(BINANCE);
    client(key, AuthSchemes.binanceHmac());

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> key.awaitReady(WAIT));

    assertThat(e.getMessage())
        .contains("has no API secret")
        .contains("expected field 'apiSecret'")
        .contains("found fields: apiKey, secretKey");
    assertNoValueIn(e);
  }

  @Test
  void awaitReady_whenCoinbasePrivateKeyIsMissing_failsNamingTheEcPrivateKey() {
    KeyId coinbase = KeyId.of("coinbase");
    storeText(coinbase, "{\"apiKey\":\"organizations/" + value() + "/apiKeys/" + value() + "\"}");
    KeyManager manager = startWithOwnScheduler();
    manager.key(coinbase, AuthSchemes.coinbaseJwt().requirement());

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> manager.awaitReady(WAIT));

    assertThat(e.getMessage())
        .contains("key 'coinbase'")
        .contains("has no EC private key")
        .contains("Coinbase JWT (ES256) scheme")
        .contains("expected field 'apiSecret'")
        .contains("found fields: apiKey");
    assertNoValueIn(e);
  }

  @Test
  void awaitReady_whenAPlainStringIsStoredForASigningScheme_saysTheWholeValueIsTheApiKey() {
    KeyId kraken = KeyId.of("kraken");
    storeText(kraken, value());
    KeyManager manager = startWithOwnScheduler();
    manager.key(kraken, AuthSchemes.krakenHmac().requirement());

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> manager.awaitReady(WAIT));

    assertThat(e.getMessage())
        .contains("has no API secret")
        .contains("found: the whole value")
        .contains("'apiKey' and 'apiSecret'");
    assertNoValueIn(e);
  }

  @Test
  void awaitReady_whenTheSchemeNeedsOnlyTheApiKey_servesAPlainStoredKey() {
    KeyId coingecko = KeyId.of("coingecko");
    VersionedCredential stored = storeText(coingecko, value());
    KeyManager manager = startWithOwnScheduler();
    ManagedKey key = manager.key(coingecko, AuthSchemes.header("x-api-key").requirement());

    manager.awaitReady(WAIT);

    assertThat(key.current()).isSameAs(stored);
    assertThat(client(key, AuthSchemes.header("x-api-key"))).isNotNull();
  }

  @Test
  void refresh_whenTheNewVersionLacksTheApiSecret_keepsTheLastGoodKeyAndFiresRefreshFailed() {
    VersionedCredential v1 =
        storeText(
            BINANCE,
            "{\"apiKey\":\"" + value() + "\",\"apiSecret\":\"" + value() + "\",\"version\":\"1\"}");
    ManagedKey key = f.start().key(BINANCE);
    client(key, AuthSchemes.binanceHmac());
    assertThat(key.current()).isSameAs(v1);

    storeText(
        BINANCE,
        "{\"apiKey\":\"" + value() + "\",\"secretKey\":\"" + value() + "\",\"version\":\"2\"}");
    f.scheduler.advance(REFRESH);

    assertThat(key.current()).as("the last good key stays served").isSameAs(v1);
    assertThat(f.events(KeyEvent.KeyRotated.class)).isEmpty();
    KeyEvent.RefreshFailed failed = f.events(KeyEvent.RefreshFailed.class).get(0);
    assertThat(failed.cause())
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("(version 2) has no API secret")
        .hasMessageContaining("found fields: apiKey, secretKey, version");
    assertThat(failed.servingStale()).isTrue();
    assertThat(failed.servedVersion()).isEqualTo("1");
    assertThat(logs.messages(Level.WARN))
        .anySatisfy(m -> assertThat(m).contains("has no API secret").contains("still serving"));
    assertNoValueIn(failed.cause());
    SecretLeakAssertions.assertNoLeakInText(
        "event", failed.toString(), storedValues.toArray(Secret[]::new));
  }

  @Test
  void clientBuild_whenTheLoadedKeyLacksTheApiSecret_failsAndLeavesTheKeyAsItWas() {
    VersionedCredential plain = storeText(BINANCE, value());
    ManagedKey key = f.start().key(BINANCE);
    key.current();

    MalformedSecretException e =
        catchThrowableOfType(
            MalformedSecretException.class, () -> client(key, AuthSchemes.binanceHmac()));

    assertThat(e.getMessage())
        .contains("has no API secret")
        .contains("Binance HMAC-SHA256")
        .contains("found: the whole value");
    assertNoValueIn(e);
    // The refused requirement was not registered: the key still refreshes for its other users.
    f.scheduler.advance(REFRESH);
    assertThat(f.events(KeyEvent.RefreshFailed.class)).isEmpty();
    assertThat(key.current()).isSameAs(plain);
  }

  @Test
  void rejected_whenAnAlternateLacksTheApiSecret_doesNotOfferIt() {
    storeText(
        BINANCE,
        "{\"apiKey\":\"" + value() + "\",\"apiSecret\":\"" + value() + "\",\"version\":\"1\"}");
    VersionedCredential incomplete =
        CredentialFieldMapping.defaults()
            .parse(BINANCE, "{\"apiKey\":\"" + value() + "\",\"version\":\"0-previous\"}")
            .build();
    f.backend.putAlternates(BINANCE, List.of(incomplete));
    ManagedKey key = f.start().key(BINANCE, AuthSchemes.binanceHmac().requirement());

    assertThat(key.rejected(key.current())).isEmpty();
    assertThat(logs.messages(Level.WARN))
        .anySatisfy(m -> assertThat(m).contains("0-previous").contains("has no API secret"));
  }

  @Test
  void message_whenAFieldNameLooksLikeAValue_describesItInsteadOfPrintingIt() {
    String keyAsName = TestSecrets.randomHex(20);
    storeText(BINANCE, "{\"apiKey\":\"" + value() + "\",\"" + keyAsName + "\":\"x\"}");
    KeyManager manager = startWithOwnScheduler();
    manager.key(BINANCE, AuthSchemes.binanceHmac().requirement());

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> manager.awaitReady(WAIT));

    assertThat(e.getMessage())
        .contains("found fields: apiKey, <a name of 40 characters that looks like a value")
        .doesNotContain(keyAsName);
    storedValues.add(Secret.of(keyAsName));
    assertNoValueIn(e);
  }
}
