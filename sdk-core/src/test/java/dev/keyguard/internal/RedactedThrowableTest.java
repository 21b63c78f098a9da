package dev.keyguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RedactedThrowableTest {

  private static String liveValue() {
    String value = TestSecrets.randomHex(20);
    Redactor.global().register(Secret.of(value));
    return value;
  }

  @Test
  void scrub_whenNothingKnownLeaks_returnsTheSameThrowable() {
    IOException e = new IOException("connection reset", new IllegalStateException("inner"));

    assertThat(RedactedThrowable.scrub(e)).isSameAs(e);
    assertThat(RedactedThrowable.scrub(null)).isNull();
  }

  @Test
  void scrub_whenOnlyADeepCauseLeaks_copiesTheWholeChainKeepingNamesAndTraces() {
    String value = liveValue();
    IllegalArgumentException deep = new IllegalArgumentException("bad key " + value);
    IOException middle = new IOException("request failed", deep);
    RuntimeException top = new RuntimeException("outer", middle);

    Throwable scrubbed = RedactedThrowable.scrub(top);

    assertThat(scrubbed).isInstanceOf(RedactedThrowable.class).hasMessage("outer");
    assertThat(((RedactedThrowable) scrubbed).originalClassName()).isEqualTo("java.lang.RuntimeException");
    assertThat(scrubbed.getStackTrace()).isEqualTo(top.getStackTrace());
    assertThat(scrubbed.getCause().toString()).isEqualTo("java.io.IOException: request failed");
    assertThat(scrubbed.getCause().getCause().getMessage()).startsWith("bad key [REDACTED:sha256:");
    SecretLeakAssertions.assertNoLeak(scrubbed, Secret.of(value));
  }

  @Test
  void scrub_whenSuppressedExceptionsFormACycle_terminatesAndRedacts() {
    String value = liveValue();
    RuntimeException a = new RuntimeException("a " + value);
    RuntimeException b = new RuntimeException("b", a);
    a.addSuppressed(b);

    Throwable scrubbed = RedactedThrowable.scrub(b);

    assertThat(scrubbed.getCause().getSuppressed()).singleElement().isSameAs(scrubbed);
    SecretLeakAssertions.assertNoLeak(scrubbed, Secret.of(value));
  }

  @Test
  void scrub_whenOnlyToStringLeaks_isCaughtToo() {
    String value = liveValue();
    Exception custom = new Exception("plain") {
      @Override
      public String toString() {
        return "Custom: plain (" + value + ")";
      }
    };

    Throwable scrubbed = RedactedThrowable.scrub(custom);

    assertThat(scrubbed).isInstanceOf(RedactedThrowable.class).hasMessage("plain");
  }
}
