package dev.keyguard.bench.rotation;

import dev.keyguard.key.KeyProvider;
import java.util.List;

/**
 * A secrets backend the rotation-under-load harness runs against: it holds the API key, rotates it
 * and counts the calls made for it at its own wire (never inside KeyGuard). One instance per
 * backend run; the backend process or emulator lives as long as it.
 */
interface Backend extends AutoCloseable {

  /** The backend as the report names it, such as {@code "Vault (OpenBao 2.7.2)"}. */
  String name();

  /** What {@link #backendCalls(String)} counts and where, for the report. */
  String callsCounted();

  /**
   * Creates a fresh secret holding {@code value} as its current version.
   *
   * @return the key id KeyGuard reads it under
   */
  String createKey(String value);

  /** Makes {@code value} the current version of the key's secret, as a rotation job would. */
  void rotate(String keyId, String value);

  /**
   * A KeyGuard provider reading the key, as an application would configure it. The caller closes it
   * (when it is {@link AutoCloseable}).
   */
  KeyProvider provider(String keyId);

  /**
   * The calls made to the backend for the key so far (reads only: the rotations are not counted).
   */
  long backendCalls(String keyId);

  /** Other clients run on the same backend as anchors; none by default. */
  default List<Anchor> anchors() {
    return List.of();
  }

  @Override
  void close();

  /** An anchor: a non-KeyGuard way for the application to get the key, and its label. */
  record Anchor(String label, Contender.Factory factory) {}
}
