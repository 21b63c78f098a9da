package dev.keyguard.key;

import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * At most one backend call sequence (a flight) per key at a time, whatever the concurrency: the
 * first caller that needs one starts it and runs it, every later caller joins it and waits for its
 * end. Not thread-safe by itself: guarded by the lock of its {@link RefreshingManagedKey}, so that
 * starting a flight and reading the key's state are one step; only {@link #await} is called outside
 * that lock.
 */
final class SingleFlight {

  /** One backend call sequence; {@code roundVersion} is set for a rejection round. */
  static final class Flight {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    final @Nullable String roundVersion;

    private Flight(@Nullable String roundVersion) {
      this.roundVersion = roundVersion;
    }

    boolean isRejectionRound() {
      return roundVersion != null;
    }
  }

  /** A flight to run (this caller started it) or to wait for (it was running already). */
  record Join(Flight flight, boolean started) {}

  private @Nullable Flight running;
  private long completions;

  /** The flight running now, or null. */
  @Nullable Flight running() {
    return running;
  }

  /**
   * Starts a flight if none runs; the caller must then run it and {@link #finish} it.
   *
   * @param roundVersion the version a rejection round is for, or null for a plain refresh
   * @return the new flight, or null if one is already running
   */
  @Nullable Flight startIfIdle(@Nullable String roundVersion) {
    if (running != null) {
      return null;
    }
    running = new Flight(roundVersion);
    return running;
  }

  /**
   * Starts a flight if none runs, or joins the running one; the caller must run and {@link #finish}
   * a flight it started.
   *
   * @param roundVersion the version a rejection round is for, or null for a plain refresh (a joined
   *     flight keeps its own)
   */
  Join startOrJoin(@Nullable String roundVersion) {
    Flight f = running;
    if (f != null) {
      return new Join(f, false);
    }
    f = new Flight(roundVersion);
    running = f;
    return new Join(f, true);
  }

  /** Ends a flight (its waiters are released by {@link #release}) and counts the completion. */
  void finish(Flight f) {
    if (running == f) {
      running = null;
    }
    completions++;
  }

  /** How many flights have finished; lets a waiter tell which failures are news. */
  long completions() {
    return completions;
  }

  /** Wakes the threads waiting for the flight; call outside the lock, after {@link #finish}. */
  static void release(Flight f) {
    f.done.complete(null);
  }

  /** Waits, outside the lock, for a flight to end. */
  static void await(Flight f, KeyId keyId) {
    try {
      f.done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyProviderUnavailableException(
          "interrupted while waiting for key '" + keyId + "' to be fetched", e, keyId, null);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a key fetch never completes exceptionally", e);
    }
  }
}
