package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.testing.TestSecrets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RedactorConcurrencyTest {

  @Test
  void redact_whileOtherSecretsAreRegisteredAndRetired_neverLeaksALiveSecret() throws Exception {
    Redactor redactor = Redactor.isolated();
    String live = TestSecrets.randomBase64Url(30);
    redactor.register(Secret.of(live));
    String text = "prefix " + live + " suffix";
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(4);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> readers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        readers.add(
            pool.submit(
                () -> {
                  started.countDown();
                  int checks = 0;
                  while (!done.get() || checks == 0) {
                    assertThat(redactor.redact(text)).doesNotContain(live);
                    checks++;
                  }
                  return checks;
                }));
      }
      started.await(10, TimeUnit.SECONDS);
      for (int i = 0; i < 100; i++) {
        Secret other = Secret.of(TestSecrets.randomBase64Url(24));
        redactor.register(other);
        redactor.retire(other);
      }
      done.set(true);
      for (Future<Integer> reader : readers) {
        assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void register_whenItReturns_isVisibleToEveryThread() throws Exception {
    Redactor redactor = Redactor.isolated();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      for (int i = 0; i < 50; i++) {
        String value = TestSecrets.randomBase64Url(20);
        redactor.register(Secret.of(value));
        assertThat(pool.submit(() -> redactor.redact(value)).get(10, TimeUnit.SECONDS))
            .doesNotContain(value);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
