package dev.keyguard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.Secret;
import dev.keyguard.examples.DemoSummary.Guarantee;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the offline demo in this process, as {@code scripts/demo.sh} does, and checks what it claims
 * independently of its own checks: the exit status, the rotation survived with exactly one retry,
 * the refusals, and that a generated {@code DEMO_API_KEY} appears nowhere in what it printed
 * (narrative and log lines) nor on the process's stdout/stderr while it ran.
 */
class DemoTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void offlineDemo_withGeneratedDemoApiKey_holdsEveryGuaranteeAndNeverPrintsTheKey() {
    String key = generatedKey();
    Captured captured = Captured.during(out -> OfflineDemo.run(out, Map.of("DEMO_API_KEY", key)));
    DemoSummary summary = captured.summary;
    String output = captured.everything();

    assertThat(summary.exitStatus()).as(output).isZero();
    for (Guarantee g : Guarantee.values()) {
      assertThat(summary.held(g)).as(g + "\n" + output).isTrue();
    }

    // the key came from DEMO_API_KEY, and the rotation replaced it
    assertThat(summary.initialKeyFromEnvironment()).isTrue();
    assertThat(summary.fingerprintBefore()).isEqualTo(Secret.of(key).fingerprint());
    assertThat(summary.fingerprintAfter())
        .startsWith("fp:")
        .isNotEqualTo(summary.fingerprintBefore());

    // rotation survived with exactly one retry, and one rotation
    assertThat(summary.rotations()).isEqualTo(1);
    assertThat(summary.keyRetries()).isEqualTo(1);
    assertThat(summary.marketRequests()).isEqualTo(summary.calls() - 1 + summary.keyRetries());
    assertThat(output)
        .contains(
            "event: KeyRotated market-data "
                + summary.fingerprintBefore()
                + " -> "
                + summary.fingerprintAfter())
        .contains(
            summary.fingerprintBefore() + " -> 401, then " + summary.fingerprintAfter() + " -> 200")
        .contains("retrying once with version");

    // cleartext refused, nothing reached the plain listener; the other origin got no key
    assertThat(summary.plainListenerConnections()).isZero();
    assertThat(output).contains("-> InsecureTransportException: Refused a cleartext request");
    assertThat(output).contains("-> InsecureTransportException: Refused a redirect from https");
    assertThat(summary.otherOriginRequests()).isEqualTo(1);
    assertThat(output)
        .containsPattern("hop 2, https://127\\.0\\.0\\.1:\\d+ received /v2/price\\?symbol=BTC\n");
    String headersLine =
        output.lines().filter(l -> l.contains("headers received:")).findFirst().orElseThrow();
    assertThat(headersLine)
        .contains("host")
        .doesNotContain("x-api-key")
        .doesNotContain("authorization");

    // the client's own HTTP log: hop 1 carried the key (shown as REDACTED), hop 2 did not
    int hop1 = output.indexOf("--> GET https://localhost:");
    assertThat(hop1).isNotNegative();
    int hop2 = output.indexOf("--> GET https://127.0.0.1:");
    assertThat(hop2).isGreaterThan(hop1);
    assertThat(output.substring(hop1, output.indexOf("--> END GET", hop1)))
        .contains("x-api-key: REDACTED");
    assertThat(output.substring(hop2, output.indexOf("--> END GET", hop2)))
        .doesNotContainIgnoringCase("x-api-key")
        .doesNotContainIgnoringCase("authorization");

    // the application's log line came out redacted
    assertThat(output)
        .containsPattern(
            "\\[WARN\\] PriceFeed - price feed: retrying with api key \\[REDACTED:"
                + summary.fingerprintAfter()
                + "\\] \\(previous key \\[REDACTED:"
                + summary.fingerprintBefore()
                + "\\]\\)");

