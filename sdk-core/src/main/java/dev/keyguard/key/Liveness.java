package dev.keyguard.key;

import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The one place where the key path registers secrets with {@link Redactor#global()} and retires
 * them: it knows which credentials a key holds on to (served, current, alternates on offer) and, at
 * each change, registers the credentials it did not hold before and retires the secrets of those it
 * dropped, unless an equal value is still held (a rotation that keeps the API key). Not thread-safe
 * by itself: guarded by the lock of its {@link RefreshingManagedKey}.
 */
final class Liveness {

  /** The credentials held, by identity. */
  private Set<VersionedCredential> live = identitySet();

  /**
   * Makes {@code held} the credentials held now: registers the new ones, then retires the secrets
   * of the dropped ones that no held credential shares.
   *
   * @param held the credentials held now; nulls are ignored
   */
  void hold(Collection<VersionedCredential> held) {
    Set<VersionedCredential> after = identitySet();
    for (VersionedCredential c : held) {
      if (c != null) {
        after.add(c);
      }
    }
    for (VersionedCredential c : after) {
      if (!live.contains(c)) {
        Redactor.global().register(c.apiKey());
        c.apiSecret().ifPresent(Redactor.global()::register);
      }
    }
    Set<VersionedCredential> before = live;
    live = after;
    for (VersionedCredential dropped : before) {
      if (!after.contains(dropped)) {
        retireUnlessHeld(dropped.apiKey());
        dropped.apiSecret().ifPresent(this::retireUnlessHeld);
      }
    }
  }

  /**
   * Replaces each credential by the held one of the same version, if any, so that a version offered
   * again keeps its object (and its registration).
   */
  List<VersionedCredential> reuseHeld(List<VersionedCredential> offered) {
    List<VersionedCredential> out = new ArrayList<>(offered.size());
    for (VersionedCredential c : offered) {
      VersionedCredential known = null;
      for (VersionedCredential held : live) {
        if (held.sameVersionAs(c)) {
          known = held;
          break;
        }
      }
      out.add(known == null ? c : known);
    }
    return List.copyOf(out);
  }

  private void retireUnlessHeld(Secret secret) {
    if (secret.isDestroyed()) {
      return;
    }
    for (VersionedCredential c : live) {
      if (sameValue(secret, c.apiKey())
          || c.apiSecret().map(s -> sameValue(secret, s)).orElse(false)) {
        return;
      }
    }
    Redactor.global().retire(secret);
  }

  private static boolean sameValue(Secret a, Secret b) {
    return a == b || (!b.isDestroyed() && a.equalsSecret(b));
  }

  private static Set<VersionedCredential> identitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }
}
