package dev.keyguard.client;

import dev.keyguard.KeyId;
import dev.keyguard.TimeSource;
import dev.keyguard.client.UsageSnapshot.Outcome;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyEvent.UsageAnomaly;
import dev.keyguard.key.ManagedKey;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage monitor of one client: counts every attempt per key id, version and route template, and
 * runs the detectors of {@link UsageOptions}. One interceptor feeds it, {@link #attempts()}, right
 * after the authenticator: each signed attempt, retries included, with the credential tag the
 * authenticator set; an attempt that is not a retry of the one before it on its thread also counts
 * as a call.
 *
 * <p><b>Request path.</b> Lock-free and allocation-free for declared routes: counters are {@link
 * LongAdder}s in arrays indexed by route, found by linear scans of small copy-on-write arrays of
 * keys and versions; rate-limit headers are read only when a {@link RateLimitHeadroom} names them.
 * Creating the counters of a new key, version or route, learning an undeclared route, a version's
 * first acceptance and firing an alert are the rare paths; they synchronize or allocate.
 *
 * <p><b>Detectors.</b> The rejection burst, retired-version, headroom and budget detectors decide
 * on the attempt that crosses their threshold. The spike detector and the recoveries of the burst
 * and retired-version detectors are evaluated by a tick: every {@link #TICK} on the first attempt
 * or snapshot after it, by whichever thread wins a flag (no thread of its own). Each episode fires
 * one alert and, when it ends, one recovery: both are logged and handed to the key's listeners
 * ({@link ManagedKey#report(KeyEvent)}) on the thread that noticed them.
 */
final class UsageMonitor {

  static final Duration TICK = Duration.ofSeconds(10);
  static final String ALL_ROUTES = "*";

  private static final Logger log = LoggerFactory.getLogger("dev.keyguard.usage");
  private static final long TICK_NANOS = TICK.toNanos();
  private static final long NONE = Long.MIN_VALUE;
  private static final int MAX_VERSIONS = 16;
  private static final long[] BOUNDS_MILLIS = {
    1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000
  };
  private static final long[] BOUNDS_NANOS =
      Arrays.stream(BOUNDS_MILLIS).map(TimeUnit.MILLISECONDS::toNanos).toArray();
  private static final List<Duration> BOUNDS =
      Arrays.stream(BOUNDS_MILLIS).mapToObj(Duration::ofMillis).toList();
  private static final Outcome[] OUTCOMES = Outcome.values();

  private final ClientSettings settings;
  private final UsageOptions options;
  private final TimeSource time;
  private final List<ManagedKey> sinks;
  private final UsageRoutes routes;
  private final long[] routeCost;
  private final LongAdder[] calls;
  private final RateLimitHeadroom[] headroom;
  private final boolean budgeted;
  private final long warnLevel;

  private volatile KeyStats[] keys = new KeyStats[0];
  private final AtomicLong nextTick;
  private final AtomicBoolean ticking = new AtomicBoolean();
  private volatile long lastTickNanos;
  private volatile long nextMidnightNanos;

  UsageMonitor(
      ClientSettings settings, UsageOptions options, List<RateLimitHeadroom> presetHeadroom) {
    this.settings = settings;
    this.options = options;
    this.time = settings.time();
    List<ManagedKey> keys = new ArrayList<>();
    for (int i = 0; i < settings.selector().keyCount(); i++) {
      keys.add(settings.selector().key(i));
    }
    this.sinks = List.copyOf(keys);
    this.routes =
        new UsageRoutes(
            settings.baseUrl(),
            settings.access().routes(),
            options.routes(),
            options.maxLearnedRoutes());
    this.routeCost = new long[routes.capacity()];
    Arrays.fill(routeCost, 1);
    for (Map.Entry<Route, Long> cost : options.routeCosts().entrySet()) {
      int i = routes.declaredIndex(cost.getKey());
      if (i < 0) {
        throw new IllegalStateException(
            "UsageOptions.routeCost names "
                + cost.getKey()
                + ", which neither UsageOptions.routes(...) nor the client's route table"
                + " declares; declare it with UsageOptions.Builder.routes");
      }
      routeCost[i] = cost.getValue();
    }
    this.calls = new LongAdder[routes.capacity()];
    for (int i = 0; i < calls.length; i++) {
      calls[i] = new LongAdder();
    }
    List<RateLimitHeadroom> hs = new ArrayList<>(presetHeadroom);
    for (RateLimitHeadroom h : options.headroom()) {
      if (!hs.contains(h)) {
        hs.add(h);
      }
    }
    this.headroom = hs.toArray(new RateLimitHeadroom[0]);
    this.budgeted = options.dailyBudget() > 0;
    this.warnLevel =
        Math.max(1, (long) Math.ceil(options.dailyBudget() * options.budgetWarningFraction()));
    long now = time.nanoTime();
    this.lastTickNanos = now;
    this.nextTick = new AtomicLong(now + TICK_NANOS);
    this.nextMidnightNanos = nextMidnight(now);
  }

  /**
   * The last attempt this thread recorded: the identity hash of its call and its route. OkHttp runs
   * a call's whole chain (retries, redirect hops) on one thread, so an attempt with the same call
   * and route as the one before it on this thread is a retry; anything else starts a call (a
   * redirect hop to another route counts as a call). One small array per thread, no reference to
   * the call kept.
   */
  private static final ThreadLocal<long[]> LAST_ATTEMPT =
      ThreadLocal.withInitial(() -> new long[] {-1, -1});

  /** Counts each signed attempt: right after the authenticator. */
  Interceptor attempts() {
    return new AttemptRecorder();
  }

  /** Right after the authenticator: each signed attempt, with the credential tag it carries. */
  private final class AttemptRecorder implements Interceptor {
    @Override
    public Response intercept(Chain chain) throws IOException {
      Request r = chain.request();
      UsedCredential used = r.tag(UsedCredential.class);
      if (used == null) {
        return chain.proceed(r);
      }
      int route = routes.index(r.method(), r.url());
      long[] last = LAST_ATTEMPT.get();
      long call = System.identityHashCode(chain.call());
      if (last[0] != call || last[1] != route) {
        calls[route].increment();
        last[0] = call;
        last[1] = route;
      }
      KeyStats k = key(used.keyId());
      VersionStats v = k.version(used);
      long start = time.nanoTime();
      maybeTick(start);
      if (budgeted) {
        charge(k, v, route, start);
      }
      long sent = bytesSent(r.body());
      Response response;
      try {
        response = chain.proceed(r);
      } catch (IOException | RuntimeException e) {
        record(k, v, route, -1, time.nanoTime() - start, sent, 0, null);
        throw e;
      }
      long received = response.body().contentLength();
      record(
          k,
          v,
          route,
          response.code(),
          time.nanoTime() - start,
          sent,
          Math.max(0, received),
          response);
      return response;
    }
  }

  /**
   * A request the rejection circuit refused before sending ({@link ManagedKey#rejectionHold}): it
   * counts toward the rejection burst as the 401 it would have drawn, not as an attempt. Without
   * this, a revoked key would raise no burst alert at all, since the circuit sends only one probe
   * per interval.
   */
  void held(UsedCredential used, Request request) {
    KeyStats k = key(used.keyId());
    VersionStats v = k.version(used);
    int route = routes.index(request.method(), request.url());
    rejection(k, v, route, 401);
  }

  private static long bytesSent(@Nullable RequestBody body) {
    if (body == null) {
      return 0;
    }
    try {
      return Math.max(0, body.contentLength());
    } catch (IOException e) {
      return 0; // a body that cannot tell its length counts 0; the request itself goes on
    }
  }

  // ------------------------------------------------------------------ recording

  private void record(
      KeyStats k,
      VersionStats v,
      int route,
      int status,
      long nanos,
      long sent,
      long received,
      @Nullable Response response) {
    RouteStats cell = v.cell(route);
    Outcome outcome = Outcome.of(status);
    cell.outcomes[outcome.ordinal()].increment();
    cell.record(nanos);
    if (sent > 0) {
      cell.bytesSent.add(sent);
    }
    if (received > 0) {
      cell.bytesReceived.add(received);
    }
    k.attempts.increment();
    if (status >= 100 && status < 400 && v.accepted.get() == VersionHistory.NEVER) {
      k.history.accepted(v.version, v.accepted, time.now().toEpochMilli(), k.sink);
    }
    if (outcome == Outcome.UNAUTHORIZED || outcome == Outcome.FORBIDDEN) {
      rejection(k, v, route, status);
    }
    long acceptedAt = v.accepted.get();
    if (acceptedAt != VersionHistory.NEVER) {
      long since = k.history.retiredSince(acceptedAt);
      if (since != VersionHistory.NEVER) {
        retiredUse(k, v, route, since);
      }
    }
    if (response != null && headroom.length > 0) {
      readHeadroom(k, v, route, response);
    }
  }

  private void rejection(KeyStats k, VersionStats v, int route, int status) {
    long now = time.nanoTime();
    k.lastRejectionNanos = now;
    int n = options.rejectionBurstCount();
    long idx = k.rejections.getAndIncrement();
    k.rejectionRing.set((int) (idx % n), now);
    if (idx + 1 < n) {
      return;
    }
    long oldest = k.rejectionRing.get((int) ((idx + 1) % n));
    long window = options.rejectionBurstWindow().toNanos();
    if (now - oldest <= window && k.episodes.get(UsageAnomaly.REJECTION_BURST.ordinal()) == null) {
      fire(
          k,
          UsageAnomaly.REJECTION_BURST,
          v,
          routes.label(route),
          n,
          n,
          n
              + " rejections (401/403, or requests held back after one) within "
              + seconds(now - oldest)
              + " (threshold "
              + n
              + " within "
              + human(options.rejectionBurstWindow())
              + "), the last "
              + status
              + " on "
              + routes.label(route)
              + ": the key may be revoked, or rotated by its owner after a leak");
    }
  }

  private void retiredUse(KeyStats k, VersionStats v, int route, long newerSinceMillis) {
    long nowMillis = time.now().toEpochMilli();
    long graceMillis = options.retiredVersionGrace().toMillis();
    if (nowMillis - newerSinceMillis <= graceMillis) {
      return;
    }
    v.retiredUses.increment();
    k.lastRetiredUseNanos = time.nanoTime();
    if (k.episodes.get(UsageAnomaly.RETIRED_VERSION_IN_USE.ordinal()) == null) {
      double minutes = (nowMillis - newerSinceMillis) / 60_000.0;
      fire(
          k,
          UsageAnomaly.RETIRED_VERSION_IN_USE,
          v,
          routes.label(route),
          minutes,
          graceMillis / 60_000.0,
          String.format(
              Locale.ROOT,
              "version %s was used on %s %.1f min after version %s took over (grace %s): a copy of"
                  + " the old key is still in use somewhere in this process",
              v.version,
              routes.label(route),
              minutes,
              k.history.newest(),
              human(options.retiredVersionGrace())));
    }
  }

  private void readHeadroom(KeyStats k, VersionStats v, int route, Response response) {
    for (int i = 0; i < headroom.length; i++) {
      RateLimitHeadroom h = headroom[i];
      String value = response.header(h.header());
      if (value == null) {
        continue;
      }
      String limitHeader = h.limitHeader();
      double left =
          h.fractionLeft(value, limitHeader == null ? null : response.header(limitHeader));
      if (left < 0) {
        k.malformed[i].increment();
        continue;
      }
      k.headroomLeft.set(i, Double.doubleToRawLongBits(left));
      k.readings[i].increment();
      double threshold = options.headroomThreshold();
      int slot = UsageAnomaly.LOW_RATE_LIMIT_HEADROOM.ordinal();
      if (left < threshold && k.episodes.get(slot) == null) {
        fire(
            k,
            UsageAnomaly.LOW_RATE_LIMIT_HEADROOM,
            v,
            routes.label(route),
            left,
            threshold,
            String.format(
                Locale.ROOT,
                "%s says %.1f %% of the rate limit is left (threshold %.0f %%), on %s",
                h,
                100 * left,
                100 * threshold,
                routes.label(route)));
      } else if (left >= Math.min(1, 2 * threshold) && k.episodes.get(slot) != null) {
        recover(
            k,
            UsageAnomaly.LOW_RATE_LIMIT_HEADROOM,
            String.format(Locale.ROOT, "%s says %.1f %% is left again", h, 100 * left));
      }
    }
  }

  /** Counts an attempt against the key's daily budget; refuses it past the budget if asked. */
  private void charge(KeyStats k, VersionStats v, int route, long nowNanos)
      throws KeyGuardIOException {
    if (nowNanos - nextMidnightNanos >= 0) {
      newDay(nowNanos);
    }
    long cost = routeCost[route];
    long budget = options.dailyBudget();
    long used = k.budgetUsed.addAndGet(cost);
    if (used > budget && options.refuseOverBudget()) {
      k.budgetUsed.addAndGet(-cost);
      k.refused.increment();
      budgetAlert(k, v, route, UsageAnomaly.DAILY_BUDGET_EXHAUSTED, budget, budget);
      throw new KeyGuardIOException(
          new UsageBudgetExceededException(
              "Refused "
                  + routes.label(route)
                  + " with key '"
                  + k.keyId
                  + "': its daily budget of "
                  + budget
                  + " is used up (UsageOptions.dailyBudget, counted from midnight UTC). Find the"
                  + " loop that used it, or raise the budget; the request was not sent.",
              k.keyId,
              budget));
    }
    if (used >= warnLevel && used - cost < warnLevel) {
      budgetAlert(k, v, route, UsageAnomaly.DAILY_BUDGET_WARNING, used, warnLevel);
    }
    if (used >= budget && used - cost < budget) {
      budgetAlert(k, v, route, UsageAnomaly.DAILY_BUDGET_EXHAUSTED, used, budget);
    }
  }

  private void budgetAlert(
      KeyStats k, VersionStats v, int route, UsageAnomaly a, long used, long level) {
    if (k.episodes.get(a.ordinal()) != null) {
      return;
    }
    long budget = options.dailyBudget();
    fire(
        k,
        a,
        v,
        routes.label(route),
        used,
        level,
        String.format(
            Locale.ROOT,
            "%d of the daily budget of %d used today (UTC), %.0f %%%s",
            used,
            budget,
            100.0 * used / budget,
            a == UsageAnomaly.DAILY_BUDGET_EXHAUSTED
                ? options.refuseOverBudget()
                    ? "; further requests are refused until midnight UTC"
                    : "; requests go on (refuseOverBudget is off)"
                : ""));
  }

  private synchronized void newDay(long nowNanos) {
    if (nowNanos - nextMidnightNanos < 0) {
      return;
    }
    nextMidnightNanos = nextMidnight(nowNanos);
    for (KeyStats k : keys) {
      k.budgetUsed.set(0);
      k.refused.reset();
      recover(k, UsageAnomaly.DAILY_BUDGET_WARNING, "a new day (UTC) started the budget afresh");
      recover(k, UsageAnomaly.DAILY_BUDGET_EXHAUSTED, "a new day (UTC) started the budget afresh");
    }
  }

  private long nextMidnight(long nowNanos) {
    Instant now = time.now();
    Instant midnight =
        LocalDate.ofInstant(now, ZoneOffset.UTC)
            .plusDays(1)
            .atStartOfDay()
            .toInstant(ZoneOffset.UTC);
    return nowNanos + Duration.between(now, midnight).toNanos();
  }

  // ------------------------------------------------------------------ tick

  private void maybeTick(long now) {
    if (now - nextTick.get() >= 0 && ticking.compareAndSet(false, true)) {
      try {
        if (now - nextTick.get() >= 0) {
          tick(now);
          nextTick.set(now + TICK_NANOS);
        }
      } finally {
        ticking.set(false);
      }
    }
  }

  private void tick(long now) {
    long elapsed = now - lastTickNanos;
    if (elapsed <= 0) {
      return;
    }
    lastTickNanos = now;
    if (budgeted && now - nextMidnightNanos >= 0) {
      newDay(now);
    }
    double perMinute = 60e9 / elapsed;
    for (KeyStats k : keys) {
      long total = k.attempts.sum();
      double rate = (total - k.tickBase) * perMinute;
      k.tickBase = total;
      k.recentPerMinute = rate;
      VersionStats busiestVersion = null;
      int busiestRoute = -1;
      long busiest = -1;
      for (VersionStats v : k.versions) {
        for (int i = 0; i < v.cells.length(); i++) {
          RouteStats cell = v.cells.get(i);
          if (cell == null) {
            continue;
          }
          long n = cell.attempts();
          long delta = n - cell.tickBase;
          cell.tickBase = n;
          cell.recentPerMinute = delta * perMinute;
          if (delta > busiest) {
            busiest = delta;
            busiestVersion = v;
            busiestRoute = i;
          }
        }
      }
      if (busiestVersion != null) {
        spike(k, now, elapsed, rate, busiestVersion, routes.label(busiestRoute));
      }
      recoverQuiet(k, now);
    }
  }

  private void spike(
      KeyStats k, long now, long elapsed, double rate, VersionStats version, String route) {
    boolean warm = now - k.firstSeenNanos >= options.spikeWarmUp().toNanos();
    double threshold =
        options.spikeFactor() * Math.max(k.baselinePerMinute, options.spikeMinimumPerMinute());
    boolean high = warm && k.baselineReady && rate >= threshold;
    int slot = UsageAnomaly.RATE_SPIKE.ordinal();
    long duration = options.spikeDuration().toNanos();
    if (high) {
      k.calmSinceNanos = NONE;
      if (k.spikeSinceNanos == NONE) {
        k.spikeSinceNanos = now - elapsed;
      }
      if (now - k.spikeSinceNanos >= duration && k.episodes.get(slot) == null) {
        fire(
            k,
            UsageAnomaly.RATE_SPIKE,
            version,
            route,
            rate,
            threshold,
            String.format(
                Locale.ROOT,
                "%.0f requests/min for %s, %.1f× the baseline of %.1f/min (threshold %.0f×, for"
                    + " %s); busiest route %s",
                rate,
                seconds(now - k.spikeSinceNanos),
                rate / Math.max(k.baselinePerMinute, 1e-9),
                k.baselinePerMinute,
                options.spikeFactor(),
                human(options.spikeDuration()),
                route));
      }
      return;
    }
    k.spikeSinceNanos = NONE;
    learnBaseline(k, rate, elapsed);
    if (k.episodes.get(slot) != null) {
      if (k.calmSinceNanos == NONE) {
        k.calmSinceNanos = now - elapsed;
      }
      if (now - k.calmSinceNanos >= duration) {
        recover(
            k,
            UsageAnomaly.RATE_SPIKE,
            String.format(
                Locale.ROOT,
                "%.0f requests/min, below %.0f/min for %s",
                rate,
                threshold,
                seconds(now - k.calmSinceNanos)));
      }
    }
  }

  private void learnBaseline(KeyStats k, double rate, long elapsed) {
    if (!k.baselineReady) {
      k.baselinePerMinute = rate;
      k.baselineReady = true;
      return;
    }
    double alpha = 1 - Math.pow(2, -(double) elapsed / options.baselineHalfLife().toNanos());
    k.baselinePerMinute += alpha * (rate - k.baselinePerMinute);
  }

  private void recoverQuiet(KeyStats k, long now) {
    long window = options.rejectionBurstWindow().toNanos();
    if (k.episodes.get(UsageAnomaly.REJECTION_BURST.ordinal()) != null
        && now - k.lastRejectionNanos >= window) {
      recover(
          k, UsageAnomaly.REJECTION_BURST, "no 401/403 for " + seconds(now - k.lastRejectionNanos));
    }
    long quiet = Math.max(options.retiredVersionGrace().toNanos(), Duration.ofMinutes(1).toNanos());
    if (k.episodes.get(UsageAnomaly.RETIRED_VERSION_IN_USE.ordinal()) != null
        && now - k.lastRetiredUseNanos >= quiet) {
      recover(
          k,
          UsageAnomaly.RETIRED_VERSION_IN_USE,
          "no use of a rotated-out version for " + seconds(now - k.lastRetiredUseNanos));
    }
  }

  // ------------------------------------------------------------------ events

  private void fire(
      KeyStats k,
      UsageAnomaly anomaly,
      VersionStats v,
      String route,
      double observed,
      double threshold,
      String detail) {
    if (!options.detects(anomaly)) {
      return;
    }
    Instant at = time.now();
    Episode e = new Episode(time.nanoTime(), at, v.version, v.fingerprint, route, detail);
    if (!k.episodes.compareAndSet(anomaly.ordinal(), null, e)) {
      return;
    }
    log.warn(
        "Usage alert {} for key '{}' {} on {}: {}",
        anomaly,
        k.keyId,
        versionText(v.version, v.fingerprint),
        route,
        detail);
    KeyEvent.UsageAlert alert =
        new KeyEvent.UsageAlert(
            k.keyId, at, anomaly, v.version, v.fingerprint, route, observed, threshold, detail);
    deliver(alert, anomaly == UsageAnomaly.RETIRED_VERSION_IN_USE ? k.history.newestKey() : null);
  }

  private void recover(KeyStats k, UsageAnomaly anomaly, String detail) {
    Episode e = k.episodes.getAndSet(anomaly.ordinal(), null);
    if (e == null) {
      return;
    }
    Duration lasted = Duration.ofNanos(Math.max(0, time.nanoTime() - e.startNanos));
    log.info(
        "Usage recovered {} for key '{}' {} on {} after {}: {}",
        anomaly,
        k.keyId,
        versionText(e.version, e.fingerprint),
        e.route,
        human(lasted),
        detail);
    deliver(
        new KeyEvent.UsageRecovered(
            k.keyId, time.now(), anomaly, e.version, e.fingerprint, e.route, lasted, detail),
        anomaly == UsageAnomaly.RETIRED_VERSION_IN_USE ? k.history.newestKey() : null);
  }

  /**
   * Hands an event to this client's key and, for a rotated-out copy in use, to the key of the
   * client that uses the newer version (the key manager's, whose listeners should hear of it).
   */
  private void deliver(KeyEvent.UsageEvent event, @Nullable ManagedKey alsoTo) {
    ManagedKey own = sinkFor(event.keyId());
    if (own != null) {
      deliverTo(own, event);
    }
    if (alsoTo != null && alsoTo != own) {
      deliverTo(alsoTo, event);
    }
  }

  /** This client's managed key with that id, or null (a tag from elsewhere). */
  private @Nullable ManagedKey sinkFor(KeyId keyId) {
    for (ManagedKey key : sinks) {
      if (key.keyId().equals(keyId)) {
        return key;
      }
    }
    return null;
  }

  private static void deliverTo(ManagedKey key, KeyEvent.UsageEvent event) {
    if (!key.keyId().equals(event.keyId())) {
      return;
    }
    try {
      key.report(event);
    } catch (RuntimeException ex) {
      log.warn(
          "ManagedKey {} threw {} on a usage event for key '{}'; ignored",
          key.getClass().getName(),
          ex.getClass().getName(),
          event.keyId());
    }
  }

  // ------------------------------------------------------------------ snapshot

  UsageSnapshot snapshot() {
    maybeTick(time.nanoTime());
    Instant at = time.now();
    List<UsageSnapshot.Entry> entries = new ArrayList<>();
    List<UsageSnapshot.KeyTotals> keyTotals = new ArrayList<>();
    List<UsageSnapshot.ActiveAlert> alerts = new ArrayList<>();
    long[] attemptsPerRoute = new long[routes.capacity()];
    for (KeyStats k : keys) {
      for (VersionStats v : k.versions) {
        for (int i = 0; i < v.cells.length(); i++) {
          RouteStats cell = v.cells.get(i);
          if (cell != null) {
            UsageSnapshot.Entry e = cell.toEntry(k.keyId, v, routes.label(i));
            attemptsPerRoute[i] += e.attempts();
            entries.add(e);
          }
        }
      }
      List<UsageSnapshot.Headroom> hs = new ArrayList<>();
      for (int i = 0; i < headroom.length; i++) {
        long readings = k.readings[i].sum();
        hs.add(
            new UsageSnapshot.Headroom(
                headroom[i].header(),
                readings == 0 ? -1 : Double.longBitsToDouble(k.headroomLeft.get(i)),
                readings,
                k.malformed[i].sum()));
      }
      keyTotals.add(
          new UsageSnapshot.KeyTotals(
              k.keyId,
              k.attempts.sum(),
              k.recentPerMinute,
              k.baselinePerMinute,
              k.budgetUsed.get(),
              options.dailyBudget(),
              k.refused.sum(),
              hs));
      for (UsageAnomaly a : UsageAnomaly.values()) {
        Episode e = k.episodes.get(a.ordinal());
        if (e != null) {
          alerts.add(
              new UsageSnapshot.ActiveAlert(
                  k.keyId, a, e.version, e.fingerprint, e.route, e.at, e.detail));
        }
      }
    }
    List<UsageSnapshot.RouteTotals> routeTotals = new ArrayList<>();
    for (int i = 0; i < calls.length; i++) {
      long c = calls[i].sum();
      if (c > 0 || attemptsPerRoute[i] > 0) {
        routeTotals.add(
            new UsageSnapshot.RouteTotals(
                routes.label(i), c, attemptsPerRoute[i], Math.max(0, attemptsPerRoute[i] - c)));
      }
    }
    return new UsageSnapshot(at, entries, routeTotals, keyTotals, alerts);
  }

  // ------------------------------------------------------------------ state

  private KeyStats key(KeyId id) {
    KeyStats[] ks = keys;
    for (KeyStats k : ks) {
      if (k.keyId.equals(id)) {
        return k;
      }
    }
    synchronized (this) {
      for (KeyStats k : keys) {
        if (k.keyId.equals(id)) {
          return k;
        }
      }
      KeyStats k = new KeyStats(id);
      KeyStats[] grown = Arrays.copyOf(keys, keys.length + 1);
      grown[grown.length - 1] = k;
      keys = grown;
      return k;
    }
  }

  /** "version 7 (fp:…)", or "version fp:…" where the version is the fingerprint (files, env). */
  private static String versionText(String version, String fingerprint) {
    return version.equals(fingerprint)
        ? "version " + version
        : "version " + version + " (" + fingerprint + ")";
  }

  private static String seconds(long nanos) {
    return human(Duration.ofNanos(nanos));
  }

  private static String human(Duration d) {
    if (d.toMillis() < 1000) {
      return d.toMillis() + " ms";
    }
    long s = d.toSeconds();
    if (s < 60 || (s < 120 && s % 60 != 0)) {
      return s + " s";
    }
    return s % 60 == 0 ? (s / 60) + " min" : String.format(Locale.ROOT, "%.1f min", s / 60.0);
  }

  private record Episode(
      long startNanos,
      Instant at,
      String version,
      String fingerprint,
      String route,
      String detail) {}

  private final class KeyStats {
    final KeyId keyId;
    final VersionHistory history;
    final @Nullable ManagedKey sink;
    volatile VersionStats[] versions = new VersionStats[0];
    final LongAdder attempts = new LongAdder();
    final long firstSeenNanos = time.nanoTime();
    final AtomicReferenceArray<Episode> episodes =
        new AtomicReferenceArray<>(UsageAnomaly.values().length);
    // budget
    final AtomicLong budgetUsed = new AtomicLong();
    final LongAdder refused = new LongAdder();
    // rejection burst
    final AtomicLong rejections = new AtomicLong();
    final AtomicLongArray rejectionRing = new AtomicLongArray(options.rejectionBurstCount());
    volatile long lastRejectionNanos;
    // retired versions
    volatile long lastRetiredUseNanos;
    // headroom
    final AtomicLongArray headroomLeft = new AtomicLongArray(headroom.length);
    final LongAdder[] readings = adders(headroom.length);
    final LongAdder[] malformed = adders(headroom.length);
    // tick state: written by the ticking thread only
    long tickBase;
    volatile double recentPerMinute;
    volatile double baselinePerMinute;
    boolean baselineReady;
    long spikeSinceNanos = NONE;
    long calmSinceNanos = NONE;

    KeyStats(KeyId keyId) {
      this.keyId = keyId;
      this.history = VersionHistory.of(time, keyId);
      this.sink = sinkFor(keyId);
    }

    VersionStats version(UsedCredential used) {
      VersionStats[] vs = versions;
      for (VersionStats v : vs) {
        if (v.version == used.version() || v.version.equals(used.version())) {
          return v;
        }
      }
      synchronized (this) {
        for (VersionStats v : versions) {
          if (v.version.equals(used.version())) {
            return v;
          }
        }
        if (versions.length >= MAX_VERSIONS) {
          return versions[versions.length - 1];
        }
        VersionStats v = new VersionStats(used, history.cell(used.version()));
        VersionStats[] grown = Arrays.copyOf(versions, versions.length + 1);
        grown[grown.length - 1] = v;
        versions = grown;
        return v;
      }
    }
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  private final class VersionStats {
    final String version;
    final String fingerprint;
    final AtomicLong accepted;
    final LongAdder retiredUses = new LongAdder();
    final AtomicReferenceArray<RouteStats> cells = new AtomicReferenceArray<>(routes.capacity());

    VersionStats(UsedCredential used, AtomicLong accepted) {
      this.version = used.version();
      this.fingerprint = used.fingerprint();
      this.accepted = accepted;
    }

    RouteStats cell(int route) {
      RouteStats c = cells.get(route);
      if (c == null) {
        RouteStats fresh = new RouteStats();
        c = cells.compareAndSet(route, null, fresh) ? fresh : cells.get(route);
      }
      return c;
    }
  }

  private static final class RouteStats {
    final LongAdder[] outcomes = adders(OUTCOMES.length);
    final LongAdder[] buckets = adders(BOUNDS_NANOS.length + 1);
    final LongAdder totalNanos = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    // tick state
    long tickBase;
    volatile double recentPerMinute;

    void record(long nanos) {
      int b = 0;
      while (b < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[b]) {
        b++;
      }
      buckets[b].increment();
      totalNanos.add(Math.max(0, nanos));
    }

    long attempts() {
      long n = 0;
      for (LongAdder o : outcomes) {
        n += o.sum();
      }
      return n;
    }

    UsageSnapshot.Entry toEntry(KeyId keyId, VersionStats v, String route) {
      Map<Outcome, Long> os = new EnumMap<>(Outcome.class);
      long attempts = 0;
      for (Outcome o : OUTCOMES) {
        long n = outcomes[o.ordinal()].sum();
        os.put(o, n);
        attempts += n;
      }
      List<Long> counts = new ArrayList<>(buckets.length);
      long timed = 0;
      for (LongAdder b : buckets) {
        long n = b.sum();
        counts.add(n);
        timed += n;
      }
      return new UsageSnapshot.Entry(
          keyId,
          v.version,
          v.fingerprint,
          route,
          attempts,
          os,
          new UsageSnapshot.Latency(timed, Duration.ofNanos(totalNanos.sum()), BOUNDS, counts),
          bytesSent.sum(),
          bytesReceived.sum(),
          recentPerMinute);
    }
  }
}
