package dev.keyguard.key;

import dev.keyguard.Redactor;
import org.mockito.AdditionalAnswers;
import org.mockito.MockedStatic;
import org.mockito.Mockito;

/**
 * Records, on the test thread, what is registered with and retired from {@link Redactor#global()}:
 * while open, {@code Redactor.global()} returns a Mockito wrapper that forwards every call to the
 * real global redactor (so redaction works as usual) and can be verified. Works where the code
 * under test runs on the test thread (the fake scheduler runs every fetch there).
 */
final class GlobalRedactorSpy implements AutoCloseable {

  /** The wrapper to verify; every call also reaches the real global redactor. */
  final Redactor redactor;

  private final MockedStatic<Redactor> global;

  GlobalRedactorSpy() {
    Redactor real = Redactor.global();
    redactor = Mockito.mock(Redactor.class, AdditionalAnswers.delegatesTo(real));
    global = Mockito.mockStatic(Redactor.class, Mockito.CALLS_REAL_METHODS);
    global.when(Redactor::global).thenReturn(redactor);
  }

  @Override
  public void close() {
    global.close();
  }
}
