package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.KEY;
import static dev.keyguard.key.KeyManagerFixture.MAX_STALE;
import static dev.keyguard.key.KeyManagerFixture.REFRESH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.RedactedThrowable;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.SecretLeakAssertions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drives a key through every path that writes text (load, rotation, failures, stale bound, expiry,
 * rejection, alternates, close) and checks that no generated secret value appears in the log (at
 * DEBUG), in an event's {@code toString()}, or in the message of an exception the key manager
 * throws.
 */
class KeyManagerNoLeakTest {

  private final KeyManagerFixture f = new KeyManagerFixture();
  private final LogCapture logs = LogCapture.of("dev.keyguard");

  @AfterEach
  void tearDown() {
    logs.close();
    f.close();
  }

  @Test
  void logsEventsAndExceptions_neverContainASecretValue() {
    List<String> texts = new ArrayList<>();
    VersionedCredential v1 =
        f.put(
            f.credential("1")
                .createdAt(f.start.minus(Duration.ofDays(100)))
                .expiresAt(f.start.plus(Duration.ofDays(30)))
                .build());
    KeyManager manager = f.start(f.builder().expiringSoon(Duration.ofDays(60)));
    ManagedKey key = manager.key(KEY);
    key.current();
    VersionedCredential v2 = f.put("2");
    f.scheduler.advance(REFRESH);
    texts.add(key.toString());

    // A provider whose exception message quotes a live secret, as a careless vendor SDK might.
    String live = v2.apiKey().value(InsecureSecretAccess.get());
    f.backend.failWith(new IllegalStateException("vendor says: bad key " + live));
    f.scheduler.advance(MAX_STALE);
    collect(texts, () -> key.current());

    f.backend.failWith(new KeyProviderUnavailableException("backend echoed " + live, KEY));
    f.scheduler.advance(Duration.ofSeconds(10));
    collect(texts, () -> key.current());

    f.backend.recover();
    f.backend.putAlternates(KEY, List.of(f.credential("3-pending").build()));
    f.scheduler.advance(Duration.ofSeconds(10));
    VersionedCredential served = key.current();
    VersionedCredential alternate = key.rejected(served).orElseThrow();
    key.accepted(alternate);
    key.rejected(alternate);
    collect(texts, () -> manager.key("missing").current());
    texts.add(manager.toString());
    manager.close();
    collect(texts, () -> key.current());

    for (ILoggingEvent event : logs.events()) {
      texts.add(event.getFormattedMessage());
      if (event.getThrowableProxy() != null) {
        texts.add(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
    }
    f.events.forEach(e -> texts.add(e.toString()));

    assertThat(f.events).hasSizeGreaterThan(5);
    assertThat(logs.events()).hasSizeGreaterThan(5);
    assertThat(f.secretValues)
        .hasSizeGreaterThanOrEqualTo(6)
        .contains(v1.apiKey().value(InsecureSecretAccess.get()));
    for (String text : texts) {
      for (String secret : f.secretValues) {
        assertThat(text).doesNotContain(secret);
      }
    }
  }

  @Test
  void current_pastMaxStale_whenTheProviderThrewAForeignExceptionQuotingTheKey_printsNoSecret() {
    VersionedCredential v1 = f.put("1");
    ManagedKey key = f.startKey();
    key.current();
    String live = v1.apiKey().value(InsecureSecretAccess.get());
    RuntimeException vendor =
        new RuntimeException("GET https://vault.example/v1/exchange?token=" + live + " failed");
    f.backend.failWith(vendor);

    f.scheduler.advance(MAX_STALE.plus(REFRESH));
    KeyProviderUnavailableException e =
        catchThrowableOfType(KeyProviderUnavailableException.class, key::current);

    StringWriter printed = new StringWriter();
    e.printStackTrace(new PrintWriter(printed));
    // checked first, by a helper that never prints the text it searched
    SecretLeakAssertions.assertNoLeakInText(
        "printed stack trace",
        printed.toString(),
        f.secretValues.stream().map(Secret::of).toArray(Secret[]::new));
    // the KeyManager wraps the provider's exception keeping it as the cause; KeyGuardException's
    // constructor put a redacted copy in its place
    List<String> chain = new ArrayList<>();
    boolean rawVendorInChain = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      chain.add(t.getClass().getName());
      rawVendorInChain |= t == vendor;
    }
    assertThat(rawVendorInChain).as("the provider's own exception is in the cause chain").isFalse();
    assertThat(chain)
        .containsExactly(
            KeyProviderUnavailableException.class.getName(),
            KeyProviderUnavailableException.class.getName(),
            RedactedThrowable.class.getName());
    assertThat(printed.toString())
        .contains(
            "java.lang.RuntimeException: GET https://vault.example/v1/exchange?token=[REDACTED:"
                + v1.apiKey().fingerprint()
                + "] failed");
  }

  /**
   * Adds the message and toString of what the call throws (it must throw a KeyGuard or state
   * error).
   */
  private static void collect(List<String> texts, Runnable call) {
    try {
      call.run();
      texts.add("no exception");
    } catch (KeyGuardException | IllegalStateException e) {
      texts.add(e.toString());
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof KeyGuardException) {
          texts.add(t.getMessage());
        }
      }
    }
  }
}
