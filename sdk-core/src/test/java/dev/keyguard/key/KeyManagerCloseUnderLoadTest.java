package dev.keyguard.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.InMemoryKeyProviderForTesting;
import dev.keyguard.testing.ReaderThreads;
import dev.keyguard.testing.TestSecrets;
import dev.keyguard.testing.ThreadSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyManager#close()} under load, on real threads: 16 readers, a refresh (or a cold-start
 * fetch) held inside the backend. No deadlock, every reader ends with a clear "closed" error, and
 * no thread is left.
 */
class KeyManagerCloseUnderLoadTest {

  private static final KeyId KEY = KeyId.of("close-under-load");
  private static final int THREADS = 16;

  private final InMemoryKeyProviderForTesting backend = new InMemoryKeyProviderForTesting();

  @AfterEach
  void release() {
    backend.releaseFetches();
  }

  private VersionedCredential put(String version) {
    VersionedCredential c =
        VersionedCredential.builder(KEY, TestSecrets.randomSecret()).version(version).build();
    backend.put(c);
    return c;
  }

  /** Closes on another thread and fails if that takes more than 5 seconds (a deadlock). */
  private static void closeWithin5Seconds(KeyManager manager) throws InterruptedException {
    Thread closer = new Thread(manager::close, "closer");
    closer.start();
    closer.join(5_000);
    assertThat(closer.isAlive()).as("close() returned (no deadlock)").isFalse();
  }

  private static void assertEveryFailureSaysClosed(ReaderThreads readers) {
    assertThat(readers.failureSample())
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is closed")
                    .hasMessageContaining(KEY.value()));
  }

  @Test
  void close_whileSixteenThreadsReadAndARefreshIsInFlight_endsEveryReaderAndLeavesNoThread()
      throws Exception {
    ThreadSnapshot before = ThreadSnapshot.take();
    put("1");
    KeyManager manager =
        KeyManager.builder()
            .provider(backend)
            .refreshAfter(Duration.ofMillis(200))
            .jitter(0)
            .build();
    ManagedKey key = manager.key(KEY);
    key.awaitReady(Duration.ofSeconds(5));
    put("2");
    backend.holdFetches();
    ReaderThreads readers = ReaderThreads.start(THREADS, "reader", key::current);
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.fetchesInProgress() == 1);
    long beforeClose = readers.calls();
    assertThat(readers.failures()).as("no failure while the refresh is held").isZero();

    closeWithin5Seconds(manager);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> readers.failures() >= THREADS * 10L && readers.calls() > beforeClose);
    readers.close(); // throws if a reader is still blocked

    assertEveryFailureSaysClosed(readers);
    assertThatThrownBy(key::current).isInstanceOf(IllegalStateException.class);
    assertThat(backend.fetchCount())
        .as("cold start + the refresh in flight, none after")
        .isEqualTo(2);
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInSameThread() // Awaitility's own poller would count as a thread left
        .untilAsserted(
            () -> {
              assertThat(backend.fetchesInProgress()).as("the held fetch ended").isZero();
              assertThat(before.newThreads()).as("threads left").isEmpty();
            });
  }

  @Test
  void close_whileSixteenThreadsWaitOnAColdStartFetchThatHangs_releasesTheWaiters()
      throws Exception {
    // The caller's scheduler, which close() leaves running, and a fetch that never returns by
    // itself (a backend that never answers): the waiters must not wait for it.
    ScheduledExecutorService callers = Executors.newSingleThreadScheduledExecutor();
    try {
      put("1");
      KeyManager manager = KeyManager.builder().provider(backend).scheduler(callers).build();
      ManagedKey key = manager.key(KEY);
      backend.holdFetches();
      ReaderThreads readers = ReaderThreads.start(THREADS, "reader", key::current);
      // one reader runs the cold-start fetch (held in the backend), the others wait for it
      await().atMost(Duration.ofSeconds(5)).until(() -> backend.fetchesInProgress() == 1);

      closeWithin5Seconds(manager);
      await().atMost(Duration.ofSeconds(5)).until(() -> readers.failures() >= (THREADS - 1) * 10L);
      // the one reader inside the backend's fetch comes back when the backend does
      backend.releaseFetches();
      readers.close();

      assertEveryFailureSaysClosed(readers);
      assertThat(backend.fetchCount()).as("one cold-start fetch for all readers").isEqualTo(1);
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void close_whileAwaitReadyWaitsOnAHungFetch_endsTheWaitWithAClosedError() throws Exception {
    ScheduledExecutorService callers = Executors.newSingleThreadScheduledExecutor();
    try {
      put("1");
      KeyManager manager = KeyManager.builder().provider(backend).scheduler(callers).build();
      ManagedKey key = manager.key(KEY);
      backend.holdFetches();
      List<Throwable> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread waiter =
          new Thread(
              () -> {
                try {
                  key.awaitReady(Duration.ofMinutes(1));
                } catch (RuntimeException e) {
                  seen.add(e);
                }
              },
              "awaiter");
      waiter.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> backend.fetchesInProgress() == 1);

      closeWithin5Seconds(manager);
      waiter.join(5_000);

      assertThat(waiter.isAlive()).as("awaitReady returned").isFalse();
      assertThat(seen)
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e)
                      .isInstanceOf(IllegalStateException.class)
                      .hasMessageContaining("is closed"));
    } finally {
      callers.shutdownNow();
    }
  }
}
