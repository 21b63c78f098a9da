package dev.keyguard.logging.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.testing.TestSecrets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Format modifiers that cut or transform a conversion ({@code %.-30msg}, {@code %.20X{k}}, {@code
 * %replace}) must see the redacted text: cutting first keeps a part of the secret that whole-value
 * redaction of the finished line no longer recognises. Each case puts the secret across every cut
 * position and checks that no 6-char piece of it is written.
 */
class RedactingEncoderFormatModifiersTest {

  private static final int PIECE = 6;

  private final String value = TestSecrets.randomBase64Url(30);
  private final Secret secret = Secret.of(value);
  private final LoggerContext context = new LoggerContext();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @AfterEach
  void stop() {
    context.stop();
    Redactor.global().retire(secret);
  }

  private Logger start(String pattern) {
    Redactor.global().register(secret);
    context.setMDCAdapter(new LogbackMDCAdapter());
    RedactingEncoder encoder = new RedactingEncoder();
    encoder.setContext(context);
    encoder.setPattern(pattern);
    encoder.start();
    assertThat(encoder.isStarted()).isTrue();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    Logger logger = context.getLogger("app.Orders");
    logger.addAppender(appender);
    logger.setAdditive(false);
    return logger;
  }

  private String written() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private void assertNoPieceOfTheSecret() {
    String text = written();
    assertThat(text).isNotEmpty();
    for (int i = 0; i + PIECE <= value.length(); i++) {
      assertThat(text).doesNotContain(value.substring(i, i + PIECE));
    }
  }

  @Test
  void truncateFromTheEnd_whenSecretCrossesTheCut_keepsNoPartOfIt() {
    Logger log = start("%.-30msg%n");
    for (int lead = 0; lead < 30; lead++) {
      log.info(".".repeat(lead) + value);
    }

    assertNoPieceOfTheSecret();
    assertThat(written()).contains("[REDACTED:");
  }

  @Test
  void truncateFromTheStart_whenSecretCrossesTheCut_keepsNoPartOfIt() {
    Logger log = start("%.30msg%n");
    for (int tail = 0; tail < 30; tail++) {
      log.info(value + ".".repeat(tail));
    }

    assertNoPieceOfTheSecret();
  }

  @Test
  void paddedAndTruncatedMdcValue_keepsNoPartOfTheSecret() {
    Logger log = start("%-40.-25X{token} %msg%n");
    for (int lead = 0; lead < 25; lead++) {
      context.getMDCAdapter().put("token", ".".repeat(lead) + value);
      log.info("call");
    }
    context.getMDCAdapter().remove("token");

    assertNoPieceOfTheSecret();
    assertThat(written()).contains(" call");
  }

  @Test
  void truncatedComposite_keepsNoPartOfTheSecret() {
    Logger log = start("%.-35(%level %msg)%n");
    for (int lead = 0; lead < 30; lead++) {
      log.info(".".repeat(lead) + value);
    }

    assertNoPieceOfTheSecret();
  }

  @Test
  void replace_orACutInsideAComposite_isRefusedAtStart() {
    for (String pattern : new String[] {"%replace(%msg){'[A-Z]', '#'}%n", "%(%level %.-10msg)%n"}) {
      RedactingEncoder encoder = new RedactingEncoder();
      encoder.setContext(context);
      encoder.setPattern(pattern);
      encoder.start();

      assertThat(encoder.isStarted()).as(pattern).isFalse();
      Logger log = context.getLogger("app.Refused");
      assertThat(
              encoder.encode(
                  new ch.qos.logback.classic.spi.LoggingEvent(
                      Logger.class.getName(),
                      log,
                      ch.qos.logback.classic.Level.INFO,
                      "key " + value,
                      null,
                      null)))
          .as(pattern)
          .isEmpty();
      assertThat(context.getStatusManager().getCopyOfStatusList())
          .anySatisfy(s -> assertThat(s.getMessage()).contains("refuses the pattern \"" + pattern));
    }
  }

  @Test
  void patternWithoutModifiers_writesTheLineAsBefore() {
    Logger log = start("%-5level %logger - %msg%n");
    log.info("calling with {}", value);

    assertThat(written())
        .isEqualTo(
            "INFO  app.Orders - calling with [REDACTED:"
                + secret.fingerprint()
                + "]"
                + System.lineSeparator());
  }
}
