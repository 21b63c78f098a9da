package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.InsecureTransportException;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.client.KeyRejectedException;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyManagerFixture;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.provider.ChainKeyProvider;
import dev.keyguard.provider.EnvKeyProvider;
import dev.keyguard.provider.FileKeyProvider;
import dev.keyguard.provider.FileKeyProviderSeams;
import dev.keyguard.provider.SystemPropertyKeyProvider;
import dev.keyguard.testing.InMemoryKeyProviderForTesting;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The leak test of issue 2: no public type that holds a secret, and no exception KeyGuard builds
 * around one, reveals the value through {@code toString()}, exception messages and causes, Jackson
 * or Java serialization. Every value is generated at run time. Values are registered with the
 * {@link Redactor} only where the scenario relies on it (a vendor message that quotes a key the key
 * manager fetched); everywhere else the code must not echo the value in the first place.
 */
class SecretLeakTest {

  private static final KeyId ID = KeyId.of("exchange");

  @TempDir Path dir;

  /** A subject, the secrets it must not reveal, and what to close once it has been examined. */
  record Case(Object subject, List<Secret> secrets, AutoCloseable cleanup) {
    Case(Object subject, List<Secret> secrets) {
      this(subject, secrets, () -> {});
    }
  }

  interface Scenario {
    Case build(Path dir) throws Exception;
  }

  private static Arguments scenario(String name, Scenario scenario) {
    return Arguments.of(name, scenario);
  }

  private static <T extends Throwable> T thrown(Class<T> type, Runnable action) {
    return org.junit.jupiter.api.Assertions.assertThrows(type, action::run);
  }

  private static String json(String key, String secret) {
    return "{\"apiKey\":\"" + key + "\",\"apiSecret\":\"" + secret + "\"}";
  }

  /** Registers a secret the way the key manager does with every secret it fetches. */
  private static Secret live(String value) {
    Secret secret = Secret.of(value);
    Redactor.global().register(secret);
    return secret;
  }

