package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.KEY;
import static dev.keyguard.key.KeyManagerFixture.REFRESH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.keyguard.EnvironmentMismatchException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.LogCapture;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Environment segregation, the hard key age, unused keys and one key under two ids. */
class KeyManagerHygieneTest {

  private final KeyManagerFixture f = new KeyManagerFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void credentialTaggedForAnotherEnvironment_isNeverServed_andFiresAnEvent() {
    f.put(f.credential("1").environment("prod").build());
    ManagedKey key = f.start(f.builder().environment("dev")).key(KEY);

    assertThatThrownBy(key::current)
        .isInstanceOf(EnvironmentMismatchException.class)
        .hasMessageContaining("tagged for environment 'prod'")
        .hasMessageContaining("runs in 'dev'");
    assertThat(f.events(KeyEvent.EnvironmentMismatch.class))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.credentialEnvironment()).isEqualTo("prod");
              assertThat(e.applicationEnvironment()).isEqualTo("dev");
              assertThat(e.version()).isEqualTo("1");
            });
  }

  @Test
  void rotationToAnotherEnvironmentsKey_keepsServingTheVersionBefore() {
    VersionedCredential v1 = f.put(f.credential("1").environment("PRODUCTION").build());
    ManagedKey key = f.start(f.builder().environment("prod")).key(KEY);
    assertThat(key.current()).isSameAs(v1);

    f.put(f.credential("2").environment("staging").build());
    f.scheduler.advance(REFRESH);

    assertThat(key.current()).isSameAs(v1);
    assertThat(f.events(KeyEvent.EnvironmentMismatch.class)).isNotEmpty();
    assertThat(f.events(KeyEvent.RefreshFailed.class))
        .first()
        .satisfies(e -> assertThat(e.cause()).isInstanceOf(EnvironmentMismatchException.class));
  }

  @Test
  void untaggedCredential_isRefusedInProdByDefault() {
    f.put("1");
    ManagedKey key = f.start(f.builder().environment("prod")).key(KEY);

    assertThatThrownBy(key::current)
        .isInstanceOf(EnvironmentMismatchException.class)
        .hasMessageContaining("has no environment tag")
        .hasMessageContaining("allowUntaggedCredentials(true)");
  }

  @Test
  void untaggedCredential_isServedOutsideProdByDefault_andInProdWhenAllowed() {
    VersionedCredential v1 = f.put("1");

    assertThat(f.start(f.builder().environment("dev")).key(KEY).current()).isSameAs(v1);
    try (KeyManager prod = f.builder().environment("prod").allowUntaggedCredentials(true).build()) {
      assertThat(prod.key(KEY).current()).isSameAs(v1);
    }
  }

  @Test
  void untaggedCredential_isRefusedOutsideProdWhenNotAllowed() {
    f.put("1");
    ManagedKey key =
        f.start(f.builder().environment("dev").allowUntaggedCredentials(false)).key(KEY);

    assertThatThrownBy(key::current).isInstanceOf(EnvironmentMismatchException.class);
  }

  @Test
  void environmentVariable_declaresTheEnvironment_andTheBuilderWins() {
    f.put(f.credential("1").environment("prod").build());

    KeyManager fromVariable = f.builder().environmentVariable("Production").build();
    KeyManager overridden = f.builder().environmentVariable("prod").environment("dev").build();
    try (fromVariable;
        overridden) {
      assertThat(fromVariable.environment()).contains("prod");
      assertThat(fromVariable.key(KEY).current().version()).isEqualTo("1");
      assertThat(overridden.environment()).contains("dev");
      assertThat(overridden.key(KEY).environment()).contains("dev");
      assertThatThrownBy(() -> overridden.key(KEY).current())
          .isInstanceOf(EnvironmentMismatchException.class);
    }
  }

  @Test
  void withoutADeclaredEnvironment_everyCredentialIsServed() {
    VersionedCredential v1 = f.put(f.credential("1").environment("prod").build());
    KeyManager manager = f.start(f.builder().environmentVariable(null));

    assertThat(manager.environment()).isEmpty();
    assertThat(manager.key(KEY).current()).isSameAs(v1);
  }

  @Test
  void keyOlderThanTheHardAge_isNotServed() {
    f.put(f.credential("1").createdAt(f.start.minus(Duration.ofDays(200))).build());
    ManagedKey key = f.start(f.builder().refuseKeysOlderThan(Duration.ofDays(180))).key(KEY);

    assertThatThrownBy(key::current)
        .isInstanceOf(KeyGuardException.class)
        .hasMessageContaining("more than 180 days ago (refuseKeysOlderThan): not served");
  }

  @Test
  void servedKey_stopsBeingServedWhenItReachesTheHardAge_afterTheWarningAge() {
    f.put(f.credential("1").createdAt(f.start.minus(Duration.ofDays(89))).build());
    ManagedKey key =
        f.start(
                f.builder()
                    .refuseKeysOlderThan(Duration.ofDays(100))
                    .refreshAfter(Duration.ofDays(1))
                    .maxStale(Duration.ofDays(30)))
            .key(KEY);
    key.current();
    assertThat(f.events(KeyEvent.KeyTooOld.class)).isEmpty();

    f.scheduler.advance(Duration.ofDays(2)); // 91 days: the default 90-day warning
    assertThat(f.events(KeyEvent.KeyTooOld.class))
        .singleElement()
        .satisfies(e -> assertThat(e.maxKeyAge()).isEqualTo(Duration.ofDays(90)));
    assertThat(key.current().version()).isEqualTo("1");

    f.scheduler.advance(Duration.ofDays(10)); // 101 days: past the hard age
    assertThatThrownBy(key::current).isInstanceOf(KeyProviderUnavailableException.class);
  }

  @Test
  void keyNotUsedForTheUnusedPeriod_isReportedOnce_andAgainAfterItIsUsed() {
    f.put("1");
    ManagedKey key = f.start(f.builder().reportUnusedAfter(Duration.ofDays(30))).key(KEY);
    key.current();

    f.scheduler.advance(Duration.ofDays(29));
    assertThat(f.events(KeyEvent.KeyUnused.class)).isEmpty();
    f.scheduler.advance(Duration.ofDays(2));
    assertThat(f.events(KeyEvent.KeyUnused.class))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.unusedFor()).isGreaterThanOrEqualTo(Duration.ofDays(30));
              assertThat(e.lastUsed()).isBefore(f.start.plus(Duration.ofMinutes(10)));
            });
    f.scheduler.advance(Duration.ofDays(40));
    assertThat(f.events(KeyEvent.KeyUnused.class)).as("once per unused period").hasSize(1);

    key.current();
    f.scheduler.advance(Duration.ofDays(31));
    assertThat(f.events(KeyEvent.KeyUnused.class)).hasSize(2);
  }

  @Test
  void keyUsedWithinThePeriod_isNotReported() {
    f.put("1");
    ManagedKey key = f.start(f.builder().reportUnusedAfter(Duration.ofDays(1))).key(KEY);
    for (int hour = 0; hour < 72; hour++) {
      key.current();
      f.scheduler.advance(Duration.ofHours(1));
    }

    assertThat(f.events(KeyEvent.KeyUnused.class)).isEmpty();
  }

  @Test
  void oneSecretUnderTwoKeyIds_isSaidOnceAtWarn() {
    VersionedCredential shared = f.put("1");
    KeyId other = KeyId.of("copy-of-the-same-key");
    f.put(
        VersionedCredential.builder(other, shared.apiKey())
            .apiSecret(shared.apiSecret().orElseThrow())
            .version("1")
            .build());
    try (LogCapture log = LogCapture.of(KeyManager.class)) {
      KeyManager manager = f.start();
      manager.key(KEY).current();
      manager.key(other).current();
      try (KeyManager second = f.builder().applicationName("reporting").build()) {
        second.key(other).current();
      }

      assertThat(log.messages(Level.WARN))
          .filteredOn(m -> m.contains("The same secret"))
          .hasSize(2)
          .allSatisfy(m -> assertThat(m).contains("do not share one key"))
          .anySatisfy(m -> assertThat(m).contains("application 'reporting'"));
    }
  }
}
