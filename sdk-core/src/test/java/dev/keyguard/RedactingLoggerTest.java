package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keyguard.testing.RandomSecrets;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MarkerFactory;

class RedactingLoggerTest {

  private final String value = RandomSecrets.base64Url(30);
  private final Secret secret = Secret.of(value);
  /** Captures events, with their caller data computed at append time (Logback computes it lazily). */
  private final ListAppender<ILoggingEvent> captured =
      new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent e) {
          e.getCallerData();
          super.append(e);
        }
      };
  private final ch.qos.logback.classic.Logger backend =
      (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("test.redacting." + UUID.randomUUID());
  private final Logger log = RedactingLogger.wrap(backend);

  @BeforeEach
  void setUp() {
    Redactor.global().register(secret);
    captured.start();
    backend.addAppender(captured);
    backend.setAdditive(false);
    backend.setLevel(Level.DEBUG);
  }

  @AfterEach
  void tearDown() {
    backend.detachAppender(captured);
    Redactor.global().retire(secret);
  }

  @Test
  void info_whenArgumentIsTheKey_backendSeesOnlyTheFingerprint() {
    log.info("calling {} with key {}", "prices", value);

    ILoggingEvent event = captured.list.get(0);
    assertThat(event.getFormattedMessage())
        .isEqualTo("calling prices with key [REDACTED:" + secret.fingerprint() + "]");
    assertThat(event.getMessage()).doesNotContain(value);
    assertThat(event.getArgumentArray()).isNull();
  }

  @Test
  void error_whenExceptionMessageHoldsTheKey_backendSeesRedactedCopy() {
    log.error("failed for {}", "prices", new IllegalStateException("bad key " + value));

    ILoggingEvent event = captured.list.get(0);
    assertThat(event.getFormattedMessage()).isEqualTo("failed for prices");
    assertThat(event.getThrowableProxy().getClassName()).isEqualTo(RedactedThrowable.class.getName());
    assertThat(event.getThrowableProxy().getMessage())
        .isEqualTo("java.lang.IllegalStateException: bad key [REDACTED:" + secret.fingerprint() + "]");
  }

  @Test
  void log_keepsCallerLocationLevelAndMarker() {
    log.warn(MarkerFactory.getMarker("AUDIT"), "key {}", value);

    ILoggingEvent event = captured.list.get(0);
    assertThat(event.getLevel()).isEqualTo(Level.WARN);
    assertThat(event.getMarkerList()).extracting(Object::toString).containsExactly("AUDIT");
    assertThat(event.getCallerData()[0].getClassName()).isEqualTo(RedactingLoggerTest.class.getName());
  }

  @Test
  void debug_whenLevelDisabled_logsNothing() {
    backend.setLevel(Level.INFO);

    log.debug("key {}", value);

    assertThat(log.isDebugEnabled()).isFalse();
    assertThat(captured.list).isEmpty();
  }

  @Test
  void fluentApi_redactsMessageAndKeyValuesAndKeepsCaller() {
    log.atInfo().addArgument(value).addKeyValue("key", value).log("sending {}");

    ILoggingEvent event = captured.list.get(0);
    assertThat(event.getFormattedMessage()).isEqualTo("sending [REDACTED:" + secret.fingerprint() + "]");
    assertThat(event.getKeyValuePairs()).singleElement().satisfies(kv -> {
      assertThat(kv.key).isEqualTo("key");
      assertThat(kv.value).isEqualTo("[REDACTED:" + secret.fingerprint() + "]");
    });
    assertThat(event.getCallerData()[0].getClassName()).isEqualTo(RedactingLoggerTest.class.getName());
  }

  @Test
  void wrap_whenAlreadyRedacting_returnsSameLogger() {
    assertThat(RedactingLogger.wrap(log)).isSameAs(log);
    assertThat(RedactingLogger.getLogger(RedactingLoggerTest.class).getName())
        .isEqualTo(RedactingLoggerTest.class.getName());
  }
}
