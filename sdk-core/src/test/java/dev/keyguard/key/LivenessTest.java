package dev.keyguard.key;

import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.TestSecrets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the key holds on to, and what that means for the global redactor. */
class LivenessTest {

  private static final KeyId KEY = KeyId.of("market-data");

  private final GlobalRedactorSpy spy = new GlobalRedactorSpy();
  private final Liveness liveness = new Liveness();

  @AfterEach
  void tearDown() {
    spy.close();
  }

  private static Secret newSecret() {
    return Secret.of(TestSecrets.randomBase64Url(24));
  }

  private static VersionedCredential credential(String version) {
    return VersionedCredential.builder(KEY, newSecret())
        .apiSecret(newSecret())
        .version(version)
        .build();
  }

  @Test
  void hold_registersEachNewCredentialOnce() {
    VersionedCredential v1 = credential("1");

    liveness.hold(List.of(v1));
    liveness.hold(List.of(v1, v1));

    verify(spy.redactor, times(1)).register(v1.apiKey());
    verify(spy.redactor, times(1)).register(v1.apiSecret().orElseThrow());
  }

  @Test
  void hold_retiresTheSecretsOfDroppedCredentials() {
    VersionedCredential v1 = credential("1");
    VersionedCredential v2 = credential("2");
    liveness.hold(List.of(v1));

    liveness.hold(List.of(v2));

    verify(spy.redactor).register(v2.apiKey());
    verify(spy.redactor).retire(v1.apiKey());
    verify(spy.redactor).retire(v1.apiSecret().orElseThrow());
    verify(spy.redactor, never()).retire(v2.apiKey());
  }

  @Test
  void hold_keepsAValueThatAHeldCredentialStillShares() {
    VersionedCredential v1 = credential("1");
    Secret sameKey = Secret.of(v1.apiKey().value(InsecureSecretAccess.get()));
    VersionedCredential v2 =
        VersionedCredential.builder(KEY, sameKey).apiSecret(newSecret()).version("2").build();
    liveness.hold(List.of(v1));

    liveness.hold(List.of(v2));

    verify(spy.redactor, never()).retire(v1.apiKey());
    verify(spy.redactor).retire(v1.apiSecret().orElseThrow());
  }

  @Test
  void hold_nothing_retiresEverything() {
    VersionedCredential v1 = credential("1");
    liveness.hold(List.of(v1));

    liveness.hold(List.of());

    verify(spy.redactor).retire(v1.apiKey());
    verify(spy.redactor).retire(v1.apiSecret().orElseThrow());
  }

  @Test
  void reuseHeld_replacesAVersionAlreadyHeldByItsHeldObject_soItIsNotRegisteredAgain() {
    VersionedCredential v1 = credential("1");
    VersionedCredential v1Again = credential("1");
    VersionedCredential v0 = credential("0");
    liveness.hold(List.of(v1));

    List<VersionedCredential> reused = liveness.reuseHeld(List.of(v1Again, v0));
    liveness.hold(List.of(v1, reused.get(0), reused.get(1)));

    org.assertj.core.api.Assertions.assertThat(reused).containsExactly(v1, v0);
    verify(spy.redactor, never()).register(v1Again.apiKey());
    verify(spy.redactor).register(v0.apiKey());
  }
}
