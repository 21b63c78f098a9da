package dev.keyguard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.keyguard.RedactedThrowable;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.TestSecrets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;

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
    assertThat(event.getThrowableProxy().getClassName())
        .isEqualTo(RedactedThrowable.class.getName());
    assertThat(event.getThrowableProxy().getMessage())
        .isEqualTo(
            "java.lang.IllegalStateException: bad key [REDACTED:" + secret.fingerprint() + "]");
  }

  @Test
  void log_keepsCallerLocationLevelAndMarker() {
    log.warn(MarkerFactory.getMarker("AUDIT"), "key {}", value);

    ILoggingEvent event = captured.events().get(0);
    assertThat(event.getLevel()).isEqualTo(Level.WARN);
    assertThat(event.getMarkerList()).extracting(Object::toString).containsExactly("AUDIT");
    assertThat(event.getCallerData()[0].getClassName())
        .isEqualTo(RedactingLoggerTest.class.getName());
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
    assertThat(event.getFormattedMessage())
        .isEqualTo("sending [REDACTED:" + secret.fingerprint() + "]");
    assertThat(event.getKeyValuePairs())
        .singleElement()
        .satisfies(
            kv -> {
              assertThat(kv.key).isEqualTo("key");
              assertThat(kv.value).isEqualTo("[REDACTED:" + secret.fingerprint() + "]");
            });
    assertThat(event.getCallerData()[0].getClassName())
        .isEqualTo(RedactingLoggerTest.class.getName());
  }

  @Test
  void wrap_whenAlreadyRedacting_returnsSameLogger() {
    assertThat(RedactingLogger.wrap(log)).isSameAs(log);
    assertThat(RedactingLogger.getLogger(RedactingLoggerTest.class).getName())
        .isEqualTo(RedactingLoggerTest.class.getName());
  }

  @Test
  void classicApi_callerSeenByLogback_isTheApplicationsLine_forEveryOverload() {
    Marker audit = MarkerFactory.getMarker("AUDIT");
    RuntimeException failure = new IllegalStateException("bad key " + value);
    List<Integer> lines = new ArrayList<>();

    lines.add(nextLine());
    log.info("key");
    lines.add(nextLine());
    log.info("key {}", value);
    lines.add(nextLine());
    log.warn("key {} {}", "a", value);
    lines.add(nextLine());
    log.error("key {} {} {}", "a", "b", value);
    lines.add(nextLine());
    log.error("failed", failure);
    lines.add(nextLine());
    log.info(audit, "key {}", value);
    lines.add(nextLine());
    log.error("failed {}", "once", failure);

    assertThat(captured.events()).hasSize(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      StackTraceElement caller = captured.events().get(i).getCallerData()[0];
      assertThat(caller.getClassName()).isEqualTo(RedactingLoggerTest.class.getName());
      assertThat(caller.getMethodName())
          .isEqualTo("classicApi_callerSeenByLogback_isTheApplicationsLine_forEveryOverload");
      assertThat(caller.getFileName()).isEqualTo("RedactingLoggerTest.java");
      assertThat(caller.getLineNumber()).as("call %d", i).isEqualTo(lines.get(i));
    }
  }

  @Test
  void fluentApi_callerSeenByLogback_isTheApplicationsLine() {
    int first = nextLine();
    log.atInfo().addKeyValue("key", value).log("sending");
    int second = nextLine();
    log.atWarn().setMessage("key {}").addArgument(value).log();

    StackTraceElement one = captured.events().get(0).getCallerData()[0];
    StackTraceElement two = captured.events().get(1).getCallerData()[0];
    assertThat(one.getMethodName())
        .isEqualTo("fluentApi_callerSeenByLogback_isTheApplicationsLine");
    assertThat(one.getLineNumber()).isEqualTo(first);
    assertThat(two.getClassName()).isEqualTo(RedactingLoggerTest.class.getName());
    assertThat(two.getLineNumber()).isEqualTo(second);
  }

  @Test
  void fluentApi_whenTrailingArgumentIsAThrowable_logsItRedacted() {
    log.atError().log("failed for {}", "prices", new IllegalStateException("bad key " + value));

    ILoggingEvent event = captured.events().get(0);
    assertThat(event.getFormattedMessage()).isEqualTo("failed for prices");
    assertThat(event.getThrowableProxy()).isNotNull();
    assertThat(event.getThrowableProxy().getClassName())
        .isEqualTo(RedactedThrowable.class.getName());
    assertThat(event.getThrowableProxy().getMessage())
        .isEqualTo(
            "java.lang.IllegalStateException: bad key [REDACTED:" + secret.fingerprint() + "]");
  }

  @Test
  void error_whenTheOnlyArgumentIsAThrowable_logsItAsTheExceptionRedacted() {
    log.error("failed {}", new IllegalStateException("bad key " + value));

    ILoggingEvent event = captured.events().get(0);
    assertThat(event.getFormattedMessage()).isEqualTo("failed {}");
    assertThat(event.getThrowableProxy().getMessage())
        .doesNotContain(value)
        .contains(secret.fingerprint());
  }

  @Test
  void serialization_resolvesToARedactingLoggerOfTheSameName() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(log);
    }
    Object copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = in.readObject();
    }

    assertThat(copy).isInstanceOf(RedactingLogger.class);
    ((Logger) copy).info("key {}", value);
    assertThat(((Logger) copy).getName()).isEqualTo(log.getName());
    assertThat(captured.events())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getFormattedMessage())
                    .isEqualTo("key [REDACTED:" + secret.fingerprint() + "]"));
  }

  @Test
  void wrap_whenBackendHasNoLocationSupport_stillRedactsMessageKeyValuesAndThrowable() {
    RecordingLogger plain = new RecordingLogger();
    Logger redacting = RedactingLogger.wrap(plain);

    redacting.info("key {}", value);
    redacting.atWarn().addKeyValue("k", value).log("sent");
    redacting.error("failed", new IllegalStateException("bad key " + value));

    assertThat(plain.messages)
        .containsExactly(
            "key [REDACTED:" + secret.fingerprint() + "]",
            "k=[REDACTED:" + secret.fingerprint() + "] sent",
            "failed");
    assertThat(plain.throwables).singleElement().isInstanceOf(RedactedThrowable.class);
    assertThat(plain.throwables.get(0).getMessage()).doesNotContain(value);
  }

  /** The line after the caller's: call it on the line before the call under test. */
  private static int nextLine() {
    return new Throwable().getStackTrace()[1].getLineNumber() + 1;
  }

  /** A backend that is neither location- nor event-aware: it sees the formatted text only. */
  private static final class RecordingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    final transient List<String> messages = new ArrayList<>();
    final transient List<Throwable> throwables = new ArrayList<>();

    RecordingLogger() {
      this.name = "recording";
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        org.slf4j.event.Level level, Marker marker, String pattern, Object[] args, Throwable t) {
      messages.add(org.slf4j.helpers.MessageFormatter.basicArrayFormat(pattern, args));
      if (t != null) {
        throwables.add(t);
      }
    }
  }
}