  static Stream<Arguments> scenarios() {
    return Stream.of(
        // the secret-holding value types
        scenario(
            "Secret (base64 text)",
            d -> {
              Secret s = TestSecrets.randomSecret();
              return new Case(s, List.of(s));
            }),
        scenario(
            "Secret (special characters)",
            d -> {
              Secret s = Secret.of(TestSecrets.randomValueWithSpecialCharacters());
              return new Case(s, List.of(s));
            }),
        scenario(
            "Secret (binary)",
            d -> {
              byte[] raw = TestSecrets.randomBytes(32);
              raw[0] = (byte) 0xFE;
              Secret s = Secret.ofBytes(raw);
              return new Case(s, List.of(s));
            }),
        scenario(
            "Secret (destroyed)",
            d -> {
              Secret s = TestSecrets.randomSecret();
              Secret copy = Secret.ofBytes(s.bytes(InsecureSecretAccess.get()));
              s.destroy();
              return new Case(s, List.of(copy));
            }),
        scenario(
            "VersionedCredential with both parts",
            d -> {
              VersionedCredential c =
                  VersionedCredential.builder(ID, TestSecrets.randomSecret())
                      .apiSecret(Secret.of(TestSecrets.randomValueWithSpecialCharacters()))
                      .environment("prod")
                      .scopes(List.of("trade"))
                      .build();
              return new Case(c, SecretLeakAssertions.secretsOf(c));
            }),
        scenario(
            "VersionedCredential.Builder",
            d -> {
              Secret key = TestSecrets.randomSecret();
              Secret secret = TestSecrets.randomSecret();
              return new Case(
                  VersionedCredential.builder(ID, key).apiSecret(secret), List.of(key, secret));
            }),
        scenario(
            "List of credentials",
            d -> {
              VersionedCredential c =
                  VersionedCredential.builder(ID, TestSecrets.randomSecret()).build();
              return new Case(List.of(c), SecretLeakAssertions.secretsOf(c));
            }),

        // exceptions as the providers and the field mapping build them
        scenario(
            "MalformedSecretException: malformed JSON in an environment variable",
            d -> {
              String key = TestSecrets.randomValue();
              String secret = TestSecrets.randomValue();
              EnvKeyProvider env =
                  EnvKeyProvider.builder()
                      .variables(Map.of("exchange", json(key, secret) + ","))
                      .build();
              return new Case(
                  thrown(MalformedSecretException.class, () -> env.fetch(ID)),
                  secrets(key, secret));
            }),
        scenario(
            "MalformedSecretException: apiSecret of the wrong type",
            d -> {
              String key = TestSecrets.randomValue();
              String secret = TestSecrets.randomValue();
              String stored = "{\"apiKey\":\"" + key + "\",\"apiSecret\":[\"" + secret + "\"]}";
              return new Case(
                  thrown(
                      MalformedSecretException.class,
                      () -> CredentialFieldMapping.defaults().parse(ID, stored)),
                  secrets(key, secret));
            }),
        scenario(
            "MalformedSecretException: bad timestamp after the secrets",
            d -> {
              String key = TestSecrets.randomValue();
              String stored = "{\"apiKey\":\"" + key + "\",\"expiresAt\":\"" + key + "\"}";
              return new Case(
                  thrown(
                      MalformedSecretException.class,
                      () -> CredentialFieldMapping.defaults().parse(ID, stored)),
                  secrets(key));
            }),
        scenario(
            "MalformedSecretException: malformed JSON in a system property",
            d -> {
              String key = TestSecrets.randomValue();
              SystemPropertyKeyProvider p =
                  SystemPropertyKeyProvider.builder()
                      .properties(Map.of("exchange", "{\"apiKey\":'" + key + "'}"))
                      .build();
              return new Case(
                  thrown(MalformedSecretException.class, () -> p.fetch(ID)), secrets(key));
            }),
        scenario(
            "MalformedSecretException: malformed key file",
            d -> {
              String key = TestSecrets.randomValue();
              String secret = TestSecrets.randomValue();
              Files.writeString(d.resolve("exchange"), json(key, secret).replace(",", ";"));
              return new Case(
                  thrown(
                      MalformedSecretException.class,
                      () -> FileKeyProvider.forDirectory(d).fetch(ID)),
                  secrets(key, secret));
            }),
        scenario(
            "MalformedSecretException: key file not UTF-8",
            d -> {
              String key = TestSecrets.randomValue();
              byte[] content = (key + "\u0000").getBytes(StandardCharsets.UTF_8);
              content[content.length - 1] = (byte) 0xFF;
              Files.write(d.resolve("exchange"), content);
              return new Case(
                  thrown(
                      MalformedSecretException.class,
                      () -> FileKeyProvider.forDirectory(d).fetch(ID)),
                  secrets(key));
            }),
        scenario(
            "MalformedSecretException: key file over 64 KiB",
            d -> {
              String key = TestSecrets.randomValue();
              Files.writeString(
                  d.resolve("exchange"), key + "x".repeat(FileKeyProvider.MAX_FILE_BYTES));
              return new Case(
                  thrown(
                      MalformedSecretException.class,
                      () -> FileKeyProvider.forDirectory(d).fetch(ID)),
                  secrets(key));
            }),
        scenario(
            "MalformedSecretException: through a chain",
            d -> {
              String key = TestSecrets.randomValue();
              ChainKeyProvider chain =
                  ChainKeyProvider.of(
                      EnvKeyProvider.builder()
                          .variables(Map.of("exchange", "{\"apiKey\":" + key))
                          .build());
              return new Case(
                  thrown(MalformedSecretException.class, () -> chain.fetch(ID)), secrets(key));
            }),
        scenario(
            "KeyProviderUnavailableException: file I/O error",
            d -> {
              String key = TestSecrets.randomValue();
              Files.writeString(d.resolve("exchange"), key);
              FileKeyProvider p =
                  FileKeyProviderSeams.opener(
                          FileKeyProvider.builder().directory(d),
                          path -> {
                            throw new IOException("Input/output error: " + path);
                          })
                      .build();
              return new Case(
                  thrown(KeyProviderUnavailableException.class, () -> p.fetch(ID)), secrets(key));
            }),
        scenario(
            "KeyAccessDeniedException: unreadable key file",
            d -> {
              String key = TestSecrets.randomValue();
              Files.writeString(d.resolve("exchange"), key);
              FileKeyProvider p =
                  FileKeyProviderSeams.opener(
                          FileKeyProvider.builder().directory(d),
                          path -> {
                            throw new AccessDeniedException(path.toString());
                          })
                      .build();
              return new Case(
                  thrown(KeyAccessDeniedException.class, () -> p.fetch(ID)), secrets(key));
            }),
        scenario(
            "KeyAccessDeniedException: path traversal",
            d -> {
              String key = TestSecrets.randomValue();
              Files.writeString(d.resolve("outside"), key);
              Path inner = Files.createDirectories(d.resolve("inner"));
              return new Case(
                  thrown(
                      KeyAccessDeniedException.class,
                      () -> FileKeyProvider.forDirectory(inner).fetch(KeyId.of("../outside"))),
                  secrets(key));
            }),
        scenario(
            "KeyNotFoundException: no provider of a chain has the key",
            d -> {
              String other = TestSecrets.randomValue();
              ChainKeyProvider chain =
                  ChainKeyProvider.of(
                      EnvKeyProvider.builder().variables(Map.of("OTHER", other)).build(),
                      FileKeyProvider.forDirectory(d),
                      new InMemoryKeyProviderForTesting());
              return new Case(
                  thrown(KeyNotFoundException.class, () -> chain.fetch(ID)), secrets(other));
            }),
        scenario(
            "KeyRejectedException naming version and fingerprint",
            d -> {
              VersionedCredential c =
                  VersionedCredential.builder(ID, TestSecrets.randomSecret()).version("7").build();
              return new Case(
                  new KeyRejectedException(
                      "the API refused key '"
                          + c.keyId()
                          + "' version "
                          + c.version()
                          + " ("
                          + c.apiKey().fingerprint()
                          + ") with 401 and no newer version exists; rotate the key",
                      null,
                      c.keyId(),
                      c.version()),
                  SecretLeakAssertions.secretsOf(c));
            }),
        scenario(
            "InsecureTransportException",
            d -> {
              Secret s = TestSecrets.randomSecret();
              return new Case(
                  new InsecureTransportException(
                      "refusing to send key '"
                          + ID
                          + "' ("
                          + s.fingerprint()
                          + ") over cleartext http://api.example/",
                      ID),
                  List.of(s));
            }),
        scenario(
            "EnvironmentMismatchException",
            d -> {
              VersionedCredential c =
                  VersionedCredential.builder(ID, TestSecrets.randomSecret())
                      .environment("prod")
                      .build();
              return new Case(
                  new EnvironmentMismatchException(
                      "key '"
                          + ID
                          + "' is tagged "
                          + c.environment().orElseThrow()
                          + " but this is dev: "
                          + c,
                      null,
                      ID,
                      c.version()),
                  SecretLeakAssertions.secretsOf(c));
            }),
        scenario(
            "KeyGuardException whose message quotes a live key by accident",
            d -> {
              String value = TestSecrets.randomValue();
              Secret secret = live(value);
              return new Case(
                  new KeyGuardException("the vendor answered: invalid key " + value),
                  List.of(secret));
            }),
        scenario(
            "KeyProviderUnavailableException: chain over a vendor failure quoting a live key",
            d -> {
              String value = TestSecrets.randomHex(24);
              Secret secret = live(value);
              KeyProvider vendor =
                  keyId -> {
                    throw new IllegalStateException(
                        "GET https://vault.example/v1/secret?token=" + value + " failed");
                  };
              return new Case(
                  thrown(
                      KeyProviderUnavailableException.class,
                      () -> ChainKeyProvider.of(vendor).fetch(ID)),
                  List.of(secret));
            }),
        scenario(
            "KeyProviderUnavailableException: vendor cause chain quoting a live key",
            d -> {
              String value = TestSecrets.randomHex(24);
              Secret secret = live(value);
              RuntimeException vendor =
                  new RuntimeException(
                      "request failed",
                      new IOException("response body: {\"key\":\"" + value + "\"}"));
              vendor.addSuppressed(new IllegalArgumentException("apikey=" + value));
              return new Case(
                  new KeyProviderUnavailableException(
                      "key 'exchange': the vault did not answer", vendor, ID, "v3"),
                  List.of(secret));
            }),

        // the key manager: every event type from a really driven KeyManager, and the manager and
        // its managed key themselves after all of it
        keyEventScenario(KeyEvent.KeyLoaded.class, e -> true),
        keyEventScenario(KeyEvent.KeyRotated.class, e -> true),
        keyEventScenario(KeyEvent.RefreshFailed.class, e -> true),
        scenario(
            "KeyEvent.RefreshFailed: its cause, as a listener would log it (vendor quoting the key)",
            d -> {
              DrivenKeyManager run = DrivenKeyManager.drive();
              KeyEvent.RefreshFailed failed = run.f.events(KeyEvent.RefreshFailed.class).get(0);
              return new Case(failed.cause(), run.secrets(), run);
            }),
        keyEventScenario(KeyEvent.RefreshRecovered.class, e -> true),
        keyEventScenario(KeyEvent.KeyExpiringSoon.class, e -> true),
        keyEventScenario(KeyEvent.KeyTooOld.class, e -> true),
        keyEventScenario(
            KeyEvent.KeyRejected.class,
            e -> e.resolution() == KeyEvent.KeyRejected.Resolution.NEWER_VERSION),
        keyEventScenario(
            KeyEvent.KeyRejected.class,
            e -> e.resolution() == KeyEvent.KeyRejected.Resolution.ALTERNATE),
        keyEventScenario(
            KeyEvent.KeyRejected.class,
            e -> e.resolution() == KeyEvent.KeyRejected.Resolution.NONE),
        keyEventScenario(KeyEvent.AlternatePromoted.class, e -> true),
        keyEventScenario(KeyEvent.EnvironmentMismatch.class, e -> true),
        keyEventScenario(KeyEvent.KeyUnused.class, e -> true),
        keyEventScenario(KeyEvent.KeyTooPowerful.class, e -> true),
        keyEventScenario(KeyEvent.KeyNotIpRestricted.class, e -> true),
        keyEventScenario(KeyEvent.UsageAlert.class, e -> true),
        keyEventScenario(KeyEvent.UsageRecovered.class, e -> true),
        scenario(
            "KeyEvent: all events of a driven KeyManager, as one list",
            d -> {
              DrivenKeyManager run = DrivenKeyManager.drive();
              return new Case(run.events(), run.secrets(), run);
            }),
        scenario(
            "ManagedKey after load, rotation, failure, recovery, rejection and promotion",
            d -> {
              DrivenKeyManager run = DrivenKeyManager.drive();
              return new Case(run.key(), run.secrets(), run);
            }),
        scenario(
            "KeyManager after load, rotation, failure, recovery, rejection and promotion",
            d -> {
              DrivenKeyManager run = DrivenKeyManager.drive();
              return new Case(run.manager(), run.secrets(), run);
            }),
        scenario(
            "KeyProviderUnavailableException from ManagedKey.current() past maxStale, vendor quoting the key",
            d -> {
              DrivenKeyManager run = DrivenKeyManager.drive();
              run.failBeyondMaxStale();
              return new Case(
                  thrown(KeyProviderUnavailableException.class, () -> run.key().current()),
                  run.secrets(),
                  run);
            }),
        scenario(
            "ManagedKey and KeyManager after close",
            d -> {
              DrivenKeyManager run = DrivenKeyManager.drive();
              run.manager().close();
              return new Case(List.of(run.manager(), run.key()), run.secrets(), run);
            }),

        // the providers themselves, holding or having served keys
        scenario(
            "EnvKeyProvider over a map holding keys",
            d -> {
              String key = TestSecrets.randomValue();
              String secret = TestSecrets.randomValue();
              EnvKeyProvider p =
                  EnvKeyProvider.builder().variables(Map.of("exchange", json(key, secret))).build();
              p.fetch(ID);
              return new Case(p, secrets(key, secret));
            }),
        scenario(
            "SystemPropertyKeyProvider over a map holding keys",
            d -> {
              String key = TestSecrets.randomValue();
              SystemPropertyKeyProvider p =
                  SystemPropertyKeyProvider.builder().properties(Map.of("exchange", key)).build();
              p.fetch(ID);
              return new Case(p, secrets(key));
            }),
        scenario(
            "FileKeyProvider after serving a key",
            d -> {
              String key = TestSecrets.randomValue();
              String secret = TestSecrets.randomValue();
              Files.writeString(d.resolve("exchange"), json(key, secret));
              FileKeyProvider p = FileKeyProvider.forDirectory(d);
              p.fetch(ID);
              return new Case(p, secrets(key, secret));
            }),
        scenario(
            "ChainKeyProvider after serving a key",
            d -> {
              VersionedCredential c =
                  VersionedCredential.builder(ID, TestSecrets.randomSecret()).build();
              InMemoryKeyProviderForTesting memory = new InMemoryKeyProviderForTesting().put(c);
              ChainKeyProvider chain =
                  ChainKeyProvider.of(EnvKeyProvider.builder().variables(Map.of()).build(), memory);
              chain.fetch(ID);
              return new Case(chain, SecretLeakAssertions.secretsOf(c));
            }),
        scenario(
            "InMemoryKeyProviderForTesting holding keys and alternates",
            d -> {
              VersionedCredential c =
                  VersionedCredential.builder(ID, TestSecrets.randomSecret())
                      .apiSecret(TestSecrets.randomSecret())
                      .build();
              VersionedCredential alternate =
                  VersionedCredential.builder(ID, TestSecrets.randomSecret()).build();
              InMemoryKeyProviderForTesting p =
                  new InMemoryKeyProviderForTesting().put(c).putAlternates(ID, List.of(alternate));
              List<Secret> all = new ArrayList<>(SecretLeakAssertions.secretsOf(c, alternate));
              return new Case(p, all);
            }));
  }

