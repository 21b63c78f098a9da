package dev.keyguard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scrubs every live secret value from text before it is logged or put in an exception message.
 *
 * <p>The {@link KeyManager} registers every secret it fetches; a secret that is rotated out is
 * retired and stays known for a grace period, so late log lines about it are still scrubbed. Each
 * occurrence is replaced with {@code [REDACTED:sha256:xxxxxxxx]}, the secret's fingerprint.
 *
 * <p>{@link #global()} is the process-wide instance that KeyGuard's own exceptions, loggers and
 * HTTP logging use. Thread-safe.
 */
public final class Redactor {

  private static final Redactor GLOBAL = new Redactor();

  private final Map<Secret, String> live = new ConcurrentHashMap<>();
  private volatile List<Map.Entry<String, String>> patterns = List.of();

  private Redactor() {}

  /**
   * The process-wide redactor.
   *
   * @return the global instance
   */
  public static Redactor global() {
    return GLOBAL;
  }

  /**
   * Makes a secret known: from now on its value is scrubbed from every text passed to {@link
   * #redact(CharSequence)}. Registering the same secret twice is harmless.
   *
   * @param secret the secret
   */
  public void register(Secret secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isDestroyed()) {
      return;
    }
    byte[] raw = secret.bytes(InsecureSecretAccess.get());
    String value = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
    java.util.Arrays.fill(raw, (byte) 0);
    if (live.putIfAbsent(secret, value) == null) {
      rebuild();
    }
  }

  /**
   * Marks a secret as rotated out. It stays known for the grace period, then is forgotten.
   *
   * @param secret the secret
   */
  public void retire(Secret secret) {
    // Grace-period expiry arrives with the full redactor; until then retired secrets stay known.
    Objects.requireNonNull(secret, "secret");
  }

  /**
   * Replaces every occurrence of every known secret in the text with its redaction marker.
   *
   * @param text the text; null gives null
   * @return the scrubbed text
   */
  public String redact(CharSequence text) {
    if (text == null) {
      return null;
    }
    String out = text.toString();
    for (Map.Entry<String, String> p : patterns) {
      if (out.contains(p.getKey())) {
        out = out.replace(p.getKey(), p.getValue());
      }
    }
    return out;
  }

  private synchronized void rebuild() {
    List<Map.Entry<String, String>> next = new ArrayList<>();
    live.forEach((s, v) -> next.add(Map.entry(v, "[REDACTED:" + s.fingerprint() + "]")));
    next.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
    patterns = List.copyOf(next);
  }
}
