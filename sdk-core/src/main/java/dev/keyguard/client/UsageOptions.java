package dev.keyguard.client;

import dev.keyguard.key.KeyEvent.UsageAnomaly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a client's usage monitor counts and when its detectors raise an alert. The monitor is on by
 * default ({@link #defaults()}); {@link KeyGuardClient.Builder#usageOptions(UsageOptions)} replaces
 * the options, {@link #disabled()} turns it off.
 *
 * <p>The monitor counts, per key id, version (fingerprint) and route template ({@link Route}):
 * attempts, outcomes by class, latency (a fixed-bucket histogram), bytes declared by {@code
 * Content-Length}, and the provider's rate-limit headroom where a {@link RateLimitHeadroom} names
 * the header. Its detectors, each with its default:
 *
 * <table>
 *   <caption>Detectors</caption>
 *   <tr><th>anomaly</th><th>fires when</th><th>default</th><th>recovers when</th></tr>
 *   <tr><td>{@code RATE_SPIKE}</td><td>the key's request rate is at least {@code spikeFactor} times
 *       its learned baseline (an exponentially weighted moving average, half-life {@code
 *       baselineHalfLife}, never below {@code spikeMinimumPerMinute}) for {@code spikeDuration},
 *       after a warm-up of {@code spikeWarmUp}</td>
 *       <td>5×, 1 min, half-life 15 min, floor 60/min, warm-up 10 min</td>
 *       <td>the rate stays below the threshold for {@code spikeDuration}</td></tr>
 *   <tr><td>{@code REJECTION_BURST}</td><td>{@code rejectionBurstCount} responses 401/403 within
 *       {@code rejectionBurstWindow}</td><td>5 within 1 min</td>
 *       <td>none for a whole window</td></tr>
 *   <tr><td>{@code RETIRED_VERSION_IN_USE}</td><td>a version is used more than {@code
 *       retiredVersionGrace} after a newer version of the same key id was first accepted, by any
 *       client of this process</td><td>5 min</td><td>no such use for the grace window (at least
 *       a minute)</td></tr>
 *   <tr><td>{@code LOW_RATE_LIMIT_HEADROOM}</td><td>a headroom header says less than {@code
 *       headroomThreshold} of the budget is left</td><td>10 %</td>
 *       <td>twice the threshold is left again</td></tr>
 *   <tr><td>{@code DAILY_BUDGET_WARNING}, {@code DAILY_BUDGET_EXHAUSTED}</td><td>the key's
 *       requests (or credits, with {@code routeCost}) since midnight UTC reach {@code
 *       budgetWarningFraction} / all of {@code dailyBudget}; with {@code refuseOverBudget} a
 *       request past the budget fails with {@link UsageBudgetExceededException} without being
 *       sent</td><td>no budget; 80 %; refusal off</td><td>the next day</td></tr>
 * </table>
 *
 * <p>Detectors are evaluated on the request path (the spike detector every 10 s, on the first
 * request or {@link KeyGuardClient#usage()} call after that) without a thread of their own.
 *
 * <p>Immutable and thread-safe.
 */
public final class UsageOptions {

  private static final UsageOptions DEFAULTS = new Builder().build();
  private static final UsageOptions DISABLED = new Builder().disabledAll().build();

  private final boolean enabled;
  private final List<Route> routes;
  private final int maxLearnedRoutes;
  private final double spikeFactor;
  private final Duration spikeDuration;
  private final Duration baselineHalfLife;
  private final Duration spikeWarmUp;
  private final double spikeMinimumPerMinute;
  private final int rejectionBurstCount;
  private final Duration rejectionBurstWindow;
  private final Duration retiredVersionGrace;
  private final double headroomThreshold;
  private final List<RateLimitHeadroom> headroom;
  private final long dailyBudget;
  private final double budgetWarningFraction;
  private final boolean refuseOverBudget;
  private final Map<Route, Long> routeCosts;
  private final Set<UsageAnomaly> disabledDetectors;

  private UsageOptions(Builder b) {
    this.enabled = b.enabled;
    this.routes = List.copyOf(b.routes);
    this.maxLearnedRoutes = b.maxLearnedRoutes;
    this.spikeFactor = b.spikeFactor;
    this.spikeDuration = b.spikeDuration;
    this.baselineHalfLife = b.baselineHalfLife;
    this.spikeWarmUp = b.spikeWarmUp;
    this.spikeMinimumPerMinute = b.spikeMinimumPerMinute;
    this.rejectionBurstCount = b.rejectionBurstCount;
    this.rejectionBurstWindow = b.rejectionBurstWindow;
    this.retiredVersionGrace = b.retiredVersionGrace;
    this.headroomThreshold = b.headroomThreshold;
    this.headroom = List.copyOf(b.headroom);
    this.dailyBudget = b.dailyBudget;
    this.budgetWarningFraction = b.budgetWarningFraction;
    this.refuseOverBudget = b.refuseOverBudget;
    this.routeCosts = Collections.unmodifiableMap(new LinkedHashMap<>(b.routeCosts));
    this.disabledDetectors =
        b.disabledDetectors.isEmpty()
            ? Set.of()
            : Collections.unmodifiableSet(EnumSet.copyOf(b.disabledDetectors));
  }

  /**
   * The defaults: monitoring on, every detector on with the defaults in the class description, no
   * daily budget.
   *
   * @return the default options
   */
  public static UsageOptions defaults() {
    return DEFAULTS;
  }

  /**
   * No monitoring: the client counts nothing, {@link KeyGuardClient#usage()} is empty, and no usage
   * event fires.
   *
   * @return options that turn the monitor off
   */
  public static UsageOptions disabled() {
    return DISABLED;
  }

  /**
   * Starts options from the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding these options, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.enabled = enabled;
    b.routes.addAll(routes);
    b.maxLearnedRoutes = maxLearnedRoutes;
    b.spikeFactor = spikeFactor;
    b.spikeDuration = spikeDuration;
    b.baselineHalfLife = baselineHalfLife;
    b.spikeWarmUp = spikeWarmUp;
    b.spikeMinimumPerMinute = spikeMinimumPerMinute;
    b.rejectionBurstCount = rejectionBurstCount;
    b.rejectionBurstWindow = rejectionBurstWindow;
    b.retiredVersionGrace = retiredVersionGrace;
    b.headroomThreshold = headroomThreshold;
    b.headroom.addAll(headroom);
    b.dailyBudget = dailyBudget;
    b.budgetWarningFraction = budgetWarningFraction;
    b.refuseOverBudget = refuseOverBudget;
    b.routeCosts.putAll(routeCosts);
    b.disabledDetectors.addAll(disabledDetectors);
    return b;
  }

  /**
   * Whether the monitor runs.
   *
   * @return false for {@link #disabled()}
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The route templates declared for the monitor, such as {@code GET /coins/{id}}, besides the
   * client's own route table (its preset's routes).
   *
   * @return an unmodifiable list
   */
  public List<Route> routes() {
    return routes;
  }

  /**
   * How many templates the monitor derives from undeclared paths before it counts the rest in one
   * {@code (other)} route per method.
   *
   * @return the bound
   */
  public int maxLearnedRoutes() {
    return maxLearnedRoutes;
  }

  /**
   * The multiple of the baseline rate that counts as a spike.
   *
   * @return the factor
   */
  public double spikeFactor() {
    return spikeFactor;
  }

  /**
   * How long the rate must stay at or above the spike threshold before the alert.
   *
   * @return the duration
   */
  public Duration spikeDuration() {
    return spikeDuration;
  }

  /**
   * The half-life of the baseline's moving average.
   *
   * @return the half-life
   */
  public Duration baselineHalfLife() {
    return baselineHalfLife;
  }

  /**
   * How long after the key's first request the baseline is only learned, not used.
   *
   * @return the warm-up
   */
  public Duration spikeWarmUp() {
    return spikeWarmUp;
  }

  /**
   * The least baseline the spike threshold is computed from, in requests per minute.
   *
   * @return the floor
   */
  public double spikeMinimumPerMinute() {
    return spikeMinimumPerMinute;
  }

  /**
   * How many 401/403 responses within the window make a burst.
   *
   * @return the count
   */
  public int rejectionBurstCount() {
    return rejectionBurstCount;
  }

  /**
   * The window of the rejection burst.
   *
   * @return the window
   */
  public Duration rejectionBurstWindow() {
    return rejectionBurstWindow;
  }

  /**
   * How long an older version may still be used after a newer one was first accepted.
   *
   * @return the grace window
   */
  public Duration retiredVersionGrace() {
    return retiredVersionGrace;
  }

  /**
   * The fraction of the provider's rate limit below which the headroom alert fires.
   *
   * @return the threshold, between 0 and 1
   */
  public double headroomThreshold() {
    return headroomThreshold;
  }

  /**
   * The headroom headers read, in addition to those of the client's preset.
   *
   * @return an unmodifiable list
   */
  public List<RateLimitHeadroom> headroom() {
    return headroom;
  }

  /**
   * The daily budget per key, in requests or credits; 0 for none.
   *
   * @return the budget
   */
  public long dailyBudget() {
    return dailyBudget;
  }

  /**
   * The fraction of the daily budget at which the warning fires.
   *
   * @return the fraction
   */
  public double budgetWarningFraction() {
    return budgetWarningFraction;
  }

  /**
   * Whether a request past the daily budget is refused.
   *
   * @return true to refuse
   */
  public boolean refuseOverBudget() {
    return refuseOverBudget;
  }

  /**
   * What a request to a route template costs against the daily budget, where not 1.
   *
   * @return an unmodifiable map from route template to cost
   */
  public Map<Route, Long> routeCosts() {
    return routeCosts;
  }

  /**
   * Whether a detector is on.
   *
   * @param anomaly the detector
   * @return false if it was disabled (the budget detectors need a budget too)
   */
  public boolean detects(UsageAnomaly anomaly) {
    return enabled && !disabledDetectors.contains(anomaly);
  }

  @Override
  public String toString() {
    if (!enabled) {
      return "UsageOptions{disabled}";
    }
    return "UsageOptions{spike="
        + spikeFactor
        + "x for "
        + spikeDuration
        + ", rejectionBurst="
        + rejectionBurstCount
        + " in "
        + rejectionBurstWindow
        + ", retiredVersionGrace="
        + retiredVersionGrace
        + ", headroomThreshold="
        + headroomThreshold
        + ", dailyBudget="
        + (dailyBudget == 0 ? "none" : dailyBudget + (refuseOverBudget ? " (refused past)" : ""))
        + (disabledDetectors.isEmpty() ? "" : ", disabled=" + disabledDetectors)
        + "}";
  }

  /**
   * Builds {@link UsageOptions}. Setters replace what an earlier call set (the last call wins),
   * except {@link #headroom(RateLimitHeadroom...)}, {@link #routeCost(String, long)} and {@link
   * #disable(UsageAnomaly...)}, which add. Nulls fail at once; thresholds are checked together at
   * {@link #build()}, whose message names the setting.
   */
  public static final class Builder {
    boolean enabled = true;
    final List<Route> routes = new ArrayList<>();
    int maxLearnedRoutes = 32;
    double spikeFactor = 5.0;
    Duration spikeDuration = Duration.ofMinutes(1);
    Duration baselineHalfLife = Duration.ofMinutes(15);
    Duration spikeWarmUp = Duration.ofMinutes(10);
    double spikeMinimumPerMinute = 60;
    int rejectionBurstCount = 5;
    Duration rejectionBurstWindow = Duration.ofMinutes(1);
    Duration retiredVersionGrace = Duration.ofMinutes(5);
    double headroomThreshold = 0.10;
    final List<RateLimitHeadroom> headroom = new ArrayList<>();
    long dailyBudget;
    double budgetWarningFraction = 0.8;
    boolean refuseOverBudget;
    final Map<Route, Long> routeCosts = new LinkedHashMap<>();
    final Set<UsageAnomaly> disabledDetectors = EnumSet.noneOf(UsageAnomaly.class);

    private Builder() {}

    private Builder disabledAll() {
      enabled = false;
      return this;
    }

    /**
     * Declares route templates ({@link Route#parse(String)}), so that ids in paths do not make a
     * route each: {@code GET /coins/{id}} counts {@code /coins/bitcoin} and {@code /coins/ethereum}
     * together. The routes of the client's route table (its preset's, and those given to {@link
     * KeyGuardClient.Builder#route(String, String)}) are declared already. Paths no route matches
     * get a template derived from the path (segments that look like ids, numbers or long tokens
     * become {@code {id}}), up to {@link #maxLearnedRoutes(int)}.
     *
     * @param templates such as {@code "GET /coins/{id}"}: a method, a space and a path relative to
     *     the base URL's path
     * @return this builder
     * @throws IllegalArgumentException if a template is not a valid route
     */
    public Builder routes(String... templates) {
      Objects.requireNonNull(templates, "templates");
      List<Route> parsed = new ArrayList<>();
      for (String t : templates) {
        parsed.add(Route.parse(t));
      }
      routes.clear();
      routes.addAll(parsed);
      return this;
    }

    /**
     * Sets how many templates derived from undeclared paths are kept (default 32, from 0 to 1,000);
     * requests beyond count in one {@code (other)} route per method.
     *
     * @param max the bound
     * @return this builder
     */
    public Builder maxLearnedRoutes(int max) {
      this.maxLearnedRoutes = max;
      return this;
    }

    /**
     * Sets the multiple of the baseline that counts as a spike (default 5, more than 1 and at most
     * 1,000).
     *
     * @param factor the factor
     * @return this builder
     */
    public Builder spikeFactor(double factor) {
      this.spikeFactor = factor;
      return this;
    }

    /**
     * Sets how long a spike must last before the alert, and how long the rate must stay below the
     * threshold for the recovery (default 1 minute, from 10 seconds to 1 day).
     *
     * @param duration the duration
     * @return this builder
     */
    public Builder spikeDuration(Duration duration) {
      this.spikeDuration = Objects.requireNonNull(duration, "spikeDuration");
      return this;
    }

    /**
     * Sets the half-life of the baseline's moving average (default 15 minutes, from 10 seconds to
     * 30 days).
     *
     * @param halfLife the half-life
     * @return this builder
     */
    public Builder baselineHalfLife(Duration halfLife) {
      this.baselineHalfLife = Objects.requireNonNull(halfLife, "baselineHalfLife");
      return this;
    }

    /**
     * Sets how long the baseline is learned before spikes are reported (default 10 minutes, from
     * zero to 30 days).
     *
     * @param warmUp the warm-up
     * @return this builder
     */
    public Builder spikeWarmUp(Duration warmUp) {
      this.spikeWarmUp = Objects.requireNonNull(warmUp, "spikeWarmUp");
      return this;
    }

    /**
     * Sets the least baseline, in requests per minute, the spike threshold is computed from
     * (default 60, zero or more), so that a quiet key is not alerted on for a handful of calls.
     *
     * @param perMinute the floor
     * @return this builder
     */
    public Builder spikeMinimumPerMinute(double perMinute) {
      this.spikeMinimumPerMinute = perMinute;
      return this;
    }

    /**
     * Sets what makes a burst of rejections (default 5 responses 401/403 within 1 minute; count
     * from 2 to 100,000, window from 1 second to 1 day).
     *
     * @param count the number of rejections
     * @param window the window they fall in
     * @return this builder
     */
    public Builder rejectionBurst(int count, Duration window) {
      this.rejectionBurstCount = count;
      this.rejectionBurstWindow = Objects.requireNonNull(window, "rejectionBurstWindow");
      return this;
    }

    /**
     * Sets how long a version may still be used after a newer version was first accepted (default 5
     * minutes, from zero to 30 days).
     *
     * @param grace the grace window
     * @return this builder
     */
    public Builder retiredVersionGrace(Duration grace) {
      this.retiredVersionGrace = Objects.requireNonNull(grace, "retiredVersionGrace");
      return this;
    }

    /**
     * Sets the fraction of the provider's rate limit below which the headroom alert fires (default
     * 0.10, more than 0 and less than 1).
     *
     * @param fraction the threshold
     * @return this builder
     */
    public Builder headroomThreshold(double fraction) {
      this.headroomThreshold = fraction;
      return this;
    }

    /**
     * Adds headroom headers to read, besides those of the client's preset.
     *
     * @param sources the headers
     * @return this builder
     */
    public Builder headroom(RateLimitHeadroom... sources) {
      for (RateLimitHeadroom h : Objects.requireNonNull(sources, "headroom")) {
        headroom.add(Objects.requireNonNull(h, "headroom"));
      }
      return this;
    }

    /**
     * Sets a daily budget per key, in requests (or credits, see {@link #routeCost(String, long)}),
     * counted from midnight UTC by the client's time source; 0 (the default) for none.
     *
     * @param budget the budget, zero or more
     * @return this builder
     */
    public Builder dailyBudget(long budget) {
      this.dailyBudget = budget;
      return this;
    }

    /**
     * Sets the fraction of the daily budget at which the warning fires (default 0.8, more than 0
     * and less than 1).
     *
     * @param fraction the fraction
     * @return this builder
     */
    public Builder budgetWarningFraction(double fraction) {
      this.budgetWarningFraction = fraction;
      return this;
    }

    /**
     * Refuses requests past the daily budget with {@link UsageBudgetExceededException}, without
     * sending them (default off: only the alert fires). A runaway loop then cannot drain a paid
     * plan.
     *
     * @param refuse true to refuse
     * @return this builder
     */
    public Builder refuseOverBudget(boolean refuse) {
      this.refuseOverBudget = refuse;
      return this;
    }

    /**
     * Sets what a request to one declared route template costs against the daily budget (the
     * provider's credits or weight for that endpoint); other routes cost 1.
     *
     * @param template a route given to {@link #routes(String...)} or in the client's route table
     *     (checked when the client is built)
     * @param cost the cost, 1 or more
     * @return this builder
     * @throws IllegalArgumentException if the template is not a valid route
     */
    public Builder routeCost(String template, long cost) {
      routeCosts.put(Route.parse(template), cost);
      return this;
    }

    /**
     * Turns detectors off; the counters and the snapshot stay.
     *
     * @param anomalies the detectors to turn off
     * @return this builder
     */
    public Builder disable(UsageAnomaly... anomalies) {
      for (UsageAnomaly a : Objects.requireNonNull(anomalies, "anomalies")) {
        disabledDetectors.add(Objects.requireNonNull(a, "anomaly"));
      }
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalStateException if a setting is out of its range (the message names it and the
     *     range)
     */
    public UsageOptions build() {
      require(maxLearnedRoutes >= 0 && maxLearnedRoutes <= 1000, "maxLearnedRoutes", "0..1000");
      require(
          spikeFactor > 1 && spikeFactor <= 1000 && !Double.isNaN(spikeFactor),
          "spikeFactor",
          "more than 1 and at most 1000, was " + spikeFactor);
      requireBetween(spikeDuration, Duration.ofSeconds(10), Duration.ofDays(1), "spikeDuration");
      requireBetween(
          baselineHalfLife, Duration.ofSeconds(10), Duration.ofDays(30), "baselineHalfLife");
      requireBetween(spikeWarmUp, Duration.ZERO, Duration.ofDays(30), "spikeWarmUp");
      require(
          spikeMinimumPerMinute >= 0 && Double.isFinite(spikeMinimumPerMinute),
          "spikeMinimumPerMinute",
          "zero or more, was " + spikeMinimumPerMinute);
      require(
          rejectionBurstCount >= 2 && rejectionBurstCount <= 100_000,
          "rejectionBurst count",
          "2..100000, was " + rejectionBurstCount);
      requireBetween(
          rejectionBurstWindow, Duration.ofSeconds(1), Duration.ofDays(1), "rejectionBurst window");
      requireBetween(
          retiredVersionGrace, Duration.ZERO, Duration.ofDays(30), "retiredVersionGrace");
      require(
          headroomThreshold > 0 && headroomThreshold < 1,
          "headroomThreshold",
          "more than 0 and less than 1, was " + headroomThreshold);
      require(dailyBudget >= 0, "dailyBudget", "zero (none) or more, was " + dailyBudget);
      require(
          budgetWarningFraction > 0 && budgetWarningFraction < 1,
          "budgetWarningFraction",
          "more than 0 and less than 1, was " + budgetWarningFraction);
      require(
          !refuseOverBudget || dailyBudget > 0,
          "refuseOverBudget",
          "only with a dailyBudget; set dailyBudget(n) too");
      for (Map.Entry<Route, Long> cost : routeCosts.entrySet()) {
        require(cost.getValue() >= 1, "routeCost", "1 or more, was " + cost.getValue());
      }
      return new UsageOptions(this);
    }

    private static void require(boolean ok, String setting, String range) {
      if (!ok) {
        throw new IllegalStateException("UsageOptions." + setting + " must be " + range);
      }
    }

    private static void requireBetween(Duration d, Duration min, Duration max, String setting) {
      require(
          d.compareTo(min) >= 0 && d.compareTo(max) <= 0,
          setting,
          "between " + min + " and " + max + ", was " + d);
    }
  }
}
