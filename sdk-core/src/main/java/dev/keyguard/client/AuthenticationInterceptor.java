package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.RedactedThrowable;
import dev.keyguard.Redactor;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.internal.Durations;
import dev.keyguard.key.ManagedKey;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fourth in the chain: asks the {@link ManagedKey} for the current credential and applies the
 * {@link AuthScheme} to every attempt bound for the base URL's origin. On a rejection status
 * (401/403 by default), or a rejection error code in the body when the client has a {@link
 * BodyRejectionMatcher} (Kraken's HTTP 200 {@code EAPI:Invalid key}), it reports the credential to
 * {@link ManagedKey#rejected(VersionedCredential)} and, if that yields a different credential and
 * the request may be repeated, sends it once more with that one. It never loops: a second
 * rejection, or no other credential, ends the call with {@link KeyRejectedException}.
 */
final class AuthenticationInterceptor implements Interceptor {

  private static final Logger log = LoggerFactory.getLogger(KeyGuardClient.class);

  /** The scheme failed without an exception (it returned no request). */
  private static final @Nullable Throwable NO_CAUSE = null;

  private final ClientSettings settings;

  /**
   * The last credential whose secrets were made known to the redactor (identity check), with the
   * tag its requests carry: both made once per version, not per request.
   */
  private volatile @Nullable Seen lastSeen;

  private record Seen(VersionedCredential credential, UsedCredential used) {}

  AuthenticationInterceptor(ClientSettings settings) {
    this.settings = settings;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (request.tag(NoCredentials.class) != null || !settings.isCredentialOrigin(request.url())) {
      return chain.proceed(request);
    }
    // least privilege: the route's scope picks the key; the audit names its key with a tag
    KeySelector selector = settings.selector();
    ForcedKey forced = request.tag(ForcedKey.class);
    int slot = forced != null ? forced.slot() : selector.select(request);
    KeyAuditor auditor = settings.auditor();
    ManagedKey key;
    VersionedCredential credential;
    boolean newVersion;
    for (int round = 0; ; round++) {
      key = selector.key(slot);
      credential = current(key);
      newVersion = auditor != null && selector.isNewVersion(slot, credential);
      int checked = selector.check(slot, credential, request);
      if (checked == slot || forced != null) {
        break;
      }
      // the credential's scopes differ from what the choice assumed: another key is the right one
      if (round > selector.keyCount()) {
        throw new KeyGuardIOException(
            new KeyProviderUnavailableException(
                "The scopes of the keys of this client keep changing; no key could be chosen",
                key.keyId()));
      }
      slot = checked;
    }
    if (auditor != null && newVersion && forced == null) {
      auditor.onNewVersion(slot, credential);
    }
    holdIfRejected(key, credential, request);
    Response response = chain.proceed(authenticate(request, credential));
    Rejection first = rejection(response);
    if (first == null) {
      return response;
    }

    ApiResponseException rejection = first.toException(response, settings);
    response.close();
    String what = request.method() + " " + settings.safeUrl(request.url());
    Optional<VersionedCredential> other;
    try {
      other = key.rejected(credential);
    } catch (RuntimeException e) {
      KeyRejectedException failure =
          new KeyRejectedException(
              rejected(credential, rejection, what)
                  + ", and looking for another version failed ("
                  + e.getClass().getSimpleName()
                  + "). Check the key source, then rotate the key or check its permissions at the"
                  + " API provider.",
              rejection,
              credential.keyId(),
              credential.version());
      // attached protected: a logging backend reads getSuppressed() directly, not our printout
      failure.addSuppressed(RedactedThrowable.protect(e));
      throw new KeyGuardIOException(failure);
    }
    if (other.isEmpty() || other.get().sameVersionAs(credential)) {
      throw new KeyGuardIOException(
          new KeyRejectedException(
              rejected(credential, rejection, what)
                  + " and no other version is available (a forced refresh found none). Rotate the"
                  + " key in its source, or check its permissions at the API provider.",
              rejection,
              credential.keyId(),
              credential.version()));
    }
    VersionedCredential retryWith = other.get();
    selector.check(slot, retryWith, request); // the other version must fit the endpoint too
    // A body error code is configured only for rejections the API makes before processing the
    // request, so repeating it does not repeat its effect; a status keeps the idempotency rule.
    boolean repeatable =
        (first.errorCode != null || settings.retryOptions().mayRetry(request.method()))
            && (request.body() == null || !request.body().isOneShot());
    if (!repeatable) {
      throw new KeyGuardIOException(
          new KeyRejectedException(
              rejected(credential, rejection, what)
                  + ". Version "
                  + retryWith.version()
                  + " is now available, but the "
                  + request.method()
                  + " was not repeated because it is not idempotent; repeat the call if that is"
                  + " safe (or allow it with RetryOptions.retryNonIdempotent).",
              rejection,
              credential.keyId(),
              credential.version()));
    }

    log.info(
        "Key '{}' version {} rejected{} on {}; retrying once with version {}",
        credential.keyId(),
        credential.version(),
        rejectedWith(rejection),
        what,
        retryWith.version());
    if (settings.limiter() != null) {
      // the retry is an attempt too: it takes a turn (before signing, so a timestamp is fresh)
      settings.limiter().acquire(chain.call());
    }
    Response second = chain.proceed(authenticate(request, retryWith));
    Rejection again = rejection(second);
    if (again != null) {
      ApiResponseException secondRejection = again.toException(second, settings);
      second.close();
      secondRejection.addSuppressed(rejection);
      throw new KeyGuardIOException(
          new KeyRejectedException(
              "The API rejected key '"
                  + credential.keyId()
                  + "' version "
                  + credential.version()
                  + " and then version "
                  + retryWith.version()
                  + rejectedWith(secondRejection)
                  + " on "
                  + what
                  + ". Not retrying again. Check the key's permissions at the API provider.",
              secondRejection,
              retryWith.keyId(),
              retryWith.version()));
    }
    if (second.code() < 400) {
      try {
        key.accepted(retryWith);
      } catch (RuntimeException e) {
        log.warn(
            "Reporting the acceptance of key '{}' version {} failed: {}",
            retryWith.keyId(),
            retryWith.version(),
            e.getClass().getSimpleName());
      }
    }
    return second;
  }

  /**
   * Whether the response rejects the credential: by status, or (only when the client has a body
   * matcher) by an error code in the first bytes of the body, peeked without consuming it.
   */
  private @Nullable Rejection rejection(Response response) {
    if (settings.isRejection(response.code())) {
      return Rejection.BY_STATUS;
    }
    BodyRejectionMatcher matcher = settings.bodyRejectionMatcher();
    if (matcher == null) {
      return null;
    }
    String code = matcher.match(response);
    return code == null ? null : new Rejection(code);
  }

  /** The start every rejection message shares: which key and version, how, on which call. */
  private static String rejected(
      VersionedCredential credential, ApiResponseException rejection, String what) {
    return "The API rejected key '"
        + credential.keyId()
        + "' version "
        + credential.version()
        + rejectedWith(rejection)
        + " on "
        + what;
  }

  /** " with HTTP 401", or " with HTTP 200 and error code EAPI:Invalid key". */
  private static String rejectedWith(ApiResponseException rejection) {
    return " with HTTP "
        + rejection.status()
        + rejection.errorCode().map(code -> " and error code " + code).orElse("");
  }

  /** How a response rejected the credential; {@code errorCode} is null for a status. */
  private static final class Rejection {
    static final Rejection BY_STATUS = new Rejection(null);

    final @Nullable String errorCode;

    Rejection(@Nullable String errorCode) {
      this.errorCode = errorCode;
    }

    ApiResponseException toException(Response response, ClientSettings settings) {
      return errorCode == null
          ? settings.failures().forStatus(response)
          : settings.failures().forRejectionCode(response, errorCode);
    }
  }

  private VersionedCredential current(ManagedKey key) throws KeyGuardIOException {
    try {
      VersionedCredential credential = key.current();
      if (credential == null) {
        throw new KeyProviderUnavailableException(
            "ManagedKey.current() returned null for key '" + key.keyId() + "'", key.keyId());
      }
      return credential;
    } catch (KeyGuardException e) {
      throw new KeyGuardIOException(e);
    } catch (RuntimeException e) {
      throw new KeyGuardIOException(
          new KeyProviderUnavailableException(
              "Getting the current credential of key '"
                  + key.keyId()
                  + "' failed ("
                  + e.getClass().getSimpleName()
                  + ")",
              e,
              key.keyId(),
              null));
    }
  }

  /**
   * Fails the request without sending it while the API rejects the credential and the key source
   * has nothing else (the key's rejection circuit), except the one probe per interval.
   */
  private void holdIfRejected(ManagedKey key, VersionedCredential credential, Request request)
      throws KeyGuardIOException {
    Duration hold = key.rejectionHold(credential);
    if (hold.isZero() || hold.isNegative()) {
      return;
    }
    UsageMonitor usage = settings.usageMonitor();
    if (usage != null) {
      // the per-version tag the interceptor keeps: nothing derived per held request
      usage.held(registerWithRedactor(credential), request);
    }
    throw new KeyGuardIOException(
        new KeyRejectedException(
            "Not sent: the API rejected key '"
                + credential.keyId()
                + "' version "
                + credential.version()
                + " and its key source has no other version yet ("
                + request.method()
                + " "
                + settings.safeUrl(request.url())
                + "). The source is re-checked at growing intervals and a new version is used as"
                + " soon as it appears; one request per interval probes the API, the next in "
                + Durations.readable(hold)
                + ". Rotate the key in its source, or check its permissions at the API provider.",
            null,
            credential.keyId(),
            credential.version()));
  }

  private Request authenticate(Request request, VersionedCredential credential)
      throws KeyGuardIOException {
    UsedCredential used = registerWithRedactor(credential);
    Request signed;
    try {
      signed = settings.authScheme().apply(request, credential);
    } catch (KeyGuardException e) {
      throw new KeyGuardIOException(e);
    } catch (RuntimeException e) {
      throw new KeyGuardIOException(
          schemeFailure(
              "The AuthScheme failed to apply key '"
                  + credential.keyId()
                  + "' version "
                  + credential.version()
                  + " ("
                  + e.getClass().getSimpleName()
                  + ")",
              credential,
              e));
    }
    if (signed == null) {
      throw new KeyGuardIOException(
          schemeFailure(
              "The AuthScheme returned no request for key '" + credential.keyId() + "'",
              credential,
              NO_CAUSE));
    }
    if (!settings.isCredentialOrigin(signed.url())) {
      // a scheme must not move the request: that would send the credential elsewhere
      throw new KeyGuardIOException(
          new InsecureTransportException(
              "The AuthScheme changed the request's origin; refused to send key '"
                  + credential.keyId()
                  + "' there",
              credential.keyId()));
    }
    return signed.newBuilder().tag(UsedCredential.class, used).build();
  }

  /** A failure of the auth scheme with this credential: not retryable, the scheme is at fault. */
  private static KeyGuardException schemeFailure(
      String message, VersionedCredential credential, @Nullable Throwable cause) {
    boolean retryable = false;
    return new KeyGuardException(
        message, cause, credential.keyId(), credential.version(), retryable);
  }

  /**
   * The one place the request path registers secrets with the redactor: makes the secrets in use
   * known to it, so a body that echoes them is scrubbed from errors even with a ManagedKey that
   * does not register them itself. Cheap after the first call.
   *
   * @return the tag of the requests the credential signs
   */
  private UsedCredential registerWithRedactor(VersionedCredential credential) {
    Seen seen = lastSeen;
    if (seen != null && seen.credential == credential) {
      return seen.used;
    }
    Redactor.global().register(credential.apiKey());
    credential.apiSecret().ifPresent(Redactor.global()::register);
    UsedCredential used = UsedCredential.of(credential);
    lastSeen = new Seen(credential, used);
    return used;
  }
}
