package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.Secret;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.FakeScheduler;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The token lifecycle on a fake clock and scheduler: renewal at 2/3 of the TTL, a new login when
 * the max TTL caps the renewal, when renewal is refused or the token is not renewable, retries
 * while the token is valid, single flight. Vault is an HTTPS stub; the first token is a canary.
 */
class VaultTokenLifecycleTest {

  @RegisterExtension final VaultStub vault = new VaultStub();

  private final FakeClock clock = new FakeClock();
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final List<VaultTokenEvent> events = new CopyOnWriteArrayList<>();
  private final Secret firstToken = Canaries.apiKey();
  private VaultKeyProvider provider;

  @BeforeEach
  void setUp() {
    provider =
        vault
            .builder(
                VaultAuthentication.appRole()
                    .roleId("role-" + TestSecrets.randomAlphanumeric(8))
                    .secretId(Canaries.apiSecret())
                    .build())
            .timeSource(clock)
            .scheduler(scheduler)
            .tokenListener(events::add)
            .build();
  }

  @AfterEach
  void tearDown() {
    provider.close();
  }

  private void firstRead(long ttl, boolean renewable) {
    vault.login(firstToken, ttl, renewable);
    vault.kv2(1, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");
    provider.fetch(KeyId.of("app"));
    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    assertCarries(vault.take(), firstToken);
  }

  /** Compares without printing the token, should the assertion fail. */
  private static void assertCarries(RecordedRequest request, Secret token) {
    assertThat(
            token
                .value(InsecureSecretAccess.get())
                .equals(request.getHeaders().get(VaultHttp.TOKEN_HEADER)))
        .as("the request carries token %s", token.fingerprint())
        .isTrue();
  }

  private <T extends VaultTokenEvent> List<T> events(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (VaultTokenEvent e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  @Test
  void renewableToken_isRenewedAtTwoThirdsOfItsTtl() {
    firstRead(30, true);
    assertThat(scheduler.nextDelay()).contains(Duration.ofSeconds(20));

    vault.renewed(firstToken, 30);
    scheduler.advance(Duration.ofSeconds(20));

    assertThat(vault.next()).isEqualTo("POST /v1/auth/token/renew-self");
    assertThat(events(VaultTokenEvent.Renewed.class))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.ttl()).isEqualTo(Duration.ofSeconds(30));
              assertThat(r.cappedByMaxTtl()).isFalse();
              assertThat(r.fingerprint()).isEqualTo(firstToken.fingerprint());
            });
    assertThat(scheduler.nextDelay()).contains(Duration.ofSeconds(20));
  }

  @Test
  void renewalCappedByTheMaxTtl_isFollowedByANewLoginAtTwoThirdsOfWhatIsLeft() {
    firstRead(30, true);
    vault.renewed(firstToken, 9); // the max TTL leaves 9 s
    scheduler.advance(Duration.ofSeconds(20));
    assertThat(vault.next()).isEqualTo("POST /v1/auth/token/renew-self");
    assertThat(events(VaultTokenEvent.Renewed.class).get(0).cappedByMaxTtl()).isTrue();
    assertThat(scheduler.nextDelay()).contains(Duration.ofSeconds(6));

    Secret second = TestSecrets.randomSecret();
    vault.login(second, 30, true);
    scheduler.advance(Duration.ofSeconds(6));

    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    VaultTokenEvent.LoggedIn relogin = events(VaultTokenEvent.LoggedIn.class).get(1);
    assertThat(relogin.reLogin()).isTrue();
    assertThat(relogin.reason()).isEqualTo("max TTL near");
    assertThat(relogin.fingerprint()).isEqualTo(second.fingerprint());
    assertThat(provider.session().state().token().equalsSecret(second)).isTrue();
  }

  @Test
  void refusedRenewal_leadsToANewLogin() {
    firstRead(30, true);
    vault.json(403, "{\"errors\":[\"permission denied\"]}");
    vault.login(TestSecrets.randomSecret(), 30, true);

    scheduler.advance(Duration.ofSeconds(20));

    assertThat(vault.next()).isEqualTo("POST /v1/auth/token/renew-self");
    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    assertThat(events(VaultTokenEvent.LoggedIn.class).get(1).reason())
        .isEqualTo("renewal refused (HTTP 403)");
  }

