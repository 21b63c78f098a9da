package dev.keyguard.logging.log4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Log4j 2 context configured from XML: the plugins are found through the compiled index. */
class Log4j2RedactionTest {

  private static final String DIR_PROPERTY = "keyguard.test.log4jDir";

  @TempDir Path dir;

  private final String value = TestSecrets.randomBase64Url(30);
  private final Secret secret = Secret.of(value);
  private LoggerContext context;

  @BeforeEach
  void configure() throws URISyntaxException {
    Redactor.global().register(secret);
    System.setProperty(DIR_PROPERTY, dir.toString());
    context =
        Configurator.initialize(
            "keyguard-redaction-test",
            getClass().getClassLoader(),
            getClass().getResource("log4j2-redaction-test.xml").toURI());
  }

  @AfterEach
  void stop() {
    Configurator.shutdown(context);
    System.clearProperty(DIR_PROPERTY);
    Redactor.global().retire(secret);
  }

  private void logLeakyLines() {
    Logger log = context.getLogger("app.Orders");
    log.info("calling the API with key {}", value);
    log.error("request failed", new IllegalStateException("rejected key " + value));
    Configurator.shutdown(context);
  }

  @Test
  void rewritePolicy_whenAppLogsTheKey_writesFingerprintOnly() throws IOException {
    logLeakyLines();

    String written = Files.readString(dir.resolve("rewrite.log"), StandardCharsets.UTF_8);
    assertThat(written)
        .doesNotContain(value)
        .contains(
            "INFO  app.Orders - calling the API with key [REDACTED:" + secret.fingerprint() + "]")
        .contains(
            "dev.keyguard.RedactedThrowable: java.lang.IllegalStateException: rejected key [REDACTED:")
        .contains("at dev.keyguard.logging.log4j.Log4j2RedactionTest.logLeakyLines");
  }

  @Test
  void converters_whenAppLogsTheKey_writeFingerprintOnly() throws IOException {
    logLeakyLines();

    String written = Files.readString(dir.resolve("converter.log"), StandardCharsets.UTF_8);
    assertThat(written)
        .doesNotContain(value)
        .contains(
            "INFO  app.Orders - calling the API with key [REDACTED:" + secret.fingerprint() + "]")
        .contains("java.lang.IllegalStateException: rejected key [REDACTED:")
        .contains("at dev.keyguard.logging.log4j.Log4j2RedactionTest.logLeakyLines");
  }

  @Test
  void rewritePolicy_whenOnlyAnUnusedParameterHoldsTheKey_dropsTheParameters() {
    org.apache.logging.log4j.core.LogEvent event =
        org.apache.logging.log4j.core.impl.Log4jLogEvent.newBuilder()
            .setMessage(
                new org.apache.logging.log4j.message.ParameterizedMessage(
                    "user {} logged in", "alice", value))
            .build();

    org.apache.logging.log4j.core.LogEvent rewritten =
        RedactingRewritePolicy.createPolicy().rewrite(event);

    // a layout may print parameters (JsonTemplateLayout's message parameter resolver)
    Object[] parameters = rewritten.getMessage().getParameters();
    assertThat(java.util.Arrays.deepToString(parameters == null ? new Object[0] : parameters))
        .doesNotContain(value);
    assertThat(rewritten.getMessage().getFormattedMessage()).isEqualTo("user alice logged in");
  }

  @Test
  void rewritePolicy_whenContextDataHoldsTheKey_redactsIt() {
    org.apache.logging.log4j.util.StringMap data =
        org.apache.logging.log4j.core.impl.ContextDataFactory.createContextData();
    data.putValue("apiKey", value);
    data.putValue("user", "alice");
    org.apache.logging.log4j.core.LogEvent event =
        org.apache.logging.log4j.core.impl.Log4jLogEvent.newBuilder()
            .setMessage(new org.apache.logging.log4j.message.SimpleMessage("plain"))
            .setContextData(data)
            .build();

    org.apache.logging.log4j.core.LogEvent rewritten =
        RedactingRewritePolicy.createPolicy().rewrite(event);

    assertThat(rewritten.getContextData().toMap().toString()).doesNotContain(value);
    assertThat(rewritten.getContextData().<String>getValue("apiKey"))
        .isEqualTo("[REDACTED:" + secret.fingerprint() + "]");
    assertThat(rewritten.getContextData().<String>getValue("user")).isEqualTo("alice");
  }

  @Test
  void rewritePolicy_whenNothingToRedact_passesTheSameEvent() {
    org.apache.logging.log4j.core.LogEvent event =
        org.apache.logging.log4j.core.impl.Log4jLogEvent.newBuilder()
            .setMessage(new org.apache.logging.log4j.message.SimpleMessage("plain"))
            .build();

    assertThat(RedactingRewritePolicy.createPolicy().rewrite(event)).isSameAs(event);
  }

  @Test
  void truncatingPatterns_behindTheRewritePolicyOrOnTheConverter_keepNoPartOfTheKey()
      throws IOException {
    Logger log = context.getLogger("app.Orders");
    for (int lead = 0; lead < 30; lead++) {
      log.info(".".repeat(lead) + value);
    }
    Configurator.shutdown(context);

    for (String file : new String[] {"truncated-rewrite.log", "truncated-converter.log"}) {
      String written = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
      assertThat(written).as(file).contains("[REDACTED:");
      for (int i = 0; i + 6 <= value.length(); i++) {
        assertThat(written).as(file).doesNotContain(value.substring(i, i + 6));
      }
    }
  }
}
