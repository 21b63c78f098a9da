package dev.keyguard.micrometer;

import dev.keyguard.KeyId;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.client.UsageSnapshot;
import dev.keyguard.client.UsageSnapshot.Outcome;
import dev.keyguard.key.KeyEvent.UsageAnomaly;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Exposes what KeyGuard counts as Micrometer meters: the usage monitor of one or more {@link
 * KeyGuardClient}s ({@link KeyGuardClient#usage()}) and the keys of {@link KeyManager}s ({@link
 * KeyManager#status()}), so that a fleet's key usage and vault call rate show in Prometheus or
 * Grafana without code.
 *
 * <pre>{@code
 * new KeyGuardMetrics(List.of(client), List.of(keyManager)).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code keyguard.requests}</td><td>function counter: attempts by outcome</td>
 *       <td>key, version, route, outcome</td></tr>
 *   <tr><td>{@code keyguard.request.latency}</td><td>function timer: count and total time to the
 *       response headers</td><td>key, version, route</td></tr>
 *   <tr><td>{@code keyguard.request.bytes.sent}, {@code .received}</td><td>function counters
 *       (bytes, as declared by the bodies' lengths)</td><td>key, version, route</td></tr>
 *   <tr><td>{@code keyguard.calls}, {@code keyguard.retries}</td><td>function counters</td>
 *       <td>route</td></tr>
 *   <tr><td>{@code keyguard.key.rate}, {@code keyguard.key.rate.baseline}</td><td>gauges,
 *       requests per minute</td><td>key</td></tr>
 *   <tr><td>{@code keyguard.key.budget.used}, {@code keyguard.key.budget.limit}</td><td>gauges
 *       (today, UTC)</td><td>key</td></tr>
 *   <tr><td>{@code keyguard.key.headroom}</td><td>gauge, fraction of the provider's rate limit
 *       left</td><td>key, header</td></tr>
 *   <tr><td>{@code keyguard.usage.alerts}</td><td>gauge, 1 while the anomaly is in progress</td>
 *       <td>key, anomaly</td></tr>
 *   <tr><td>{@code keyguard.key.version.age}, {@code keyguard.key.refresh.in}, {@code
 *       keyguard.key.staleness}</td><td>time gauges</td><td>key</td></tr>
 *   <tr><td>{@code keyguard.key.failures}</td><td>gauge: failed fetches in a row</td>
 *       <td>key</td></tr>
 *   <tr><td>{@code keyguard.key.fetches}, {@code keyguard.key.fetch.failures}</td><td>function
 *       counters: backend (vault) calls</td><td>key</td></tr>
 * </table>
 *
 * <p><b>Cardinality</b> is bounded by the monitor: per key at most 16 versions, and per client the
 * declared route templates plus {@code maxLearnedRoutes} (default 32) plus one {@code (other)}
 * route per method, times 10 outcomes. The {@code version} tag is the version id (stable across the
 * fleet), not the fingerprint, which differs in every process. No tag or name ever holds a secret:
 * route templates derived from paths are redacted and their ids replaced.
 *
 * <p>Meters for a key, version or route that appears after {@link #bindTo(MeterRegistry)} are
 * registered on the next read of the {@code keyguard.usage.series} gauge (every scrape) or {@link
 * #refresh()}. Several clients with the same key, version and route add up in one series. Each read
 * takes a usage snapshot: a scrape costs time proportional to the number of series squared, a few
 * milliseconds for hundreds of series. The registry holds this binder (and through it the clients
 * and key managers) strongly. Thread-safe.
 */
public final class KeyGuardMetrics implements MeterBinder {

  private final List<KeyGuardClient> clients;
  private final List<KeyManager> keyManagers;
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final Set<String> registered = ConcurrentHashMap.newKeySet();

  /**
   * Creates a binder for clients and key managers.
   *
   * @param clients the clients whose usage to expose; may be empty
   * @param keyManagers the key managers whose keys to expose; may be empty
   */
  public KeyGuardMetrics(List<KeyGuardClient> clients, List<KeyManager> keyManagers) {
    this.clients = List.copyOf(Objects.requireNonNull(clients, "clients"));
    this.keyManagers = List.copyOf(Objects.requireNonNull(keyManagers, "keyManagers"));
  }

  /**
   * Registers the meters of every series seen so far, and a {@code keyguard.usage.series} gauge
   * whose reading registers the series that appear later.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    registries.add(registry);
    Gauge.builder("keyguard.usage.series", this, KeyGuardMetrics::refreshAndCount)
        .description("series KeyGuard exposes (reading it registers new ones)")
        .strongReference(true)
        .register(registry);
    refresh();
  }

  /**
   * Registers the meters of series that appeared since the last call (a new key version or route);
   * idempotent.
   */
  public void refresh() {
    for (MeterRegistry registry : registries) {
      refresh(registry);
    }
  }

  private double refreshAndCount() {
    refresh();
    return registered.size();
  }

  private void refresh(MeterRegistry registry) {
    for (KeyGuardClient client : clients) {
      UsageSnapshot s = client.usage();
      for (UsageSnapshot.Entry e : s.entries()) {
        bindEntry(registry, e.keyId(), e.version(), e.route());
      }
      for (UsageSnapshot.RouteTotals r : s.routes()) {
        bindRoute(registry, r.route());
      }
      for (UsageSnapshot.KeyTotals k : s.keys()) {
        bindKey(registry, k);
      }
    }
    for (KeyManager manager : keyManagers) {
      for (KeyStatus st : manager.status()) {
        bindKeyStatus(registry, st.keyId());
      }
    }
  }

  private boolean first(MeterRegistry registry, String id) {
    return registered.add(System.identityHashCode(registry) + "|" + id);
  }

  private void bindEntry(MeterRegistry registry, KeyId key, String version, String route) {
    if (!first(registry, "entry|" + key.value() + "|" + version + "|" + route)) {
      return;
    }
    Tags tags = Tags.of("key", key.value(), "version", version, "route", route);
    for (Outcome o : Outcome.values()) {
      FunctionCounter.builder(
              "keyguard.requests", this, m -> m.sumEntries(key, version, route, e -> e.count(o)))
          .tags(tags.and("outcome", o.tag()))
          .description("attempts sent with a key version on a route, by outcome")
          .register(registry);
    }
    FunctionTimer.builder(
            "keyguard.request.latency",
            this,
            m -> (long) m.sumEntries(key, version, route, e -> e.latency().count()),
            m -> m.sumEntries(key, version, route, e -> e.latency().total().toNanos()),
            TimeUnit.NANOSECONDS)
        .tags(tags)
        .description("time to the response headers of each attempt")
        .register(registry);
    FunctionCounter.builder(
            "keyguard.request.bytes.sent",
            this,
            m -> m.sumEntries(key, version, route, UsageSnapshot.Entry::bytesSent))
        .tags(tags)
        .baseUnit("bytes")
        .register(registry);
    FunctionCounter.builder(
            "keyguard.request.bytes.received",
            this,
            m -> m.sumEntries(key, version, route, UsageSnapshot.Entry::bytesReceived))
        .tags(tags)
        .baseUnit("bytes")
        .register(registry);
  }

  private void bindRoute(MeterRegistry registry, String route) {
    if (!first(registry, "route|" + route)) {
      return;
    }
    FunctionCounter.builder(
            "keyguard.calls", this, m -> m.sumRoutes(route, UsageSnapshot.RouteTotals::calls))
        .tag("route", route)
        .description("calls the application made on a route")
        .register(registry);
    FunctionCounter.builder(
            "keyguard.retries", this, m -> m.sumRoutes(route, UsageSnapshot.RouteTotals::retries))
        .tag("route", route)
        .description("attempts beyond the first of each call")
        .register(registry);
  }

  private void bindKey(MeterRegistry registry, UsageSnapshot.KeyTotals k) {
    KeyId key = k.keyId();
    if (first(registry, "key|" + key.value())) {
      keyGauge(registry, "keyguard.key.rate", key, UsageSnapshot.KeyTotals::recentPerMinute);
      keyGauge(
          registry, "keyguard.key.rate.baseline", key, UsageSnapshot.KeyTotals::baselinePerMinute);
      keyGauge(registry, "keyguard.key.budget.used", key, t -> t.budgetUsed());
      keyGauge(registry, "keyguard.key.budget.limit", key, t -> t.dailyBudget());
      for (UsageAnomaly a : UsageAnomaly.values()) {
        Gauge.builder("keyguard.usage.alerts", this, m -> m.alertActive(key, a))
            .tags("key", key.value(), "anomaly", a.name())
            .description("1 while the usage anomaly is in progress")
            .register(registry);
      }
    }
    for (UsageSnapshot.Headroom h : k.headroom()) {
      String header = h.header();
      if (first(registry, "headroom|" + key.value() + "|" + header)) {
        Gauge.builder("keyguard.key.headroom", this, m -> m.headroom(key, header))
            .tags("key", key.value(), "header", header)
            .description("fraction of the provider's rate limit left, by its own header")
            .register(registry);
      }
    }
  }

  private void keyGauge(
      MeterRegistry registry, String name, KeyId key, ToDoubleFunction<UsageSnapshot.KeyTotals> f) {
    Gauge.builder(name, this, m -> m.sumKeys(key, f)).tag("key", key.value()).register(registry);
  }

  private void bindKeyStatus(MeterRegistry registry, KeyId key) {
    if (!first(registry, "status|" + key.value())) {
      return;
    }
    TimeGauge.builder(
            "keyguard.key.version.age",
            this,
            TimeUnit.SECONDS,
            m -> m.status(key, st -> seconds(st.versionAge())))
        .tag("key", key.value())
        .description("age of the served version (since created, else since fetched)")
        .register(registry);
    TimeGauge.builder(
            "keyguard.key.refresh.in",
            this,
            TimeUnit.SECONDS,
            m -> m.status(key, st -> seconds(st.untilNextRefresh())))
        .tag("key", key.value())
        .description("time until the next scheduled refresh or retry")
        .register(registry);
    TimeGauge.builder(
            "keyguard.key.staleness",
            this,
            TimeUnit.SECONDS,
            m -> m.status(key, st -> seconds(st.staleFor())))
        .tag("key", key.value())
        .description("time since the last successful fetch while fetches fail")
        .register(registry);
    Gauge.builder("keyguard.key.failures", this, m -> m.status(key, KeyStatus::consecutiveFailures))
        .tag("key", key.value())
        .description("failed fetches in a row")
        .register(registry);
    FunctionCounter.builder("keyguard.key.fetches", this, m -> m.status(key, KeyStatus::fetches))
        .tag("key", key.value())
        .description("backend calls to fetch the key")
        .register(registry);
    FunctionCounter.builder(
            "keyguard.key.fetch.failures", this, m -> m.status(key, KeyStatus::fetchFailures))
        .tag("key", key.value())
        .description("backend calls to fetch the key that failed")
        .register(registry);
  }

  // ------------------------------------------------------------------ readings

  private double sumEntries(
      KeyId key, String version, String route, ToDoubleFunction<UsageSnapshot.Entry> f) {
    double sum = 0;
    for (KeyGuardClient c : clients) {
      for (UsageSnapshot.Entry e : c.usage().entries()) {
        if (e.keyId().equals(key) && e.version().equals(version) && e.route().equals(route)) {
          sum += f.applyAsDouble(e);
        }
      }
    }
    return sum;
  }

  private double sumRoutes(String route, ToDoubleFunction<UsageSnapshot.RouteTotals> f) {
    double sum = 0;
    for (KeyGuardClient c : clients) {
      for (UsageSnapshot.RouteTotals r : c.usage().routes()) {
        if (r.route().equals(route)) {
          sum += f.applyAsDouble(r);
        }
      }
    }
    return sum;
  }

  private double sumKeys(KeyId key, ToDoubleFunction<UsageSnapshot.KeyTotals> f) {
    double sum = 0;
    for (KeyGuardClient c : clients) {
      for (UsageSnapshot.KeyTotals k : c.usage().keys()) {
        if (k.keyId().equals(key)) {
          sum += f.applyAsDouble(k);
        }
      }
    }
    return sum;
  }

  private double headroom(KeyId key, String header) {
    double least = Double.NaN;
    for (KeyGuardClient c : clients) {
      for (UsageSnapshot.KeyTotals k : c.usage().keys()) {
        if (!k.keyId().equals(key)) {
          continue;
        }
        for (UsageSnapshot.Headroom h : k.headroom()) {
          if (h.header().equals(header) && h.fractionLeft() >= 0) {
            least = Double.isNaN(least) ? h.fractionLeft() : Math.min(least, h.fractionLeft());
          }
        }
      }
    }
    return least;
  }

  private double alertActive(KeyId key, UsageAnomaly anomaly) {
    for (KeyGuardClient c : clients) {
      for (UsageSnapshot.ActiveAlert a : c.usage().alerts()) {
        if (a.keyId().equals(key) && a.anomaly() == anomaly) {
          return 1;
        }
      }
    }
    return 0;
  }

  private double status(KeyId key, ToDoubleFunction<KeyStatus> f) {
    for (KeyManager manager : keyManagers) {
      if (manager.isClosed()) {
        continue;
      }
      for (KeyStatus st : manager.status()) {
        if (st.keyId().equals(key)) {
          return f.applyAsDouble(st);
        }
      }
    }
    return Double.NaN;
  }

  private static double seconds(@Nullable Duration d) {
    return d == null ? Double.NaN : d.toNanos() / 1e9;
  }

  /** Names the clients and key managers; never a secret. */
  @Override
  public String toString() {
    List<String> keys = new ArrayList<>();
    clients.forEach(c -> keys.add(c.keyId().value()));
    return "KeyGuardMetrics[clients=" + keys + ", keyManagers=" + keyManagers.size() + "]";
  }
}
