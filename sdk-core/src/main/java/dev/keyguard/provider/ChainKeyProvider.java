package dev.keyguard.provider;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.ExceptionTexts;
import dev.keyguard.internal.RefusingSerializer;
import dev.keyguard.key.KeyProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyProvider} that asks several providers in order of priority: the first provider that
 * has the key serves it. Typical use: a mounted file in production, an environment variable on a
 * developer's machine.
 *
 * <pre>{@code
 * KeyProvider keys = ChainKeyProvider.of(
 *     FileKeyProvider.forDirectory(Path.of("/etc/keyguard")),
 *     EnvKeyProvider.builder().upperCaseNames().build());
 * }</pre>
 *
 * <h2>Only "not found" moves on</h2>
 *
 * <p>A provider that answers {@link KeyNotFoundException} does not have the key, and the chain asks
 * the next one. Every other failure stops the chain; the lower-priority providers are not asked:
 *
 * <ul>
 *   <li>{@link KeyProviderUnavailableException}, and any exception that is not a {@link
 *       KeyGuardException} (which the SPI treats as "unavailable"), ends the fetch with a {@link
 *       KeyProviderUnavailableException} naming the provider, with the failure as its cause.
 *   <li>{@link KeyAccessDeniedException} and {@link MalformedSecretException} end it with the same
 *       type, naming the provider; other {@link KeyGuardException}s with a {@link
 *       KeyGuardException} that keeps their retryability.
 * </ul>
 *
 * <p>Why: a provider that is down, refuses, or holds a broken value may well have the key. Falling
 * through would serve whatever a lower-priority source holds under the same id: a developer's
 * variable left in the environment, a stale file, a key of another environment (a test key in
 * production, or the reverse), silently and only while the preferred source is failing. Failing
 * instead lets the key manager keep serving the last good credential from the right source and
 * report the outage.
 *
 * <p>When every provider says "not found", the fetch throws a {@link KeyNotFoundException} that
 * lists the providers tried and their answers (which name the variable, property or file looked
 * for), each attached as a suppressed exception.
 *
 * <p>{@link #fetchAlternates(KeyId)} asks the provider that served the key's last successful fetch
 * (or, before any, the provider that serves it now). Logs (SLF4J, DEBUG) name key ids and providers
 * only.
 *
 * <p>Immutable apart from that record of which provider served which key; thread-safe if its
 * providers are. Neither Java- nor Jackson-serializable.
 */
@JsonSerialize(using = RefusingSerializer.class)
public final class ChainKeyProvider implements KeyProvider {

  private static final Logger LOG = LoggerFactory.getLogger(ChainKeyProvider.class);

  private final List<KeyProvider> providers;
  private final Map<KeyId, KeyProvider> servedBy = new ConcurrentHashMap<>();

  private ChainKeyProvider(List<KeyProvider> providers) {
    this.providers = providers;
  }

  /**
   * A chain of providers, highest priority first.
   *
   * @param providers the providers; at least one, none null
   * @return the chain
   * @throws IllegalArgumentException if no provider is given
   */
  public static ChainKeyProvider of(KeyProvider... providers) {
    Objects.requireNonNull(providers, "providers");
    return of(Arrays.asList(providers));
  }

  /**
   * A chain of providers, highest priority first.
   *
   * @param providers the providers; at least one, none null
   * @return the chain
   * @throws IllegalArgumentException if the list is empty
   */
  public static ChainKeyProvider of(List<? extends KeyProvider> providers) {
    Objects.requireNonNull(providers, "providers");
    if (providers.isEmpty()) {
      throw new IllegalArgumentException("a chain needs at least one provider");
    }
    List<KeyProvider> copy = new ArrayList<>(providers.size());
    for (KeyProvider provider : providers) {
      copy.add(Objects.requireNonNull(provider, "provider"));
    }
    return new ChainKeyProvider(List.copyOf(copy));
  }

  /**
   * The providers, highest priority first.
   *
   * @return an unmodifiable list
   */
  public List<KeyProvider> providers() {
    return providers;
  }

  /**
   * Fetches the key from the first provider that has it.
   *
   * @param keyId the key to fetch
   * @return the credential of the first provider that has the key
   * @throws KeyNotFoundException if no provider has the key
   * @throws KeyProviderUnavailableException if a provider asked failed or was unavailable before
   *     one had the key
   * @throws KeyAccessDeniedException if a provider asked refused
   * @throws MalformedSecretException if a provider asked holds a value that is not a credential
   */
  @Override
  public VersionedCredential fetch(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    List<KeyNotFoundException> notFound = new ArrayList<>();
    for (int i = 0; i < providers.size(); i++) {
      KeyProvider provider = providers.get(i);
      VersionedCredential credential;
      try {
        credential = provider.fetch(keyId);
      } catch (KeyNotFoundException e) {
        LOG.debug(
            "key '{}' not found in provider {} of the chain, trying the next",
            keyId,
            provider.name());
        notFound.add(e);
        continue;
      } catch (RuntimeException e) {
        throw stop(keyId, i, provider, e);
      }
      if (credential == null) {
        throw stop(
            keyId, i, provider, new NullPointerException(provider.name() + " returned null"));
      }
      servedBy.put(keyId, provider);
      LOG.debug(
          "key '{}' served by provider {} of the chain, version {}",
          keyId,
          provider.name(),
          credential.version());
      return credential;
    }
    StringBuilder tried = new StringBuilder();
    for (int i = 0; i < providers.size(); i++) {
      tried
          .append(i == 0 ? "" : "; ")
          .append(providers.get(i).name())
          .append(": ")
          .append(notFound.get(i).getMessage());
    }
    KeyNotFoundException e =
        new KeyNotFoundException(
            "key '" + keyId + "' was not found by any provider of the chain; tried " + tried,
            keyId);
    // the message quotes each provider's answer: keep their causes, not the answers again
    for (KeyNotFoundException each : notFound) {
      ExceptionTexts.absorb(e, each);
      Throwable cause = each.getCause();
      if (cause != null) {
        e.addSuppressed(cause);
      }
    }
    throw e;
  }

  /**
   * Asks the provider that served the key for its alternate versions; see {@link
   * KeyProvider#fetchAlternates(KeyId)}.
   *
   * @param keyId the key
   * @return the alternates of the serving provider, newest first
   * @throws KeyGuardException as for {@link #fetch(KeyId)}, if the serving provider is not known
   *     yet and finding it fails, or as the serving provider's {@code fetchAlternates} throws
   */
  @Override
  public List<VersionedCredential> fetchAlternates(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    KeyProvider provider = servedBy.get(keyId);
    if (provider == null) {
      fetch(keyId);
      // fetch records the provider that served the key, or throws
      provider = Objects.requireNonNull(servedBy.get(keyId), "serving provider");
    }
    return provider.fetchAlternates(keyId);
  }

  /** Returns {@code chain(first,second,…)} with the providers' names. */
  @Override
  public String name() {
    StringBuilder sb = new StringBuilder("chain(");
    for (int i = 0; i < providers.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(providers.get(i).name());
    }
    return sb.append(')').toString();
  }

  /** Lists the providers; never a value. */
  @Override
  public String toString() {
    return "ChainKeyProvider" + providers;
  }

  private KeyGuardException stop(KeyId keyId, int index, KeyProvider provider, RuntimeException e) {
    String message =
        "key '"
            + keyId
            + "': provider "
            + provider.name()
            + " ("
            + (index + 1)
            + " of "
            + providers.size()
            + " in the chain) failed, so lower-priority providers were not"
            + " asked: "
            + describe(e);
    String version = e instanceof KeyGuardException k ? k.version().orElse(null) : null;
    LOG.debug(
        "key '{}': provider {} of the chain failed ({}), not falling through",
        keyId,
        provider.name(),
        e.getClass().getSimpleName());
    // a KeyGuard failure is quoted whole, so it is absorbed (its cause becomes the cause); a
    // foreign one is named by type only and carried as the cause: no text twice in the chain
    KeyGuardException absorbed = e instanceof KeyGuardException k ? k : null;
    Throwable cause = absorbed == null ? e : absorbed.getCause();
    KeyGuardException stopped;
    if (e instanceof KeyAccessDeniedException) {
      stopped = new KeyAccessDeniedException(message, cause, keyId, version);
    } else if (e instanceof MalformedSecretException) {
      stopped = new MalformedSecretException(message, cause, keyId, version);
    } else if (absorbed != null && !(e instanceof KeyProviderUnavailableException)) {
      stopped = new KeyGuardException(message, cause, keyId, version, absorbed.isRetryable());
    } else {
      stopped = new KeyProviderUnavailableException(message, cause, keyId, version);
    }
    return absorbed == null ? stopped : ExceptionTexts.absorb(stopped, absorbed);
  }

  private static @Nullable String describe(RuntimeException e) {
    // a KeyGuard message is safe by contract; a foreign one may quote anything: name its type only
    return e instanceof KeyGuardException
        ? e.getMessage()
        : e.getClass().getName() + " (the cause)";
  }
}
