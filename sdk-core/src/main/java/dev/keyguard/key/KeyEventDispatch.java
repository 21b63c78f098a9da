package dev.keyguard.key;

import static dev.keyguard.key.KeyManager.LOG;

import dev.keyguard.RedactedThrowable;
import java.util.List;

/**
 * Hands events to the listeners of a {@link KeyManager}, in the order they were added; a listener
 * that throws is logged (its exception redacted by the global redactor) and the others still run.
 * Called outside every key lock, on the thread that made the change.
 */
final class KeyEventDispatch {

  private final List<KeyEventListener> listeners;

  KeyEventDispatch(List<KeyEventListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  void fire(List<KeyEvent> events) {
    for (KeyEvent event : events) {
      for (KeyEventListener listener : listeners) {
        try {
          listener.onEvent(event);
        } catch (RuntimeException e) {
          LOG.warn(
              "KeyEvent listener {} threw {} on {} for key {}; ignored",
              listener.getClass().getName(),
              e.getClass().getName(),
              event.getClass().getSimpleName(),
              event.keyId());
          LOG.debug("listener failure", RedactedThrowable.protect(e));
        }
      }
    }
  }
}
