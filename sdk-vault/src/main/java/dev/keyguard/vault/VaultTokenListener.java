package dev.keyguard.vault;

/**
 * Receives the {@link VaultTokenEvent}s of a {@link VaultKeyProvider}'s Vault token: logins,
 * renewals, failures. Register listeners with {@link
 * VaultKeyProvider.Builder#tokenListener(VaultTokenListener)}.
 *
 * <p>Events are delivered synchronously on the thread that did the work: the provider's token
 * scheduler thread for a scheduled renewal or re-login, or the thread that called {@link
 * VaultKeyProvider#fetch(dev.keyguard.KeyId)} (usually a key manager's refresh thread) for a login
 * on first use or after a refused token. They are delivered while the token lock is held, so a
 * listener must be quick and must not call the provider. An exception thrown by a listener is
 * logged and ignored.
 */
@FunctionalInterface
public interface VaultTokenListener {

  /**
   * Handles one event.
   *
   * @param event the event; never null
   */
  void onEvent(VaultTokenEvent event);
}
