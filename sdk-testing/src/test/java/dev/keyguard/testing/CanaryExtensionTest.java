package dev.keyguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import ch.qos.logback.classic.Logger;
import dev.keyguard.KeyGuardException;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.logging.RedactingLogger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The canary must fire: these tests run the detection logic on canaries of their own (not the
 * run-wide ones, which would fail this very test), through a logger that does not redact.
 */
class CanaryExtensionTest {

  private final String value = TestSecrets.randomBase64Url(30);
  private final Secret ownCanary = Secret.of(value);
  private final CanaryDetector detector = new CanaryDetector(List.of(ownCanary));

  @Test
  void detector_whenCanaryLoggedThroughPlainLogger_reportsWhereWithoutTheValue() {
    Logger plain = (Logger) LoggerFactory.getLogger("test.canary." + UUID.randomUUID());
    plain.setAdditive(false);
    plain.addAppender(LogbackCanaryHook.appender(detector));

    plain.info("oops, the key is {}", value);

    assertThat(detector.violations())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.source()).isEqualTo("log " + plain.getName());
              assertThat(v.fingerprint()).isEqualTo(ownCanary.fingerprint());
              assertThat(v.form()).isEqualTo("raw");
              assertThat(v.toString())
                  .doesNotContain(value)
                  .contains("oops, the key is <canary " + ownCanary.fingerprint() + ">");
            });
  }

  @Test
  void detector_whenCanaryInExceptionOfLogEvent_reportsIt() {
    Logger plain = (Logger) LoggerFactory.getLogger("test.canary." + UUID.randomUUID());
    plain.setAdditive(false);
    plain.addAppender(LogbackCanaryHook.appender(detector));

    plain.warn(
        "failed", new IllegalStateException("wrapped", new RuntimeException("key " + value)));

    assertThat(detector.violations()).hasSize(1);
  }

  @Test
  void detector_whenCanaryEncodedOnStdout_reportsEachForm() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = detector.scanning("stdout", sink);
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);

    out.println("hex " + HexFormat.of().formatHex(bytes));
    out.println("b64 " + Base64.getEncoder().encodeToString(bytes));
    out.print("url " + URLEncoder.encode(value + "/", StandardCharsets.UTF_8) + "\n");

    assertThat(detector.violations())
        .extracting(CanaryDetector.Violation::form)
        .containsExactly("hex", "base64", "raw");
    assertThat(sink.toString(StandardCharsets.UTF_8)).startsWith("hex ");
  }

  @Test
  void afterEach_whenCanaryLeaked_failsWithFingerprintOnly() {
    CanaryExtension extension = new CanaryExtension(detector);
    ExtensionContext context = mock(ExtensionContext.class);
    when(context.getUniqueId()).thenReturn("[test:leaky()]");
    detector.scan("log app", "sending " + value);

    assertThatThrownBy(() -> extension.afterEach(context))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("[test:leaky()]")
        .hasMessageContaining(ownCanary.fingerprint())
        .hasMessageNotContaining(value);
    // reported once: the next test is not failed for the same finding
    extension.afterEach(context);
  }

  @Test
  void afterTestExecution_whenTestFailedWithCanaryInMessage_recordsIt() {
    CanaryExtension extension = new CanaryExtension(detector);
    ExtensionContext context = mock(ExtensionContext.class);
    when(context.getDisplayName()).thenReturn("leaky()");
    when(context.getExecutionException())
        .thenReturn(
            java.util.Optional.of(new AssertionError("expected <" + value + "> to be empty")));

    extension.afterTestExecution(context);

    assertThat(detector.violations())
        .singleElement()
        .satisfies(v -> assertThat(v.source()).isEqualTo("exception of leaky()"));
  }

  @Test
  void afterTestExecution_whenPropertyFalsifiedOnACanary_recordsTheQuickTheoriesReport() {
    CanaryExtension extension = new CanaryExtension(detector);
    ExtensionContext context = mock(ExtensionContext.class);
    when(context.getDisplayName()).thenReturn("property()");
    // QuickTheories prints the falsifying values in its report: a canary among them must be seen
    Throwable falsified =
        catchThrowable(
            () ->
                qt().withExamples(10)
                    .forAll(integers().between(1, 3))
                    .checkAssert(i -> assertThat("key " + value + " #" + i).doesNotContain(value)));
    when(context.getExecutionException()).thenReturn(java.util.Optional.of(falsified));

    extension.afterTestExecution(context);

    assertThat(falsified).hasMessageContaining("Property falsified");
    assertThat(detector.violations())
        .isNotEmpty()
        .allSatisfy(v -> assertThat(v.source()).isEqualTo("exception of property()"));
  }

  @Test
  void endOfRunCheck_whenFindingNotYetReported_throws() {
    detector.scan("stderr", value);

    assertThatThrownBy(() -> new CanaryExtension.EndOfRunCheck(detector).close())
        .isInstanceOf(AssertionError.class)
        .hasMessageNotContaining(value);
  }

  @Test
  void extension_isActiveInThisModule() {
    assertThat(CanaryExtension.isInstalled()).isTrue();
    assertThat(Canaries.all()).hasSize(3);
    for (Secret canary : Canaries.all()) {
      String raw = Canaries.rawValue(canary);
      assertThat(Redactor.global().redact(raw))
          .isEqualTo("[REDACTED:" + canary.fingerprint() + "]");
    }
  }

  @Test
  void canaries_throughRedactingPaths_doNotLeak() {
    int before = Canaries.detector().violations().size();
    org.slf4j.Logger log = RedactingLogger.getLogger(CanaryExtensionTest.class);
    for (Secret canary : Canaries.all()) {
      String raw = Canaries.rawValue(canary);
      log.info(
          "key {} in a URL https://x/?k={}", raw, URLEncoder.encode(raw, StandardCharsets.UTF_8));
      log.warn("failure", new IllegalStateException("vendor says " + raw));
      KeyGuardException e =
          new KeyGuardException("wrapped " + raw, new RuntimeException(raw), null, null, false);
      log.error("caught", e);
      System.out.println(Redactor.global().redact("stdout " + raw));
      Canaries.assertAbsentFrom(e, e.getCause(), canary);
    }

    assertThat(Canaries.detector().violations()).hasSize(before);
  }

  @Test
  void assertAbsentFrom_whenCanaryInToString_throws() {
    Object leaky =
        new Object() {
          @Override
          public String toString() {
            return "Leaky(" + Canaries.rawValue(Canaries.apiKey()) + ")";
          }
        };

    assertThatThrownBy(() -> Canaries.assertAbsentFrom(leaky))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(Canaries.apiKey().fingerprint())
        .hasMessageNotContaining(Canaries.rawValue(Canaries.apiKey()));
  }
}