  /**
   * One event of a type (and condition) from a driven key manager, with every secret it fetched.
   */
  private static <E extends KeyEvent> Arguments keyEventScenario(
      Class<E> type, java.util.function.Predicate<E> which) {
    String name = "KeyEvent." + type.getSimpleName();
    return scenario(
        name,
        d -> {
          DrivenKeyManager run = DrivenKeyManager.drive();
          E event =
              run.f.events(type).stream()
                  .filter(which)
                  .findFirst()
                  .orElseThrow(
                      () -> new AssertionError("the driven key manager fired no matching " + name));
          return new Case(event, run.secrets(), run);
        });
  }

  /**
   * A key manager on a fake clock and scheduler, driven through every kind of event: a first load
   * of a version that is too old and expires soon, a rotation, refresh failures with a vendor
   * message quoting the served key, recovery, a rejection answered by a newer version, one answered
   * by an alternate that is then promoted, and one with nothing left to offer.
   */
  static final class DrivenKeyManager implements AutoCloseable {
    final KeyManagerFixture f = new KeyManagerFixture();
    private KeyManager manager;
    private ManagedKey key;

    static DrivenKeyManager drive() {
      DrivenKeyManager run = new DrivenKeyManager();
      run.run();
      return run;
    }

    private void run() {
      f.put(
          f.credential("1")
              .createdAt(f.start.minus(Duration.ofDays(91)))
              .expiresAt(f.start.plus(Duration.ofMinutes(30)))
              .build());
      manager =
          f.start(
              f.builder()
                  .expiringSoon(Duration.ofHours(1))
                  .rejectionCooldown(Duration.ofSeconds(30))
                  .environment("prod")
                  .allowUntaggedCredentials(true)
                  .reportUnusedAfter(KeyManagerFixture.REFRESH.multipliedBy(2)));
      key = manager.key(KeyManagerFixture.KEY);
      key.current(); // KeyLoaded, KeyTooOld, KeyExpiringSoon

      VersionedCredential v2 = f.put("2");
      f.scheduler.advance(KeyManagerFixture.REFRESH); // KeyRotated

      String live = v2.apiKey().value(InsecureSecretAccess.get());
      f.backend.failWith(new IllegalStateException("vendor says: bad key " + live));
      f.scheduler.advance(KeyManagerFixture.REFRESH); // RefreshFailed
      f.backend.recover();
      f.scheduler.advance(KeyManagerFixture.BACKOFF_MAX); // RefreshRecovered

      VersionedCredential v3 = f.put("3");
      key.rejected(v2); // KeyRejected NEWER_VERSION (and KeyRotated to 3)

      VersionedCredential pending = f.credential("4-pending").build();
      f.backend.putAlternates(KeyManagerFixture.KEY, List.of(pending));
      VersionedCredential offered = key.rejected(v3).orElseThrow(); // KeyRejected ALTERNATE
      key.accepted(offered); // AlternatePromoted
      key.rejected(offered); // KeyRejected NONE: nothing left to offer

      f.put(f.credential("5-staging").environment("staging").build());
      f.scheduler.advance(KeyManagerFixture.REFRESH); // EnvironmentMismatch
      f.scheduler.advance(KeyManagerFixture.REFRESH.multipliedBy(3)); // KeyUnused
      // what a client's key hygiene audit reports through the key
      key.report(
          new KeyEvent.KeyTooPowerful(
              KeyManagerFixture.KEY, f.clock.instant(), "3", java.util.Set.of("WITHDRAW")));
      key.report(new KeyEvent.KeyNotIpRestricted(KeyManagerFixture.KEY, f.clock.instant(), "3"));
      usageBurst(); // UsageAlert (a burst of 401s on the request path), then UsageRecovered
    }

