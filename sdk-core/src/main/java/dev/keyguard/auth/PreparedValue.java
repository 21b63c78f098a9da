package dev.keyguard.auth;

import dev.keyguard.VersionedCredential;
import org.jspecify.annotations.Nullable;

/**
 * A value a scheme derives from a credential's secret (a header value, an encoded query value),
 * prepared once per credential instead of decoded on every request. It keeps the value of the
 * credential it last saw (identity: a managed key hands out the same instance until it rotates), so
 * it holds at most one copy of one version, and lets go of it at the next version. A destroyed
 * secret is never served from it: the scheme then decodes again, which throws. Thread-safe.
 */
final class PreparedValue {

  private record Entry(VersionedCredential credential, String value) {}

  private volatile @Nullable Entry last;

  /** The value prepared for this very credential, or null if it must be prepared. */
  @Nullable String get(VersionedCredential credential) {
    Entry e = last;
    return e != null && e.credential == credential && !credential.apiKey().isDestroyed()
        ? e.value
        : null;
  }

  /** Keeps {@code value} for {@code credential}, replacing the one kept, and returns it. */
  String put(VersionedCredential credential, String value) {
    last = new Entry(credential, value);
    return value;
  }
}
