package dev.keyguard.key;

import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.FakeScheduler;
import dev.keyguard.testing.InMemoryKeyProviderForTesting;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/**
 * A key manager on a fake clock and fake scheduler, with an in-memory backend that records when and
 * on which thread it was called, an event recorder, and secrets generated at run time.
 */
public final class KeyManagerFixture implements AutoCloseable {

  public static final KeyId KEY = KeyId.of("market-data");
  public static final Duration REFRESH = Duration.ofMinutes(5);
  public static final Duration MAX_STALE = Duration.ofHours(1);
  public static final Duration BACKOFF_MIN = Duration.ofSeconds(1);
  public static final Duration BACKOFF_MAX = Duration.ofSeconds(8);

  public final FakeClock clock = new FakeClock();
  public final Instant start = clock.instant();
  public final FakeScheduler scheduler = new FakeScheduler(clock);
  public final InMemoryKeyProviderForTesting backend = new InMemoryKeyProviderForTesting();
  public final List<Instant> fetchTimes = new CopyOnWriteArrayList<>();
  public final List<Thread> fetchThreads = new CopyOnWriteArrayList<>();
  public final List<KeyEvent> events = new CopyOnWriteArrayList<>();

  /** Every secret value generated, to check that none leaks. */
  public final List<String> secretValues = new CopyOnWriteArrayList<>();

  /** The backend as the key manager sees it: records each fetch, then delegates. */
  public final KeyProvider provider =
      new KeyProvider() {
        @Override
        public VersionedCredential fetch(KeyId keyId) {
          fetchTimes.add(clock.instant());
          fetchThreads.add(Thread.currentThread());
          return backend.fetch(keyId);
        }

        @Override
        public List<VersionedCredential> fetchAlternates(KeyId keyId) {
          return backend.fetchAlternates(keyId);
        }

        @Override
        public String name() {
          return "recording-in-memory";
        }
      };

  private KeyManager manager;

  /**
   * Exact delays (no jitter), 5 min refresh, 1 h max stale, backoff 1 s to 8 s, events recorded.
   */
  public KeyManager.Builder builder() {
    return KeyManager.builder()
        .provider(provider)
        .timeSource(clock)
        .scheduler(scheduler)
        .jitter(0)
        .refreshAfter(REFRESH)
        .maxStale(MAX_STALE)
        .retryBackoff(BACKOFF_MIN, BACKOFF_MAX)
        .listener(events::add);
  }

  public KeyManager start() {
    return start(builder());
  }

  public KeyManager start(KeyManager.Builder builder) {
    manager = builder.build();
    return manager;
  }

  public ManagedKey startKey() {
    return start().key(KEY);
  }

  public KeyManager manager() {
    return manager;
  }

  public Secret newSecret() {
    String value = TestSecrets.randomBase64Url(24);
    secretValues.add(value);
    return Secret.of(value);
  }

  /** A credential of {@link #KEY} with a fresh API key and API secret. */
  public VersionedCredential.Builder credential(String version) {
    return credential(KEY, version);
  }

  public VersionedCredential.Builder credential(KeyId keyId, String version) {
    return VersionedCredential.builder(keyId, newSecret())
        .apiSecret(newSecret())
        .version(version)
        .fetchedAt(clock.instant());
  }

  /** Makes {@code version} the backend's current version of {@link #KEY}. */
  public VersionedCredential put(String version) {
    return put(credential(version).build());
  }

  public VersionedCredential put(VersionedCredential credential) {
    backend.put(credential);
    return credential;
  }

  public <T extends KeyEvent> List<T> events(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (KeyEvent e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  /** Intervals between consecutive fetches, from the {@code from}-th fetch (0-based). */
  public List<Duration> fetchIntervals(int from) {
    List<Duration> out = new ArrayList<>();
    for (int i = from + 1; i < fetchTimes.size(); i++) {
      out.add(Duration.between(fetchTimes.get(i - 1), fetchTimes.get(i)));
    }
    return out;
  }

  public static String fingerprint(VersionedCredential c) {
    return c.apiKey().fingerprint() + c.apiSecret().map(s -> "+" + s.fingerprint()).orElse("");
  }

  /** A random source whose {@code nextDouble()} always returns {@code value}. */
  public static RandomGenerator fixedRandom(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  @Override
  public void close() {
    backend.releaseFetches();
    if (manager != null) {
      manager.close();
    }
  }
}
