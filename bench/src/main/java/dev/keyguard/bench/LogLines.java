package dev.keyguard.bench;

import java.util.Random;
import org.jspecify.annotations.Nullable;

/** Pseudo-random, log-like text for the benchmarks. */
final class LogLines {

  private static final String[] LEVELS = {"INFO", "DEBUG", "WARN", "TRACE"};
  private static final String[] LOGGERS = {
    "c.e.orders.OrderService", "o.a.http.wire", "dev.keyguard.key.KeyManager", "c.e.pricing.Quotes"
  };
  private static final String[] WORDS = {
    "request", "completed", "in", "ms", "user", "order", "status", "price", "symbol", "BTCUSDT",
    "quote", "cache", "miss", "hit", "retry", "after", "connection", "pool", "latency", "bytes",
    "GET", "POST", "/v2/price", "200", "OK", "token", "bucket", "refill", "secret", "rotation"
  };
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogLines() {}

  /**
   * A line of exactly {@code length} chars.
   *
   * @param random the randomness
   * @param length the length
   * @param secret a value to embed once, or null
   */
  static String line(Random random, int length, @Nullable String secret) {
    StringBuilder b = new StringBuilder(length + 64);
    b.append("2026-11-28T10:")
        .append(10 + random.nextInt(50))
        .append(':')
        .append(10 + random.nextInt(50))
        .append(".123Z ")
        .append(LEVELS[random.nextInt(LEVELS.length)])
        .append(" [worker-")
        .append(random.nextInt(16))
        .append("] ")
        .append(LOGGERS[random.nextInt(LOGGERS.length)])
        .append(" - ");
    int secretAt = secret == null ? -1 : 100 + random.nextInt(length - 200 - secret.length());
    while (b.length() < length) {
      if (secretAt >= 0 && b.length() >= secretAt) {
        b.append("key=").append(secret).append(' ');
        secretAt = -1;
        continue;
      }
      switch (random.nextInt(6)) {
        case 0 ->
            b.append(WORDS[random.nextInt(WORDS.length)])
                .append('=')
                .append(random.nextInt(100000));
        case 1 -> {
          for (int i = 0; i < 32; i++) {
            b.append(HEX[random.nextInt(16)]);
          }
        }
        case 2 ->
            b.append("{\"id\":")
                .append(random.nextInt(1000))
                .append(",\"qty\":\"")
                .append(random.nextDouble())
                .append("\"}");
        case 3 -> b.append(java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) random.nextInt()}));
        default -> b.append(WORDS[random.nextInt(WORDS.length)]);
      }
      b.append(' ');
    }
    if (secretAt >= 0) {
      throw new IllegalStateException("secret not placed");
    }
    return b.substring(0, length);
  }
}
