package dev.keyguard.client;

import dev.keyguard.EnvironmentMismatchException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.ManagedKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the key for each request: the route it matches, the scope that route requires, and the
 * least-privileged key that covers it (fewest scopes; then the lower sum of scope ranks in the
 * preset's order; then the key id). Also checks that the credential's environment fits the
 * endpoint's.
 *
 * <p>Scopes are bit masks over the preset's scope names. What is chosen for each scope is computed
 * ahead, from each key's configured scopes or the scopes of the last credential seen, and replaced
 * (copy on write) only when a key's credential changes its scopes; a request does a route lookup,
 * an array read and an identity check, and allocates nothing.
 */
final class KeySelector {

  private static final Logger log = LoggerFactory.getLogger(KeyGuardClient.class);

  /** Returned by {@link #scopeOf} for a request that matches no route. */
  private static final int UNMAPPED = -2;

  /** A route whose scope is the public one, covered by every key. */
  private static final int PUBLIC = -1;

  private final Slot[] slots;
  private final RouteTable<String> routes;
  private final int[] routeScope;
  private final List<String> vocabulary;
  private final UnmappedRoutes unmapped;
  private final String[] sensitivePrefixes;
  private final int pathOffset;
  private final @Nullable String endpointEnvironment;
  private final String baseOrigin;

  private volatile Choice choice;

  KeySelector(
      List<ManagedKey> keys,
      Map<KeyId, Set<String>> configuredScopes,
      RouteTable<String> routes,
      List<String> vocabulary,
      @Nullable String publicScope,
      UnmappedRoutes unmapped,
      List<String> sensitivePrefixes,
      String basePath,
      @Nullable String endpointEnvironment,
      String baseOrigin) {
    this.vocabulary = List.copyOf(vocabulary);
    if (this.vocabulary.size() > 63) {
      throw new IllegalStateException("at most 63 scope names, got " + vocabulary.size());
    }
    this.slots = new Slot[keys.size()];
    for (int i = 0; i < slots.length; i++) {
      ManagedKey key = keys.get(i);
      Set<String> configured = configuredScopes.get(key.keyId());
      slots[i] =
          new Slot(
              key, configured == null ? -1L : mask(configured), key.environment().orElse(null));
    }
    this.routes = routes;
    this.routeScope = new int[routes.size()];
    for (int i = 0; i < routeScope.length; i++) {
      String scope = routes.valueAt(i);
      routeScope[i] = scope.equals(publicScope) ? PUBLIC : this.vocabulary.indexOf(scope);
    }
    this.unmapped = unmapped;
    this.sensitivePrefixes = sensitivePrefixes.toArray(new String[0]);
    this.pathOffset = basePath.endsWith("/") ? basePath.length() - 1 : basePath.length();
    this.endpointEnvironment = endpointEnvironment;
    this.baseOrigin = baseOrigin;
    this.choice = choose();
  }

  /** The bit mask of scope names; names not in the vocabulary grant nothing. */
  private long mask(Set<String> scopes) {
    long m = 0;
    for (String s : scopes) {
      int i = vocabulary.indexOf(s.toUpperCase(Locale.ROOT));
      if (i >= 0) {
        m |= 1L << i;
      }
    }
    return m;
  }

  int keyCount() {
    return slots.length;
  }

  ManagedKey key(int slot) {
    return slots[slot].key;
  }

  /**
   * The slot of the key to sign {@code request} with.
   *
   * @throws KeyGuardIOException wrapping {@link InsufficientScopeException} if no key may call it
   */
  int select(Request request) throws KeyGuardIOException {
    if (slots.length == 1 && routes.isEmpty()) {
      return 0; // one key, no route table: nothing to choose
    }
    String path = request.url().encodedPath();
    int index =
        path.length() > pathOffset ? routes.indexOf(request.method(), path, pathOffset) : -1;
    int scope = index < 0 ? UNMAPPED : routeScope[index];
    if (scope == UNMAPPED) {
      refuseUnmapped(request, path);
    }
    int slot = choice.slotFor(scope);
    if (slot < 0) {
      // a key may have gained the scope since it was last seen: look again before refusing
      learnAll();
      slot = choice.slotFor(scope);
      if (slot < 0) {
        throw insufficient(index, request);
      }
    }
    return slot;
  }

  /**
   * Checks the credential the key of {@code slot} served: its scopes still cover what it was chosen
   * for (else the choice is recomputed and the slot to use returned), and its environment fits the
   * endpoint's.
   *
   * @return {@code slot}, or another slot if the credential's scopes changed
   */
  int check(int slot, VersionedCredential credential, Request request) throws KeyGuardIOException {
    Slot s = slots[slot];
    Seen seen = s.seen;
    if (seen == null || seen.credential != credential) {
      seen = s.see(credential, endpointEnvironment);
      if (seen.scopesChanged) {
        choice = choose();
        int again = select(request);
        if (again != slot) {
          return again;
        }
      }
    }
    if (seen.environmentRefusal != null) {
      throw new KeyGuardIOException(
          new EnvironmentMismatchException(
              seen.environmentRefusal, null, s.key.keyId(), credential.version()));
    }
    return slot;
  }

  /** Whether the credential of {@code slot} is a version not seen before (for rotation audits). */
  boolean isNewVersion(int slot, VersionedCredential credential) {
    Seen seen = slots[slot].seen;
    return seen == null || seen.credential != credential;
  }

  /** The scopes (names) each route served by {@code slot} requires, for the audit. */
  List<String> scopesServedBy(int slot) {
    Choice c = choice;
    List<String> out = new ArrayList<>();
    for (int i = 0; i < vocabulary.size(); i++) {
      if (c.forScope[i] == slot) {
        out.add(vocabulary.get(i));
      }
    }
    return out;
  }

  private void refuseUnmapped(Request request, String path) throws KeyGuardIOException {
    for (String prefix : sensitivePrefixes) {
      if (path.startsWith(prefix, pathOffset)) {
        throw new KeyGuardIOException(
            new InsufficientScopeException(
                request.method()
                    + " "
                    + SafeUrl.of(request.url(), Set.of())
                    + " matches no route of the client, and lies under '"
                    + prefix
                    + "', where the preset refuses unmapped requests (they can move funds)."
                    + " Refused before sending; map the route with KeyGuardClient.Builder.route(...)"
                    + " and the scope it requires.",
                null,
                null));
      }
    }
    if (unmapped == UnmappedRoutes.DENY) {
      throw new KeyGuardIOException(
          new InsufficientScopeException(
              request.method()
                  + " "
                  + SafeUrl.of(request.url(), Set.of())
                  + " matches no route of the client, and unmapped routes are denied"
                  + " (UnmappedRoutes.DENY). Refused before sending; map the route with"
                  + " KeyGuardClient.Builder.route(...) and the scope it requires.",
              null,
              null));
    }
  }

  private KeyGuardIOException insufficient(int index, Request request) {
    Route route = routes.routeAt(index);
    String scope = routes.valueAt(index);
    StringJoiner keys = new StringJoiner(", ");
    for (Slot s : slots) {
      keys.add("'" + s.key.keyId() + "' " + s.describeScopes(vocabulary));
    }
    return new KeyGuardIOException(
        new InsufficientScopeException(
            "No key of this client may call "
                + route
                + ": it requires scope "
                + scope
                + ", and the keys have "
                + keys
                + ". Refused before sending ("
                + baseOrigin
                + "). Add a key with scope "
                + scope
                + " (its credential's scopes, or KeyGuardClient.Builder.keyScopes).",
            route.toString(),
            scope));
  }

  /** Asks every key whose scopes come from its credential for the current one, to learn them. */
  private void learnAll() {
    boolean changed = false;
    for (Slot s : slots) {
      if (s.configured >= 0) {
        continue;
      }
      try {
        VersionedCredential c = s.key.current();
        if (c != null && (s.seen == null || s.seen.credential != c)) {
          changed |= s.see(c, endpointEnvironment).scopesChanged;
        }
      } catch (KeyGuardException | IllegalStateException e) {
        log.debug(
            "Key '{}' could not be asked for its scopes ({})",
            s.key.keyId(),
            e.getClass().getSimpleName());
      }
    }
    if (changed) {
      choice = choose();
    }
  }

  /** Recomputes the choice from what is known of each key's scopes. */
  private Choice choose() {
    int[] forScope = new int[vocabulary.size()];
    for (int scope = 0; scope < forScope.length; scope++) {
      forScope[scope] = best(1L << scope);
    }
    return new Choice(forScope, best(0));
  }

  /** The least-privileged slot whose scopes include {@code needed}, or -1. */
  private int best(long needed) {
    int best = -1;
    for (int i = 0; i < slots.length; i++) {
      if (slots[i].covers(needed) && (best < 0 || slots[i].lessPrivilegedThan(slots[best]))) {
        best = i;
      }
    }
    return best;
  }

  /** What is chosen for each scope, and for the public scope and unmapped routes. */
  private static final class Choice {
    final int[] forScope;
    final int leastPrivileged;

    Choice(int[] forScope, int leastPrivileged) {
      this.forScope = forScope;
      this.leastPrivileged = leastPrivileged;
    }

    int slotFor(int scope) {
      return scope < 0 ? leastPrivileged : forScope[scope];
    }
  }

  /** One key, what it was configured with, and the last credential seen from it. */
  private final class Slot {
    final ManagedKey key;

    /** Configured scopes, or -1 if they come from the credential. */
    final long configured;

    final @Nullable String applicationEnvironment;
    volatile @Nullable Seen seen;

    Slot(ManagedKey key, long configured, @Nullable String applicationEnvironment) {
      this.key = key;
      this.configured = configured;
      this.applicationEnvironment = applicationEnvironment;
    }

    /** The mask in force: configured, or the last credential's; null if unknown. */
    long knownMask() {
      if (configured >= 0) {
        return configured;
      }
      Seen s = seen;
      return s == null ? UNSCOPED : s.mask;
    }

    boolean unscoped() {
      return knownMask() == UNSCOPED;
    }

    boolean covers(long needed) {
      long m = knownMask();
      return m == UNSCOPED || (m & needed) == needed;
    }

    boolean lessPrivilegedThan(Slot other) {
      if (unscoped() != other.unscoped()) {
        return other.unscoped();
      }
      long a = knownMask();
      long b = other.knownMask();
      if (Long.bitCount(a) != Long.bitCount(b)) {
        return Long.bitCount(a) < Long.bitCount(b);
      }
      if (rankSum(a) != rankSum(b)) {
        return rankSum(a) < rankSum(b);
      }
      return key.keyId().compareTo(other.key.keyId()) < 0;
    }

    private static int rankSum(long mask) {
      int sum = 0;
      for (long m = mask; m != 0; m &= m - 1) {
        sum += Long.numberOfTrailingZeros(m);
      }
      return sum;
    }

    Seen see(VersionedCredential credential, @Nullable String endpointEnvironment) {
      long before = knownMask();
      long mask = configured >= 0 ? configured : maskOfCredential(credential);
      String refusal = environmentRefusal(credential, endpointEnvironment);
      Seen next = new Seen(credential, mask, refusal, false);
      seen = next;
      boolean changed = configured < 0 && knownMask() != before;
      return changed ? new Seen(credential, mask, refusal, true) : next;
    }

    private long maskOfCredential(VersionedCredential credential) {
      return credential.scopes().isEmpty() ? UNSCOPED : mask(credential.scopes());
    }

    private @Nullable String environmentRefusal(
        VersionedCredential credential, @Nullable String endpointEnvironment) {
      if (endpointEnvironment == null) {
        return null;
      }
      String tag = credential.environment().orElse(applicationEnvironment);
      if (tag == null) {
        return null;
      }
      boolean keyIsProd = isProduction(tag);
      boolean endpointIsProd = isProduction(endpointEnvironment);
      if (keyIsProd == endpointIsProd) {
        return null;
      }
      return "Key '"
          + key.keyId()
          + "' version "
          + credential.version()
          + (keyIsProd ? " is a production key" : " is a non-production key")
          + " ("
          + (credential.environment().isPresent()
              ? "tagged '" + tag + "'"
              : "untagged, the application runs in '" + tag + "'")
          + "), and the endpoint is "
          + (endpointIsProd ? "production" : "the '" + endpointEnvironment + "' environment")
          + ": refused before sending. "
          + (keyIsProd
              ? "A production key never goes to a test network; use that network's own key."
              : "Use a production key for the production API.");
    }

    String describeScopes(List<String> vocabulary) {
      long m = knownMask();
      if (m == UNSCOPED) {
        return "(no scopes known)";
      }
      List<String> names = new ArrayList<>();
      for (int i = 0; i < vocabulary.size(); i++) {
        if ((m & (1L << i)) != 0) {
          names.add(vocabulary.get(i));
        }
      }
      return names.toString();
    }
  }

  /** Mask of a key with no scope information: covers everything, ranks last. */
  private static final long UNSCOPED = Long.MIN_VALUE;

  /** The last credential seen from a key, with what was derived from it. */
  private static final class Seen {
    final VersionedCredential credential;
    final long mask;
    final @Nullable String environmentRefusal;
    final boolean scopesChanged;

    Seen(
        VersionedCredential credential,
        long mask,
        @Nullable String environmentRefusal,
        boolean scopesChanged) {
      this.credential = credential;
      this.mask = mask;
      this.environmentRefusal = environmentRefusal;
      this.scopesChanged = scopesChanged;
    }
  }

  static boolean isProduction(String environment) {
    String e = environment.strip().toLowerCase(Locale.ROOT);
    return e.equals("prod") || e.equals("production");
  }
}
