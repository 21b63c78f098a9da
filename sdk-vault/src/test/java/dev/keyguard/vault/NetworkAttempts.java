package dev.keyguard.vault;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * Counts what the Vault provider's HTTP client tried on the network, below KeyGuard: DNS lookups of
 * a host name, and connection attempts (a refused connection never reaches a proxy, so a proxy
 * cannot count it). Installed with {@code VaultKeyProvider.Builder#eventListenerForTesting}.
 * Thread-safe.
 */
final class NetworkAttempts extends EventListener {

  private final AtomicInteger lookups = new AtomicInteger();
  private final AtomicInteger connects = new AtomicInteger();

  @Override
  public void dnsStart(Call call, String domainName) {
    lookups.incrementAndGet();
  }

  @Override
  public void connectStart(Call call, InetSocketAddress inetSocketAddress, Proxy proxy) {
    connects.incrementAndGet();
  }

  /** DNS lookups so far (none for an IP literal). */
  int lookups() {
    return lookups.get();
  }

  /** Connection attempts so far, refused or not. */
  int connects() {
    return connects.get();
  }
}
