package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedactedThrowableTest {

  private final String value = TestSecrets.randomBase64Url(30);
  private final Secret secret = Secret.of(value);

  @AfterEach
  void retire() {
    Redactor.global().retire(secret);
  }

  private static String printed(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void keyGuardException_whenCauseMessageHoldsLiveSecret_printsNoSecret() {
    Redactor.global().register(secret);
    IOException vendor = new IOException("request to https://api/x?key=" + value + " failed");
    vendor.addSuppressed(new IllegalStateException("retry with " + value));
    RuntimeException wrapper = new RuntimeException("outer", vendor);

    KeyGuardException e =
        new KeyProviderUnavailableException(
            "backend down for key prices", wrapper, KeyId.of("prices"), "v3");

    String trace = printed(e);
    assertThat(trace).doesNotContain(value);
    assertThat(trace)
        .contains("Caused by: java.lang.RuntimeException: outer")
        .contains(
            "Caused by: java.io.IOException: request to https://api/x?key=[REDACTED:"
                + secret.fingerprint()
                + "] failed")
        .contains("Suppressed: java.lang.IllegalStateException: retry with [REDACTED:")
        .contains(
            "at dev.keyguard.RedactedThrowableTest.keyGuardException_whenCauseMessageHoldsLiveSecret_printsNoSecret");
    assertThat(e.getCause()).isInstanceOf(RedactedThrowable.class);
    assertThat(((RedactedThrowable) e.getCause()).originalClassName())
        .isEqualTo("java.lang.RuntimeException");
    assertThat(e.getCause().getStackTrace()).isEqualTo(wrapper.getStackTrace());
  }

  @Test
  void keyGuardException_whenCauseIsClean_keepsOriginalCause() {
    IOException vendor = new IOException("connection reset");

    KeyGuardException e = new KeyGuardException("failed", vendor, null, null, true);

    assertThat(e.getCause()).isSameAs(vendor);
  }

  @Test
  void keyGuardException_whenMessageHoldsLiveSecret_isRedacted() {
    Redactor.global().register(secret);

    KeyGuardException e = new KeyGuardException("oops " + value);

    assertThat(e.getMessage()).isEqualTo("oops [REDACTED:" + secret.fingerprint() + "]");
    assertThat(e.toString()).doesNotContain(value);
  }

  @Test
  void protect_whenCustomToStringShowsSecret_copiesIt() {
    Redactor redactor = Redactor.isolated();
    redactor.register(secret);
    RuntimeException custom =
        new RuntimeException("plain") {
          @Override
          public String toString() {
            return "Custom(" + value + ")";
          }
        };

    Throwable protectedOne = RedactedThrowable.protect(custom, redactor);

    assertThat(protectedOne).isInstanceOf(RedactedThrowable.class);
    assertThat(printed(protectedOne)).doesNotContain(value).contains("Custom([REDACTED:");
  }

  @Test
  void copyOf_whenCauseChainIsCyclic_terminates() {
    Redactor redactor = Redactor.isolated();
    redactor.register(secret);
    IllegalStateException a = new IllegalStateException("a " + value);
    IllegalArgumentException b = new IllegalArgumentException("b", a);
    a.initCause(b);

    RedactedThrowable copy = RedactedThrowable.copyOf(a, redactor);

    assertThat(copy.getMessage()).startsWith("java.lang.IllegalStateException: a [REDACTED:");
    assertThat(copy.getCause().getMessage()).isEqualTo("java.lang.IllegalArgumentException: b");
    assertThat(copy.getCause().getCause()).isNull();
  }

  @Test
  void protect_whenSecretSitsDeeperThanTheCopyDepth_stillPrintsNoSecret() {
    Redactor redactor = Redactor.isolated();
    redactor.register(secret);
    Throwable chain = new IllegalStateException("deep " + value);
    for (int i = 0; i < 80; i++) {
      chain = new RuntimeException("wrapper " + i, chain);
    }

    Throwable protectedChain = RedactedThrowable.protect(chain, redactor);

    assertThat(printed(protectedChain)).doesNotContain(value);
  }

  @Test
  void protect_whenNull_returnsNull() {
    assertThat(RedactedThrowable.protect(null)).isNull();
  }

  @Test
  void toString_looksLikeTheOriginal() {
    Redactor redactor = Redactor.isolated();
    redactor.register(secret);

    RedactedThrowable copy = RedactedThrowable.copyOf(new IOException("k=" + value), redactor);

    assertThat(copy.toString())
        .isEqualTo("java.io.IOException: k=[REDACTED:" + secret.fingerprint() + "]")
        .isEqualTo(copy.getMessage());
  }
}