    // the key appears nowhere, in any form
    for (String form : LeakScan.forms(key)) {
      assertThat(output).doesNotContain(form);
    }
  }

  @Test
  void run_withoutArguments_exitsZero() {
    Captured captured =
        Captured.during(
            out -> {
              int status = Demo.run(new String[0], out, Map.of());
              return status == 0 ? null : new IllegalStateException("exit status " + status);
            });
    assertThat(captured.error).as(captured.everything()).isNull();
    assertThat(captured.everything()).contains("every guarantee held: exit status 0");
  }

  @Test
  void run_withUnusableDemoApiKey_failsWithoutEchoingIt() {
    String tooShort = generatedKey().substring(0, 10);
    Captured captured =
        Captured.during(
            out ->
                Demo.run(new String[0], out, Map.of("DEMO_API_KEY", tooShort)) == 0
                    ? null
                    : new IllegalStateException("non-zero"));
    assertThat(captured.error).as("exit status must be non-zero").isNotNull();
    assertThat(captured.everything())
        .contains("DEMO_API_KEY is set but not usable")
        .doesNotContain(tooShort);
  }

  @Test
  void run_withBadArguments_printsUsageAndExitsTwo() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status =
        Demo.run(
            new String[] {"--preset", "coingecko-demo"},
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            Map.of());
    assertThat(status).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("--key-env is required")
        .contains("Usage:");
  }

  @Test
  void run_withHelp_printsUsageAndExitsZero() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status =
        Demo.run(
            new String[] {"--help"},
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            Map.of());
    assertThat(status).isZero();
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--preset NAME --key-env VARIABLE");
  }

  @Test
  void run_withRealApiArgumentsButNoKeyVariable_exitsTwoBeforeAnyCall() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status =
        Demo.run(
            new String[] {
              "--preset", "coingecko-demo", "--key-env", "COINGECKO_API_KEY", "--path", "/ping"
            },
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            Map.of());
    assertThat(status).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("The environment variable COINGECKO_API_KEY is not set")
        .doesNotContain("GET https://");
  }

  @Test
  void exitStatus_whenAGuaranteeFailedOrWasNotChecked_isOne() {
    List<DemoSummary.Check> allHeld = new ArrayList<>();
    for (Guarantee g : Guarantee.values()) {
      allHeld.add(new DemoSummary.Check(g, true, "ok"));
    }
    assertThat(summaryWith(allHeld).exitStatus()).isZero();

    List<DemoSummary.Check> oneFailed = new ArrayList<>(allHeld);
    oneFailed.add(
        new DemoSummary.Check(Guarantee.CLEARTEXT_REFUSED, false, "a connection was made"));
    assertThat(summaryWith(oneFailed).exitStatus()).isEqualTo(1);
    assertThat(summaryWith(oneFailed).held(Guarantee.CLEARTEXT_REFUSED)).isFalse();

    List<DemoSummary.Check> oneMissing = new ArrayList<>(allHeld);
    oneMissing.remove(0);
    assertThat(summaryWith(oneMissing).exitStatus()).isEqualTo(1);
  }

  private static DemoSummary summaryWith(List<DemoSummary.Check> checks) {
    return new DemoSummary(8, 8, 1, 0, 1, 1, "fp:000000000000", "fp:111111111111", false, checks);
  }

  static String generatedKey() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Output of a run: the stream given to the demo plus System.out/err while it ran. */
  private static final class Captured {
    final ByteArrayOutputStream given = new ByteArrayOutputStream();
    final ByteArrayOutputStream system = new ByteArrayOutputStream();
    DemoSummary summary;
    RuntimeException error;

    interface Body {
      Object run(PrintStream out);
    }

    static Captured during(Body body) {
      Captured c = new Captured();
      PrintStream systemOut = System.out;
      PrintStream systemErr = System.err;
      PrintStream stray = new PrintStream(c.system, true, StandardCharsets.UTF_8);
      System.setOut(stray);
      System.setErr(stray);
      try {
        Object result = body.run(new PrintStream(c.given, true, StandardCharsets.UTF_8));
        if (result instanceof DemoSummary s) {
          c.summary = s;
        } else if (result instanceof RuntimeException e) {
          c.error = e;
        }
      } finally {
        System.setOut(systemOut);
        System.setErr(systemErr);
      }
      systemOut.print(c.everything()); // kept in the surefire report for reading
      return c;
    }

    String everything() {
      return given.toString(StandardCharsets.UTF_8) + system.toString(StandardCharsets.UTF_8);
    }
  }
}
