package dev.keyguard;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link Redactor}: the grace period of retired secrets, how many retired secrets
 * are kept, whether the known-formats net is on, and the time source that times grace periods.
 * Immutable and thread-safe.
 *
 * <p>The process-wide redactor takes its options once, at start-up, through {@link
 * Redactor#configureGlobal(RedactorOptions)}; {@link Redactor#isolated(RedactorOptions)} makes an
 * instance of its own for tests.
 *
 * <pre>{@code
 * Redactor.configureGlobal(
 *     RedactorOptions.builder().gracePeriod(Duration.ofMinutes(10)).build());
 * }</pre>
 */
public final class RedactorOptions {

  /** How long a retired secret is still redacted by default: one hour. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(1);

  /** The maximum number of retired secrets kept at once by default: 1024. */
  public static final int DEFAULT_MAX_RETIRED = 1024;

  private static final RedactorOptions DEFAULTS = builder().build();

  private final Duration gracePeriod;
  private final int maxRetired;
  private final boolean knownFormats;
  private final TimeSource timeSource;

  private RedactorOptions(Builder b) {
    this.gracePeriod = b.gracePeriod;
    this.maxRetired = b.maxRetired;
    this.knownFormats = b.knownFormats;
    this.timeSource = b.timeSource;
  }

  /**
   * The defaults: a grace period of {@link #DEFAULT_GRACE_PERIOD}, at most {@link
   * #DEFAULT_MAX_RETIRED} retired secrets, the known-formats net on, the system time source.
   *
   * @return the default options
   */
  public static RedactorOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Starts options from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding these options, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.gracePeriod = gracePeriod;
    b.maxRetired = maxRetired;
    b.knownFormats = knownFormats;
    b.timeSource = timeSource;
    return b;
  }

  /**
   * How long a retired secret is still redacted.
   *
   * @return the grace period
   */
  public Duration gracePeriod() {
    return gracePeriod;
  }

  /**
   * The maximum number of retired secrets kept; beyond it the oldest are forgotten early.
   *
   * @return the maximum
   */
  public int maxRetired() {
    return maxRetired;
  }

  /**
   * Whether well-known credential formats (the second net) are redacted.
   *
   * @return true if they are
   */
  public boolean knownFormats() {
    return knownFormats;
  }

  /**
   * The time source that times grace periods.
   *
   * @return the time source
   */
  public TimeSource timeSource() {
    return timeSource;
  }

  @Override
  public String toString() {
    return "RedactorOptions[gracePeriod="
        + gracePeriod
        + ", maxRetired="
        + maxRetired
        + ", knownFormats="
        + knownFormats
        + "]";
  }

  /**
   * Builds {@link RedactorOptions}. Each value is checked when it is set; when a setting is called
   * more than once, the last call wins. Not thread-safe.
   */
  public static final class Builder {
    private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
    private int maxRetired = DEFAULT_MAX_RETIRED;
    private boolean knownFormats = true;
    private TimeSource timeSource = TimeSource.system();

    private Builder() {}

    /**
     * How long a retired secret is still redacted. Default {@link #DEFAULT_GRACE_PERIOD}. A huge
     * period (such as {@code Duration.ofSeconds(Long.MAX_VALUE)}) means "forever".
     *
     * @param gracePeriod zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder gracePeriod(Duration gracePeriod) {
      Objects.requireNonNull(gracePeriod, "gracePeriod");
      if (gracePeriod.isNegative()) {
        throw new IllegalArgumentException("gracePeriod must not be negative: " + gracePeriod);
      }
      this.gracePeriod = gracePeriod;
      return this;
    }

    /**
     * The maximum number of retired secrets kept; beyond it the oldest are forgotten early. Default
     * {@link #DEFAULT_MAX_RETIRED}.
     *
     * @param maxRetired zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxRetired(int maxRetired) {
      if (maxRetired < 0) {
        throw new IllegalArgumentException("maxRetired must not be negative: " + maxRetired);
      }
      this.maxRetired = maxRetired;
      return this;
    }

    /**
     * Whether well-known credential formats (the second net) are redacted. Default true.
     *
     * @param enabled true to redact them
     * @return this builder
     */
    public Builder knownFormats(boolean enabled) {
      this.knownFormats = enabled;
      return this;
    }

    /**
     * The time source that times grace periods. Default {@link TimeSource#system()}.
     *
     * @param timeSource the time source
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Creates the options.
     *
     * @return the options
     */
    public RedactorOptions build() {
      return new RedactorOptions(this);
    }
  }
}
