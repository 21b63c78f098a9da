package dev.keyguard.client;

import static dev.keyguard.testing.ExceptionTextAssertions.assertNoRepeatedText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.KeyGuardException;
import org.junit.jupiter.api.Test;

class KeyGuardIOExceptionTest {

  @Test
  void carriesTheKeyGuardFailureAndNamesItWithoutRepeatingItsMessage() {
    KeyGuardException failure =
        new InsecureTransportException("refusing to send a credential over plain http", null);

    KeyGuardIOException carrier = new KeyGuardIOException(failure);

    assertThat(carrier.keyGuardException()).isSameAs(failure);
    assertThat(carrier).hasMessageContaining("InsecureTransportException");
    assertNoRepeatedText(carrier);
    assertThat(KeyGuardIOException.find(new java.io.IOException("outer", carrier)))
        .isSameAs(failure);
  }
}