  @Test
  void tokenThatIsNotRenewable_isReplacedAtTwoThirdsOfItsTtl() {
    firstRead(30, false);
    vault.login(TestSecrets.randomSecret(), 30, false);

    scheduler.advance(Duration.ofSeconds(20));

    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    assertThat(events(VaultTokenEvent.LoggedIn.class).get(1).reason())
        .isEqualTo("token not renewable");
  }

  @Test
  void renewalFailingOnAServerError_isRetriedWhileTheTokenIsValid_andTheTokenKeptMeanwhile() {
    firstRead(30, true);
    vault.json(503, "{\"errors\":[\"Vault is sealed\"]}");

    scheduler.advance(Duration.ofSeconds(20));

    assertThat(vault.next()).isEqualTo("POST /v1/auth/token/renew-self");
    VaultTokenEvent.Failed failed = events(VaultTokenEvent.Failed.class).get(0);
    assertThat(failed.operation()).isEqualTo("renew-self");
    assertThat(failed.cause()).isInstanceOf(KeyProviderUnavailableException.class);
    assertThat(failed.cause().getMessage()).contains("sealed");
    assertThat(failed.retryIn()).contains(Duration.ofMillis(3333));
    assertThat(provider.session().state().token().equalsSecret(firstToken)).isTrue();

    vault.renewed(firstToken, 30);
    scheduler.advance(Duration.ofMillis(3333));
    assertThat(vault.next()).isEqualTo("POST /v1/auth/token/renew-self");
    assertThat(events(VaultTokenEvent.Renewed.class)).hasSize(1);
  }

  @Test
  void failedScheduledLogin_isRetriedWhileTheOldTokenIsStillValid() {
    firstRead(30, false);
    vault.json(503, "{\"errors\":[\"Vault is sealed\"]}");

    scheduler.advance(Duration.ofSeconds(20));

    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    VaultTokenEvent.Failed failed = events(VaultTokenEvent.Failed.class).get(0);
    assertThat(failed.operation()).isEqualTo("login");
    assertThat(failed.retryIn()).contains(Duration.ofMillis(3333));
    assertThat(provider.session().state().token().equalsSecret(firstToken)).isTrue();

    Secret second = TestSecrets.randomSecret();
    vault.login(second, 30, false);
    scheduler.advance(Duration.ofMillis(3333));

    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    assertThat(provider.session().state().token().equalsSecret(second)).isTrue();
  }