    /** A client whose API answers 401 five times: a rejection burst; then 200s: its recovery. */
    private void usageBurst() {
      int[] status = {401};
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl("https://api.example.test")
              .managedKey(key)
              .authScheme(AuthSchemes.header("x-api-key"))
              .timeSource(f.clock)
              .loggingInterceptor(
                  chain ->
                      new Response.Builder()
                          .request(chain.request())
                          .protocol(Protocol.HTTP_1_1)
                          .code(status[0])
                          .message("scripted")
                          .body(ResponseBody.create("{}", MediaType.get("application/json")))
                          .build())
              .build();
      for (int i = 0; i < 5; i++) {
        try {
          client.get("/price", String.class);
        } catch (KeyRejectedException expected) {
          // counted by the usage monitor
        }
      }
      status[0] = 200;
      f.scheduler.advance(Duration.ofSeconds(61));
      client.get("/price", String.class);
    }

    /** Refreshes fail, the vendor's message quoting the served key, until maxStale has passed. */
    void failBeyondMaxStale() {
      String live = key.current().apiKey().value(InsecureSecretAccess.get());
      f.backend.failWith(new IllegalStateException("vendor says: bad key " + live));
      f.scheduler.advance(KeyManagerFixture.MAX_STALE.plus(KeyManagerFixture.REFRESH));
    }

