package dev.keyguard.logging.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Logback context configured from XML, writing to files. */
class LogbackRedactionTest {

  @TempDir Path dir;

  private final String value = TestSecrets.randomBase64Url(30);
  private final Secret secret = Secret.of(value);
  private final LoggerContext context = new LoggerContext();

  @BeforeEach
  void configure() throws JoranException {
    Redactor.global().register(secret);
    context.setMDCAdapter(new LogbackMDCAdapter());
    context.putProperty("logDir", dir.toString());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("logback-redaction-test.xml"));
    context.start();
  }

  @AfterEach
  void stop() {
    context.stop();
    Redactor.global().retire(secret);
  }

  private void logLeakyLines() {
    Logger log = context.getLogger("app.Orders");
    log.info("calling the API with key {}", value);
    log.warn(
        "request failed",
        new IllegalStateException("rejected key " + value, new RuntimeException("cause " + value)));
    context.stop();
  }

  @Test
  void redactingEncoder_whenAppLogsTheKey_writesFingerprintOnly() throws IOException {
    logLeakyLines();

    String written = Files.readString(dir.resolve("encoder.log"), StandardCharsets.UTF_8);
    assertThat(written)
        .doesNotContain(value)
        .contains(
            "INFO  app.Orders - calling the API with key [REDACTED:" + secret.fingerprint() + "]")
        .contains("java.lang.IllegalStateException: rejected key [REDACTED:")
        .contains("Caused by: java.lang.RuntimeException: cause [REDACTED:");
  }

  @Test
  void converters_whenAppLogsTheKey_writeFingerprintOnly() throws IOException {
    logLeakyLines();

    String written = Files.readString(dir.resolve("converter.log"), StandardCharsets.UTF_8);
    assertThat(written)
        .doesNotContain(value)
        .contains("calling the API with key [REDACTED:" + secret.fingerprint() + "]")
        .contains("java.lang.IllegalStateException: rejected key [REDACTED:")
        .contains("Caused by: java.lang.RuntimeException: cause [REDACTED:");
  }
}