  @Test
  void expiredToken_isReplacedOnTheCallingThreadAtTheNextRead() {
    firstRead(30, false);
    clock.advance(Duration.ofSeconds(31)); // the clock only: no scheduled step runs
    Secret second = TestSecrets.randomSecret();
    vault.login(second, 30, false);
    vault.kv2(1, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");

    provider.fetch(KeyId.of("app"));

    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    assertCarries(vault.take(), second);
    assertThat(events(VaultTokenEvent.LoggedIn.class).get(1).reason()).isEqualTo("token expired");
  }

  @Test
  void readRefusedWith403_logsInOnceMore_retriesTheRead_andRevokesTheReplacedTokenOffTheLock() {
    firstRead(300, true);
    Secret second = TestSecrets.randomSecret();
    vault.json(403, "{\"errors\":[\"permission denied\"]}");
    vault.login(second, 300, true);
    vault.kv2(2, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");

    assertThat(provider.fetch(KeyId.of("app")).version()).isEqualTo("2");

    assertThat(vault.next()).isEqualTo("GET /v1/secret/data/app");
    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    assertCarries(vault.take(), second);
    assertThat(vault.server().getRequestCount())
        .as("the revocation waits for the scheduler")
        .isEqualTo(5);
    vault.json(204, "");
    scheduler.runDueTasks();
    RecordedRequest revoke = vault.take();
    assertThat(revoke.getMethod() + " " + revoke.getUrl().encodedPath())
        .isEqualTo("POST /v1/auth/token/revoke-self");
    assertCarries(revoke, firstToken);
  }

  @Test
  void readRefusedTwice_isDeniedNamingThePathAndCapability() {
    firstRead(300, true);
    vault.json(403, "{\"errors\":[\"permission denied\"]}");
    vault.login(TestSecrets.randomSecret(), 300, true);
    vault.json(403, "{\"errors\":[\"permission denied\"]}");

    assertThatThrownBy(() -> provider.fetch(KeyId.of("app")))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("'read' capability on path \"secret/data/app\"")
        .hasMessageContaining("permission denied");
  }

  /** The first refusal and its login: GET (403), login with {@code second}, GET (403). */
  private void refusedAfterALoginAfterARefusal(Secret second) {
    firstRead(300, true);
    vault.json(403, "{\"errors\":[\"permission denied\"]}");
    vault.login(second, 300, true);
    vault.json(403, "{\"errors\":[\"permission denied\"]}");
    assertThatThrownBy(() -> provider.fetch(KeyId.of("app")))
        .isInstanceOf(KeyAccessDeniedException.class);
    for (int i = 0; i < 3; i++) {
      vault.take();
    }
  }

  @Test
  void aTokenFreshFromALoginAfterARefusal_refusedAgainWhileValid_isNotFollowedByALoginPerRead() {
    Secret second = TestSecrets.randomSecret();
    refusedAfterALoginAfterARefusal(second);
    vault.json(403, "{\"errors\":[\"permission denied\"]}");
    vault.json(200, "{\"data\":{\"ttl\":250,\"renewable\":true}}");

    assertThatThrownBy(() -> provider.fetch(KeyId.of("app")))
        .isInstanceOf(KeyAccessDeniedException.class);

    RecordedRequest read = vault.take();
    assertThat(read.getMethod() + " " + read.getUrl().encodedPath())
        .isEqualTo("GET /v1/secret/data/app");
    assertCarries(read, second);
    assertThat(vault.next()).isEqualTo("GET /v1/auth/token/lookup-self");
    assertThat(vault.server().getRequestCount())
        .as("no login after the second refusal")
        .isEqualTo(7);
    assertThat(events(VaultTokenEvent.LoggedIn.class)).hasSize(2);
  }

  @Test
  void aTokenFreshFromALoginAfterARefusal_revokedFromOutside_isReplacedByALogin() {
    Secret second = TestSecrets.randomSecret();
    refusedAfterALoginAfterARefusal(second);
    Secret third = TestSecrets.randomSecret();
    vault.json(403, "{\"errors\":[\"permission denied\"]}");
    vault.json(403, "{\"errors\":[\"permission denied\"]}"); // lookup-self: revoked
    vault.login(third, 300, true);
    vault.kv2(3, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");

    assertThat(provider.fetch(KeyId.of("app")).version()).isEqualTo("3");

    assertThat(vault.next()).isEqualTo("GET /v1/secret/data/app");
    assertThat(vault.next()).isEqualTo("GET /v1/auth/token/lookup-self");
    assertThat(vault.next()).isEqualTo("POST /v1/auth/approle/login");
    assertCarries(vault.take(), third);
  }

  @Test
  void failingListener_doesNotStopTheLifecycle() {
    provider.close();
    provider =
        vault
            .builder(
                VaultAuthentication.appRole().roleId("r").secretId(Canaries.apiSecret()).build())
            .timeSource(clock)
            .scheduler(scheduler)
            .tokenListener(
                e -> {
                  throw new IllegalStateException("listener bug");
                })
            .tokenListener(events::add)
            .build();

    firstRead(30, true);

    assertThat(events(VaultTokenEvent.LoggedIn.class)).hasSize(1);
  }

  @Test
  void close_revokesTheTokenItLoggedInFor_andStopsRenewals() {
    firstRead(30, true);
    vault.json(204, "");

    provider.close();

    assertThat(vault.next()).isEqualTo("POST /v1/auth/token/revoke-self");
    assertThat(scheduler.advance(Duration.ofMinutes(5))).isZero();
  }

  @Test
  void givenToken_isLookedUpForItsTtl_andRenewedWhenRenewable() {
    provider.close();
    Secret token = Canaries.apiKey();
    provider =
        vault
            .builder(VaultAuthentication.token(token))
            .timeSource(clock)
            .scheduler(scheduler)
            .tokenListener(events::add)
            .build();
    vault.json(200, "{\"data\":{\"ttl\":60,\"renewable\":true,\"expire_time\":null}}");
    vault.kv2(1, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");

    provider.fetch(KeyId.of("app"));

    assertThat(vault.next()).isEqualTo("GET /v1/auth/token/lookup-self");
    assertThat(vault.next()).isEqualTo("GET /v1/secret/data/app");
    assertThat(scheduler.nextDelay()).contains(Duration.ofSeconds(40));
    assertThat(events(VaultTokenEvent.LoggedIn.class).get(0).ttl()).contains(Duration.ofMinutes(1));
  }

  @Test
  void givenRootToken_withTtlZero_isNeverRenewed() {
    provider.close();
    provider =
        vault
            .builder(VaultAuthentication.token(Canaries.apiKey()))
            .timeSource(clock)
            .scheduler(scheduler)
            .build();
    vault.json(200, "{\"data\":{\"ttl\":0,\"renewable\":false,\"expire_time\":null}}");
    vault.kv2(1, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");

    provider.fetch(KeyId.of("app"));

    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void givenToken_whoseLookUpIsRefused_isStillUsed_soTheReadSaysWhatIsDenied() {
    provider.close();
    provider =
        vault
            .builder(VaultAuthentication.token(Canaries.apiKey()))
            .timeSource(clock)
            .scheduler(scheduler)
            .tokenListener(events::add)
            .build();
    vault.json(403, "{\"errors\":[\"permission denied\"]}");
    vault.json(403, "{\"errors\":[\"permission denied\"]}");

    assertThatThrownBy(() -> provider.fetch(KeyId.of("app")))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("secret/data/app");
    assertThat(events(VaultTokenEvent.Failed.class))
        .singleElement()
        .satisfies(f -> assertThat(f.operation()).isEqualTo("lookup-self"));
  }

  @Test
  void coldStart_withManyThreads_logsInOnce() throws Exception {
    provider.close();
    AtomicInteger logins = new AtomicInteger();
    Secret token = Canaries.apiKey();
    vault
        .server()
        .setDispatcher(
            new Dispatcher() {
              @Override
              public MockResponse dispatch(RecordedRequest request) {
                if (request.getUrl().encodedPath().endsWith("/login")) {
                  logins.incrementAndGet();
                  return new MockResponse.Builder()
                      .headersDelay(200, TimeUnit.MILLISECONDS)
                      .body(
                          "{\"auth\":{\"client_token\":\""
                              + token.value(InsecureSecretAccess.get())
                              + "\",\"lease_duration\":300,\"renewable\":true}}")
                      .build();
                }
                return new MockResponse.Builder()
                    .body(
                        "{\"data\":{\"data\":{\"apiKey\":\"k\"},\"metadata\":{\"version\":1,"
                            + "\"created_time\":\"2026-11-01T10:00:00Z\",\"deletion_time\":\"\","
                            + "\"destroyed\":false}}}")
                    .build();
              }
            });
    provider =
        vault
            .builder(
                VaultAuthentication.appRole().roleId("r").secretId(Canaries.apiSecret()).build())
            .timeSource(clock)
            .scheduler(scheduler)
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> reads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      reads.add(
          pool.submit(
              () -> {
                go.await();
                return provider.fetch(KeyId.of("app")).version();
              }));
    }
    go.countDown();
    for (Future<String> r : reads) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("1");
    }
    pool.shutdown();

    assertThat(logins.get()).isEqualTo(1);
  }
}
