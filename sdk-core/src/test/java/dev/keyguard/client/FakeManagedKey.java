package dev.keyguard.client;

import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.ManagedKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A ManagedKey for tests: serves one credential, and on rejection hands out the credential set with
 * {@link #onRejectionOffer(VersionedCredential)} (which then becomes current), or nothing.
 */
final class FakeManagedKey implements ManagedKey {

  private final KeyId keyId;
  private final AtomicReference<VersionedCredential> current = new AtomicReference<>();
  private final AtomicReference<VersionedCredential> offer = new AtomicReference<>();
  private final AtomicReference<RuntimeException> currentFailure = new AtomicReference<>();
  private final AtomicReference<RuntimeException> rejectedFailure = new AtomicReference<>();
  final List<VersionedCredential> rejectedCalls = new CopyOnWriteArrayList<>();
  final List<VersionedCredential> acceptedCalls = new CopyOnWriteArrayList<>();
  final List<KeyEvent.UsageEvent> usageEvents = new CopyOnWriteArrayList<>();
  final AtomicInteger currentCalls = new AtomicInteger();

  FakeManagedKey(VersionedCredential initial) {
    this.keyId = initial.keyId();
    this.current.set(initial);
  }

  /** What the next rejected() returns (and makes current); null for nothing. */
  FakeManagedKey onRejectionOffer(VersionedCredential next) {
    offer.set(next);
    return this;
  }

  FakeManagedKey failCurrentWith(RuntimeException e) {
    currentFailure.set(e);
    return this;
  }

  /**
   * What rejected() throws from now on (after recording the call), as a custom ManagedKey might.
   */
  FakeManagedKey failRejectedWith(RuntimeException e) {
    rejectedFailure.set(e);
    return this;
  }

  @Override
  public KeyId keyId() {
    return keyId;
  }

  @Override
  public VersionedCredential current() {
    currentCalls.incrementAndGet();
    RuntimeException f = currentFailure.get();
    if (f != null) {
      throw f;
    }
    return current.get();
  }

  @Override
  public Optional<VersionedCredential> rejected(VersionedCredential rejected) {
    rejectedCalls.add(rejected);
    RuntimeException f = rejectedFailure.get();
    if (f != null) {
      throw f;
    }
    VersionedCredential next = offer.getAndSet(null);
    if (next != null) {
      current.set(next);
    }
    return Optional.ofNullable(next);
  }

  @Override
  public void accepted(VersionedCredential accepted) {
    acceptedCalls.add(accepted);
  }

  @Override
  public void report(KeyEvent event) {
    if (event instanceof KeyEvent.UsageEvent usage) {
      usageEvents.add(usage);
    }
  }
}
