package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Carries a {@link KeyGuardException} out of an OkHttp interceptor. OkHttp delivers only {@link
 * IOException}s to callbacks (a runtime exception would kill a dispatcher thread), so the
 * interceptors throw this and {@link KeyGuardClient} rethrows the cause. Raw OkHttp users find the
 * {@link KeyGuardException} as {@link #getCause()}.
 */
final class KeyGuardIOException extends IOException {

  private static final long serialVersionUID = 1L;

  KeyGuardIOException(KeyGuardException cause) {
    // names the failure, which it carries: its message is printed with the cause, not twice
    super("KeyGuard stopped the call: " + cause.getClass().getSimpleName() + " (the cause)", cause);
  }

  KeyGuardException keyGuardException() {
    // the constructor sets the cause, and a cause cannot be set twice
    return (KeyGuardException) Objects.requireNonNull(getCause(), "cause");
  }

  /** Finds a KeyGuard failure in an exception chain, or null. */
  static @Nullable KeyGuardException find(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof KeyGuardIOException) {
        return ((KeyGuardIOException) c).keyGuardException();
      }
      for (Throwable s : c.getSuppressed()) {
        if (s instanceof KeyGuardIOException) {
          return ((KeyGuardIOException) s).keyGuardException();
        }
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }
}