    KeyManager manager() {
      return manager;
    }

    ManagedKey key() {
      return key;
    }

    List<KeyEvent> events() {
      return List.copyOf(f.events);
    }

    /** Copies of every secret value the backend handed out. */
    List<Secret> secrets() {
      return SecretLeakTest.secrets(f.secretValues.toArray(String[]::new));
    }

    @Override
    public void close() {
      f.close();
    }
  }

  private static List<Secret> secrets(String... values) {
    List<Secret> out = new ArrayList<>();
    for (String v : values) {
      out.add(Secret.of(v));
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void noSecretLeaks(String name, Scenario scenario) throws Exception {
    Case c = scenario.build(Files.createTempDirectory(dir, "case"));
    try {
      SecretLeakAssertions.assertNoLeak(c.subject(), c.secrets());
    } finally {
      c.cleanup().close();
    }
  }

  /**
   * Jackson with private fields visible would otherwise walk into a provider's lambdas and
   * serialize what they capture (an injected map of variables, say): every provider refuses
   * outright.
   */
  @Test
  void providers_areRefusedByJacksonWhateverTheMapperSettings() {
    com.fasterxml.jackson.databind.ObjectMapper fields =
        com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .visibility(
                com.fasterxml.jackson.annotation.PropertyAccessor.FIELD,
                com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY)
            .build();
    List<KeyProvider> providers =
        List.of(
            EnvKeyProvider.builder().variables(Map.of()).build(),
            SystemPropertyKeyProvider.create(),
            FileKeyProvider.forDirectory(dir),
            ChainKeyProvider.of(new InMemoryKeyProviderForTesting()),
            new InMemoryKeyProviderForTesting());

    for (KeyProvider provider : providers) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> fields.writeValueAsString(provider))
          .as(provider.name())
          .isInstanceOf(com.fasterxml.jackson.databind.JsonMappingException.class)
          .hasMessageContaining("is never serialized");
    }
  }

