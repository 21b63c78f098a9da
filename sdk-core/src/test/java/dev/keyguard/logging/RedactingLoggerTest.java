package dev.keyguard.logging;

import dev.keyguard.RedactedThrowable;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.TestSecrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MarkerFactory;

class RedactingLoggerTest {

  private final String value = TestSecrets.randomBase64Url(30);
  private final Secret secret = Secret.of(value);
  /** Captures events, with their caller data computed at append time. */
  private final LogCapture captured = LogCapture.isolated("test.redacting");
  private final Logger log = RedactingLogger.wrap(captured.logger());

  @BeforeEach
  void setUp() {
    Redactor.global().register(secret);
  }

  @AfterEach
  void tearDown() {
    captured.close();
    Redactor.global().retire(secret);
  }

  @Test
  void info_whenArgumentIsTheKey_backendSeesOnlyTheFingerprint() {
    log.info("calling {} with key {}", "prices", value);

    ILoggingEvent event = captured.events().get(0);
    assertThat(event.getFormattedMessage())
        .isEqualTo("calling prices with key [REDACTED:" + secret.fingerprint() + "]");
    assertThat(event.getMessage()).doesNotContain(value);
    assertThat(event.getArgumentArray()).isNull();
  }

  @Test
  void error_whenExceptionMessageHoldsTheKey_backendSeesRedactedCopy() {
    log.error("failed for {}", "prices", new IllegalStateException("bad key " + value));

    ILoggingEvent event = captured.events().get(0);
    assertThat(event.getFormattedMessage()).isEqualTo("failed for prices");
    assertThat(event.getThrowableProxy().getClassName()).isEqualTo(RedactedThrowable.class.getName());
    assertThat(event.getThrowableProxy().getMessage())
        .isEqualTo("java.lang.IllegalStateException: bad key [REDACTED:" + secret.fingerprint() + "]");
  }

  @Test
  void log_keepsCallerLocationLevelAndMarker() {
    log.warn(MarkerFactory.getMarker("AUDIT"), "key {}", value);

    ILoggingEvent event = captured.events().get(0);
    assertThat(event.getLevel()).isEqualTo(Level.WARN);
    assertThat(event.getMarkerList()).extracting(Object::toString).containsExactly("AUDIT");
    assertThat(event.getCallerData()[0].getClassName()).isEqualTo(RedactingLoggerTest.class.getName());
  }

  @Test
  void debug_whenLevelDisabled_logsNothing() {
    captured.logger().setLevel(Level.INFO);

    log.debug("key {}", value);

    assertThat(log.isDebugEnabled()).isFalse();
    assertThat(captured.events()).isEmpty();
  }

  @Test
  void fluentApi_redactsMessageAndKeyValuesAndKeepsCaller() {
    log.atInfo().addArgument(value).addKeyValue("key", value).log("sending {}");

    ILoggingEvent event = captured.events().get(0);
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
