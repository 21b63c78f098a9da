package dev.keyguard;

import static dev.keyguard.KeyManagerFixture.KEY;
import static dev.keyguard.KeyManagerFixture.MAX_STALE;
import static dev.keyguard.KeyManagerFixture.REFRESH;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import dev.keyguard.testing.LogCapture;
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
        f.put(f.credential("1").createdAt(f.start.minus(Duration.ofDays(100))).expiresAt(f.start.plus(Duration.ofDays(30))).build());
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
    assertThat(f.secretValues).hasSizeGreaterThanOrEqualTo(6).contains(v1.apiKey().value(InsecureSecretAccess.get()));
    for (String text : texts) {
      for (String secret : f.secretValues) {
        assertThat(text).doesNotContain(secret);
      }
    }
  }

  /** Adds the message and toString of what the call throws (it must throw a KeyGuard or state error). */
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
