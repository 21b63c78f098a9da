package dev.keyguard.key;

import dev.keyguard.VersionedCredential;

/**
 * Receives the {@link KeyEvent}s of a {@link KeyManager}: rotations, refresh failures and
 * recoveries, lifetime warnings, rejections. Register listeners with {@link
 * KeyManager.Builder#listener(KeyEventListener)}.
 *
 * <p>Events are delivered synchronously, after the change they describe is visible, on the thread
 * that made the change: a refresh thread of the key manager's scheduler, or an application thread
 * that called {@link ManagedKey#current()}, {@link ManagedKey#rejected(VersionedCredential)} or
 * {@link ManagedKey#accepted(VersionedCredential)}. Listeners must therefore be thread-safe and
 * quick (hand slow work, such as paging someone, to another executor). An exception thrown by a
 * listener is logged and ignored: it never stops a refresh or reaches the caller, and the other
 * listeners still get the event.
 *
 * <pre>{@code
 * KeyEventListener metrics = event -> registry.counter("keyguard.events",
 *     "key", event.keyId().value(), "type", event.getClass().getSimpleName()).increment();
 * }</pre>
 */
@FunctionalInterface
public interface KeyEventListener {

  /**
   * Handles one event.
   *
   * @param event the event; never null
   */
  void onEvent(KeyEvent event);
}
