package dev.keyguard.key;

import static dev.keyguard.key.KeyManager.LOG;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The backend calls of one key: asks the {@link KeyProvider} and turns every outcome into a usable
 * credential of this key or a {@link KeyGuardException} (never a foreign exception). Blocking;
 * called only by the thread that runs a flight, outside every lock.
 */
final class KeyFetcher {

  /** The outcome of a fetch: a credential, or an error (and the {@link Error} to rethrow). */
  record Outcome(
      @Nullable VersionedCredential credential,
      @Nullable KeyGuardException error,
      @Nullable Error fatal) {
    Outcome {
      if ((credential == null) == (error == null)) {
        throw new IllegalArgumentException("an outcome is either a credential or an error");
      }
    }
  }

  private final KeyProvider provider;
  private final KeyId keyId;

  KeyFetcher(KeyProvider provider, KeyId keyId) {
    this.provider = provider;
    this.keyId = keyId;
  }

  String providerName() {
    return provider.name();
  }

  /** Fetches the backend's current version. */
  Outcome fetch() {
    try {
      VersionedCredential fetched = provider.fetch(keyId);
      if (fetched == null) {
        return failed(
            new MalformedSecretException(
                "provider " + provider.name() + " returned no credential for key '" + keyId + "'",
                keyId));
      }
      if (!fetched.keyId().equals(keyId)) {
        return failed(
            new MalformedSecretException(
                "provider "
                    + provider.name()
                    + " returned a credential for key '"
                    + fetched.keyId()
                    + "' when asked for '"
                    + keyId
                    + "'",
                keyId));
      }
      return new Outcome(fetched, null, null);
    } catch (KeyGuardException e) {
      return failed(e);
    } catch (RuntimeException e) {
      return failed(wrapUnexpected(e));
    } catch (Error e) {
      return new Outcome(null, wrapUnexpected(e), e);
    }
  }

  /** Fetches the alternate versions of this key; an empty list if the provider fails. */
  List<VersionedCredential> fetchAlternates() {
    try {
      List<VersionedCredential> list = provider.fetchAlternates(keyId);
      if (list == null) {
        return List.of();
      }
      List<VersionedCredential> valid = new ArrayList<>();
      for (VersionedCredential c : list) {
        if (c != null && c.keyId().equals(keyId)) {
          valid.add(c);
        }
      }
      return valid;
    } catch (RuntimeException e) {
      LOG.warn(
          "Key {}: fetching alternate versions from {} failed ({}); none offered",
          keyId,
          provider.name(),
          e.getClass().getSimpleName());
      return List.of();
    }
  }

  private static Outcome failed(KeyGuardException error) {
    return new Outcome(null, error, null);
  }

  private KeyGuardException wrapUnexpected(Throwable e) {
    return new KeyProviderUnavailableException(
        "provider "
            + provider.name()
            + " failed to fetch key '"
            + keyId
            + "' with "
            + e.getClass().getName()
            + "; treated as unavailable, the cause says why",
        e,
        keyId,
        null);
  }
}