  /** The records of a sealed event hierarchy (sealed sub-interfaces expanded). */
  private static Stream<Class<?>> leafEventTypes(Class<?> type) {
    return type.isSealed()
        ? java.util.Arrays.stream(type.getPermittedSubclasses())
            .flatMap(SecretLeakTest::leafEventTypes)
        : Stream.of(type);
  }

  /** Guards the scenarios above: the driven key manager must really fire every kind of event. */
  @Test
  void drivenKeyManager_firesEveryEventTypeAndEveryRejectionResolution() {
    try (DrivenKeyManager run = DrivenKeyManager.drive()) {
      assertThat(run.events())
          .extracting(e -> e.getClass().getSimpleName())
          .contains(
              leafEventTypes(KeyEvent.class).map(Class::getSimpleName).toArray(String[]::new));
      assertThat(run.f.events(KeyEvent.KeyRejected.class))
          .extracting(KeyEvent.KeyRejected::resolution)
          .contains(KeyEvent.KeyRejected.Resolution.values());
    }
  }

  @Test
  void vendorCauseWithoutAKnownKey_isKeptAsItIs() {
    IOException vendor = new IOException("connection reset");

    assertThat(new KeyProviderUnavailableException("down", vendor, ID, null).getCause())
        .isSameAs(vendor);
  }
}
