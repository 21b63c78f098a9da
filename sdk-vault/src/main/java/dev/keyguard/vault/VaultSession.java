package dev.keyguard.vault;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyGuardException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vault token of one provider and its lifecycle, layered over a {@link VaultAuthentication}
 * (after Spring Vault's {@code LifecycleAwareSessionManager}).
 *
 * <h2>What it does</h2>
 *
 * <ol>
 *   <li>On first use it logs in. A given token (no lease in the answer) is looked up ({@code
 *       auth/token/lookup-self}) for its TTL and renewability; a failed look-up is reported and the
 *       token used as it is, without renewal, so the read itself says what Vault refuses.
 *   <li>At about 2/3 of the TTL it renews the token ({@code auth/token/renew-self}), as Vault Agent
 *       does. When Vault grants less than the previous TTL (the max TTL caps it), the next step at
 *       2/3 of what is left is a new login instead.
 *   <li>It logs in again when renewal is refused, when the token is not renewable (at 2/3 of its
 *       TTL), when the max TTL is near, when the token has expired at a use, and when Vault refused
 *       it for a read ({@link #refused(Secret)}). A given token cannot log in again, except a token
 *       file, which is read again (at every refusal: Vault Agent may have rotated it). A token that
 *       a login after a refusal brought, refused too while {@code lookup-self} still knows it, is
 *       not followed by another login: Vault's policies deny the read, and a login per refresh
 *       would only leave one more live token (the read fails as denied; the next login for another
 *       reason, such as the TTL, picks up fixed policies). If it was revoked, a login follows.
 *   <li>A token replaced while still valid (max TTL near, not renewable, refused for a read) is
 *       revoked ({@code auth/token/revoke-self}, best effort) on the scheduler, off the lock, as is
 *       the last one at {@link #close()}: no token this session logged in for outlives its use.
 *   <li>A failed renewal or login while the token is still valid is retried after a third of the
 *       time left (1 to 30 s); the token keeps being used meanwhile.
 * </ol>
 *
 * <h2>Threads</h2>
 *
 * <p>Login, look-up and renewal run under one lock, so there is at most one of them at a time
 * (single flight): a thread that needs a token while one is being obtained waits for it and then
 * uses it. {@link #token()} reads a volatile field and takes no lock while the token is valid.
 * Scheduled renewals and re-logins run on the given scheduler (by default one daemon thread, {@code
 * keyguard-vault-token-N}); logins on first use or after a refusal run on the calling thread.
 * Events are delivered on the thread that did the work, under the lock.
 */
final class VaultSession {

  private static final Logger LOG = LoggerFactory.getLogger(VaultSession.class);

  /** A token this close to its expiry is not used: a new one is obtained first. */
  static final Duration EXPIRY_MARGIN = Duration.ofMillis(500);

  static final Duration MIN_RETRY = Duration.ofSeconds(1);

  /** {@link #close()} waits at most this long for the best-effort revocation. */
  static final Duration REVOKE_TIMEOUT = Duration.ofSeconds(2);

  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private static final String REFUSED = "Vault refused the token";

  /** A renewal that grants this much less than the TTL before counts as capped by the max TTL. */
  private static final Duration CAP_TOLERANCE = Duration.ofSeconds(1);

  /** One token and what is known of its lease; immutable. */
  record TokenState(
      Secret token,
      Instant obtainedAt,
      @Nullable Duration ttl,
      boolean renewable,
      boolean capped,
      long generation) {

    @Nullable Instant expiresAt() {
      return ttl == null || ttl.isZero() ? null : obtainedAt.plus(ttl);
    }

    boolean usableAt(Instant now) {
      Instant expiresAt = expiresAt();
      return expiresAt == null || now.isBefore(expiresAt.minus(EXPIRY_MARGIN));
    }
  }

  private final VaultHttp http;
  private final VaultAuthentication auth;
  private final TimeSource time;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final List<VaultTokenListener> listeners;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile @Nullable TokenState state;

  // guarded by lock
  private @Nullable ScheduledFuture<?> pending;
  private long generations;
  private boolean loggedIn;
  private boolean closed;

  /** The token a login after a refusal brought; a refusal of it does not log in again. */
  private @Nullable Secret loggedInAfterRefusal;

  VaultSession(
      VaultHttp http,
      VaultAuthentication auth,
      TimeSource time,
      ScheduledExecutorService scheduler,
      boolean ownsScheduler,
      List<VaultTokenListener> listeners) {
    this.http = http;
    this.auth = auth;
    this.time = time;
    this.scheduler = scheduler;
    this.ownsScheduler = ownsScheduler;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * A valid token, logging in first if there is none (single flight).
   *
   * @return the token
   * @throws KeyGuardException if the login fails
   */
  Secret token() {
    TokenState s = state;
    if (s != null && s.usableAt(time.now())) {
      return s.token();
    }
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the VaultKeyProvider is closed");
      }
      s = state;
      if (s != null && s.usableAt(time.now())) {
        return s.token();
      }
      return logInOnCallerLocked(s == null ? "first use" : "token expired").token();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Vault refused {@code used} for a read (HTTP 403): logs in again if the method can and nobody
   * has replaced the token yet.
   *
   * @param used the token the refused request carried
   * @return true if there is another token to try, false if there is none
   * @throws KeyGuardException if the new login fails
   */
  boolean refused(Secret used) {
    if (!auth.canLogInAgain()) {
      return false;
    }
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      TokenState s = state;
      if (s != null && s.token() != used) {
        return true;
      }
      if (used == loggedInAfterRefusal && !"token".equals(auth.method()) && stillValid(used)) {
        // A token fresh from a login after a refusal, refused too and still valid: the policies
        // deny the read, and another login would only leave one more live token. (A token file is
        // always read again: that creates no token, and Vault Agent may have rotated it.)
        LOG.debug(
            "Vault refused token {}, fresh from a login after a refusal and still valid: the"
                + " policies deny the read; not logging in again",
            used.fingerprint());
        return false;
      }
      loggedInAfterRefusal = logInOnCallerLocked(REFUSED).token();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The current state, for tests and {@code toString}. */
  @Nullable TokenState state() {
    return state;
  }

  String method() {
    return auth.method();
  }

  // ------------------------------------------------------------------------- lifecycle steps

  /** A login on the calling thread: a failure is reported and thrown to the caller. */
  private TokenState logInOnCallerLocked(String reason) {
    try {
      return logInLocked(reason);
    } catch (KeyGuardException e) {
      emit(VaultTokenEvent.Failed.of(time.now(), "login", e, null));
      throw e;
    }
  }

  private TokenState logInLocked(String reason) {
    VaultAuthentication.Login login = auth.login(http);
    Instant now = time.now();
    Duration ttl = login.ttl();
    boolean renewable = login.renewable();
    if (ttl == null) {
      JsonNode data = lookUpSelf(login.token());
      if (data != null) {
        ttl = lookedUpTtl(data, now);
        renewable = data.path("renewable").asBoolean(false);
      }
    }
    TokenState next = new TokenState(login.token(), now, ttl, renewable, false, ++generations);
    TokenState old = state;
    state = next;
    loggedInAfterRefusal = null;
    if (old != null && old.token() != next.token() && !old.token().equalsSecret(next.token())) {
      if (!"token".equals(auth.method()) && old.usableAt(now)) {
        revokeLater(old.token());
      }
      Redactor.global().retire(old.token());
    }
    boolean reLogin = loggedIn;
    loggedIn = true;
    schedule(next);
    LOG.debug(
        "Vault {} login ({}): token {}, ttl {}, renewable {}",
        auth.method(),
        reason,
        next.token().fingerprint(),
        ttl == null ? "unknown" : ttl,
        renewable);
    emit(
        new VaultTokenEvent.LoggedIn(
            now,
            auth.method(),
            next.token().fingerprint(),
            Optional.ofNullable(ttl == null || ttl.isZero() ? null : ttl),
            renewable,
            reLogin,
            reason));
    return next;
  }

  /**
   * Whether Vault still knows {@code token} ({@code lookup-self} answers 200): a refusal of a valid
   * token is a policy matter, one of a revoked or expired token calls for a login. If Vault cannot
   * be asked, the token is taken as valid: no login is made on a guess.
   */
  private boolean stillValid(Secret token) {
    try {
      return http.get("auth/token/lookup-self", token, java.util.Map.of()).ok();
    } catch (IOException e) {
      return true;
    }
  }

  /** {@code data} of {@code auth/token/lookup-self}, or null if the look-up failed (reported). */
  private @Nullable JsonNode lookUpSelf(Secret token) {
    String path = "auth/token/lookup-self";
    VaultErrors.Call call = new VaultErrors.Call(null, "read", path, http.namespace());
    KeyGuardException failure;
    try {
      VaultHttp.Reply reply = http.get(path, token, java.util.Map.of());
      if (reply.ok()) {
        JsonNode data = reply.json() == null ? null : reply.json().get("data");
        if (data != null && data.isObject() && data.has("ttl")) {
          return data;
        }
        failure =
            new MalformedSecretException(
                "the Vault answer to auth/token/lookup-self has no field 'data.ttl'", null);
      } else {
        failure = VaultErrors.map(reply, call);
      }
    } catch (IOException e) {
      failure = VaultErrors.transport(e, call);
    }
    LOG.warn(
        "could not look up the Vault token ({}); it is used without renewal: {}",
        auth,
        failure.getMessage());
    emit(VaultTokenEvent.Failed.of(time.now(), "lookup-self", failure, null));
    return null;
  }

  /** The TTL of a looked-up token: {@code ttl} seconds; 0 means it does not expire. */
  private static @Nullable Duration lookedUpTtl(JsonNode data, Instant now) {
    JsonNode ttl = data.get("ttl");
    if (ttl != null && ttl.canConvertToLong()) {
      return Duration.ofSeconds(Math.max(0, ttl.asLong()));
    }
    JsonNode expire = data.get("expire_time");
    if (expire != null && expire.isTextual()) {
      try {
        Duration left = Duration.between(now, Instant.parse(expire.textValue()));
        return left.isNegative() ? Duration.ZERO : left;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  private void schedule(TokenState s) {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
    Instant expiresAt = s.expiresAt();
    if (closed || expiresAt == null || s.ttl() == null) {
      return;
    }
    if (!s.renewable() && !auth.canLogInAgain()) {
      LOG.warn(
          "the Vault token ({}) expires at {} and can neither be renewed nor replaced: give a"
              + " renewable token, or use AppRole or Kubernetes authentication",
          auth,
          expiresAt);
      return;
    }
    Instant at = s.obtainedAt().plus(s.ttl().multipliedBy(2).dividedBy(3));
    scheduleAt(at, s.generation());
  }

  private void scheduleAt(Instant at, long generation) {
    long delay = Math.max(0, Duration.between(time.now(), at).toMillis());
    try {
      pending = scheduler.schedule(() -> tick(generation), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // a scheduler of the caller's that was shut down: the token is replaced at its next use
      LOG.warn(
          "the Vault token scheduler refused the next renewal ({}); the token is renewed or"
              + " replaced only when a read finds it expired",
          e.toString());
      pending = null;
    }
  }

  /** The scheduled step: renew, or log in again. */
  private void tick(long generation) {
    lock.lock();
    try {
      TokenState s = state;
      if (closed || s == null || s.generation() != generation) {
        return;
      }
      if (s.renewable() && !s.capped()) {
        renewLocked(s);
      } else {
        reLogInLocked(s, s.renewable() ? "max TTL near" : "token not renewable");
      }
    } catch (RuntimeException e) {
      LOG.warn("the Vault token step failed unexpectedly: {}", e.toString());
    } finally {
      lock.unlock();
    }
  }

  private void renewLocked(TokenState s) {
    String path = "auth/token/renew-self";
    VaultErrors.Call call = new VaultErrors.Call(null, "update", path, http.namespace());
    VaultHttp.Reply reply;
    try {
      reply = http.post(path, s.token(), VaultHttp.MAPPER.createObjectNode());
    } catch (IOException e) {
      failedLocked("renew-self", VaultErrors.transport(e, call), s);
      return;
    }
    if (reply.status() == 400 || reply.status() == 403 || reply.status() == 404) {
      KeyGuardException refused = VaultErrors.map(reply, call);
      if (auth.canLogInAgain()) {
        LOG.debug("Vault refused to renew the token (HTTP {}): logging in again", reply.status());
        reLogInLocked(s, "renewal refused (HTTP " + reply.status() + ")");
      } else {
        emit(VaultTokenEvent.Failed.of(time.now(), "renew-self", refused, null));
      }
      return;
    }
    if (!reply.ok()) {
      failedLocked("renew-self", VaultErrors.map(reply, call), s);
      return;
    }
    JsonNode authNode = reply.json() == null ? null : reply.json().get("auth");
    JsonNode lease = authNode == null ? null : authNode.get("lease_duration");
    if (authNode == null || lease == null || !lease.canConvertToLong()) {
      failedLocked(
          "renew-self",
          new MalformedSecretException(
              "the Vault answer to auth/token/renew-self has no field 'auth.lease_duration'", null),
          s);
      return;
    }
    Instant now = time.now();
    Duration granted = Duration.ofSeconds(Math.max(0, lease.asLong()));
    boolean renewable = authNode.path("renewable").asBoolean(false);
    boolean capped =
        granted.isZero() || (s.ttl() != null && granted.plus(CAP_TOLERANCE).compareTo(s.ttl()) < 0);
    TokenState next = new TokenState(s.token(), now, granted, renewable, capped, ++generations);
    state = next;
    schedule(next);
    emit(new VaultTokenEvent.Renewed(now, s.token().fingerprint(), granted, capped));
  }

  private void reLogInLocked(TokenState s, String reason) {
    try {
      logInLocked(reason);
    } catch (KeyGuardException e) {
      failedLocked("login", e, s);
    }
  }

  private void failedLocked(String operation, KeyGuardException e, TokenState s) {
    LOG.warn("Vault {} failed: {}", operation, e.getMessage());
    Duration retryIn = retryLocked(s);
    emit(VaultTokenEvent.Failed.of(time.now(), operation, e, retryIn));
  }

  /** Schedules the same step again while the token is valid; drops an expired token. */
  private @Nullable Duration retryLocked(TokenState s) {
    Instant expiresAt = s.expiresAt();
    Instant now = time.now();
    if (expiresAt == null) {
      return null;
    }
    Duration left = Duration.between(now, expiresAt);
    if (left.compareTo(EXPIRY_MARGIN.plus(MIN_RETRY)) <= 0) {
      if (auth.canLogInAgain()) {
        // the next use logs in on its own thread
        state = null;
      }
      return null;
    }
    Duration retryIn = left.dividedBy(3).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    if (retryIn.compareTo(MIN_RETRY) < 0) {
      retryIn = MIN_RETRY;
    } else if (retryIn.compareTo(MAX_RETRY) > 0) {
      retryIn = MAX_RETRY;
    }
    scheduleAt(now.plus(retryIn), s.generation());
    return retryIn;
  }

  private void emit(VaultTokenEvent event) {
    for (VaultTokenListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn(
            "a VaultTokenListener failed on {}: {}",
            event.getClass().getSimpleName(),
            e.toString());
      }
    }
  }

  /**
   * Revokes a replaced token on the scheduler, not under the lock: a caller waiting for the new
   * token does not wait for the revocation too. Dropped if the session closes first (the token then
   * lives out its TTL, as before).
   */
  private void revokeLater(Secret token) {
    try {
      scheduler.execute(() -> revoke(token, "replaced"));
    } catch (RejectedExecutionException shutDown) {
      LOG.debug("Vault token {} not revoked: the scheduler is shut down", token.fingerprint());
    }
  }

  /** Revokes a token this session logged in for, best effort: a failure is logged at DEBUG. */
  private void revoke(Secret token, String when) {
    try {
      VaultHttp.Reply reply =
          http.post(
              "auth/token/revoke-self", token, VaultHttp.MAPPER.createObjectNode(), REVOKE_TIMEOUT);
      if (!reply.ok()) {
        LOG.debug(
            "Vault did not revoke token {} {}: HTTP {}", token.fingerprint(), when, reply.status());
      }
    } catch (IOException e) {
      LOG.debug(
          "could not revoke Vault token {} {}: {}",
          token.fingerprint(),
          when,
          e.getClass().getSimpleName());
    }
  }

  /**
   * Stops renewals; revokes a token this session logged in for (AppRole, Kubernetes), best effort;
   * shuts the scheduler down if the session made it.
   */
  void close() {
    TokenState s;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (pending != null) {
        pending.cancel(false);
        pending = null;
      }
      s = state;
      state = null;
    } finally {
      lock.unlock();
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    if (s != null && !"token".equals(auth.method())) {
      revoke(s.token(), "at close");
    }
    if (s != null) {
      Redactor.global().retire(s.token());
    }
  }
}
