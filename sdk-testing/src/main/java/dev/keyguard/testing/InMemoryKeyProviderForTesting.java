package dev.keyguard.testing;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link KeyProvider} that holds credentials in memory, <b>for tests and demos only</b>: it lets
 * a test rotate a key, make the backend fail, and count fetches. Never use it to hold a production
 * key: that would put the key in code or configuration, which is what KeyGuard exists to prevent.
 *
 * <pre>{@code
 * InMemoryKeyProviderForTesting provider = new InMemoryKeyProviderForTesting();
 * provider.put(VersionedCredential.builder(KeyId.of("demo"), Secret.of(generatedKey)).version("1").build());
 * }</pre>
 *
 * <p>Thread-safe. Neither Java- nor Jackson-serializable: it holds secret values.
 */
@JsonSerialize(using = RefusingJsonSerializer.class)
public final class InMemoryKeyProviderForTesting implements KeyProvider {

  private final Map<KeyId, VersionedCredential> current = new ConcurrentHashMap<>();
  private final Map<KeyId, List<VersionedCredential>> alternates = new ConcurrentHashMap<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicInteger alternateFetches = new AtomicInteger();
  private final AtomicInteger fetchesInProgress = new AtomicInteger();
  private final AtomicInteger maxConcurrentFetches = new AtomicInteger();
  private final Object holdLock = new Object();
  private boolean held;

  /** Creates an empty provider. */
  public InMemoryKeyProviderForTesting() {}

  /**
   * Sets the current credential of its key (a rotation, if one was there).
   *
   * @param credential the credential
   * @return this provider
   */
  public InMemoryKeyProviderForTesting put(VersionedCredential credential) {
    Objects.requireNonNull(credential, "credential");
    current.put(credential.keyId(), credential);
    return this;
  }

  /**
   * Sets the alternate versions of a key, newest first.
   *
   * @param keyId the key
   * @param versions the alternates
   * @return this provider
   */
  public InMemoryKeyProviderForTesting putAlternates(
      KeyId keyId, List<VersionedCredential> versions) {
    alternates.put(keyId, List.copyOf(versions));
    return this;
  }

  /**
   * Removes a key, so that later fetches fail with {@link KeyNotFoundException}.
   *
   * @param keyId the key
   */
  public void remove(KeyId keyId) {
    current.remove(keyId);
    alternates.remove(keyId);
  }

  /**
   * Makes every fetch throw the given exception until {@link #recover()}.
   *
   * @param exception what fetches throw
   */
  public void failWith(RuntimeException exception) {
    failure.set(Objects.requireNonNull(exception, "exception"));
  }

  /** Ends a failure set by {@link #failWith(RuntimeException)}. */
  public void recover() {
    failure.set(null);
  }

  /**
   * How many times {@link #fetch(KeyId)} was called.
   *
   * @return the fetch count
   */
  public int fetchCount() {
    return fetches.get();
  }

  /**
   * How many times {@link #fetchAlternates(KeyId)} was called.
   *
   * @return the count
   */
  public int alternateFetchCount() {
    return alternateFetches.get();
  }

  /**
   * Makes every later {@link #fetch(KeyId)} block, inside the fetch, until {@link
   * #releaseFetches()}: a slow backend, for single-flight tests. Fetches already counted by {@link
   * #fetchCount()} and {@link #fetchesInProgress()} while they wait.
   */
  public void holdFetches() {
    synchronized (holdLock) {
      held = true;
    }
  }

  /** Lets fetches held by {@link #holdFetches()} go on, and stops holding new ones. */
  public void releaseFetches() {
    synchronized (holdLock) {
      held = false;
      holdLock.notifyAll();
    }
  }

  /**
   * How many {@link #fetch(KeyId)} calls are running right now (including held ones).
   *
   * @return the number of fetches in progress
   */
  public int fetchesInProgress() {
    return fetchesInProgress.get();
  }

  /**
   * The largest number of {@link #fetch(KeyId)} calls that ever ran at the same time.
   *
   * @return the peak concurrency of fetches
   */
  public int maxConcurrentFetches() {
    return maxConcurrentFetches.get();
  }

  @Override
  public VersionedCredential fetch(KeyId keyId) {
    fetches.incrementAndGet();
    maxConcurrentFetches.accumulateAndGet(fetchesInProgress.incrementAndGet(), Math::max);
    try {
      awaitRelease();
      RuntimeException f = failure.get();
      if (f != null) {
        throw f;
      }
      VersionedCredential credential = current.get(keyId);
      if (credential == null) {
        throw new KeyNotFoundException(
            "no key '" + keyId + "' in the in-memory test provider", keyId);
      }
      return credential;
    } finally {
      fetchesInProgress.decrementAndGet();
    }
  }

  private void awaitRelease() {
    synchronized (holdLock) {
      while (held) {
        try {
          holdLock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new KeyProviderUnavailableException(
              "interrupted while the in-memory test provider held fetches", e, null, null);
        }
      }
    }
  }

  @Override
  public List<VersionedCredential> fetchAlternates(KeyId keyId) {
    alternateFetches.incrementAndGet();
    RuntimeException f = failure.get();
    if (f != null) {
      throw f;
    }
    return new ArrayList<>(alternates.getOrDefault(keyId, List.of()));
  }

  @Override
  public String name() {
    return "in-memory-for-testing";
  }

  /** Returns the name and the current key ids and versions; never a secret value. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("InMemoryKeyProviderForTesting[");
    String separator = "";
    for (KeyId keyId : new TreeSet<>(current.keySet())) {
      VersionedCredential credential = current.get(keyId);
      if (credential != null) {
        sb.append(separator).append(keyId).append('@').append(credential.version());
        separator = ", ";
      }
    }
    return sb.append(']').toString();
  }
}
