package dev.keyguard.client;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How {@link KeyGuardClient} retries a request that the API throttled or could not serve: which
 * statuses are retried, how many attempts at most, the capped exponential backoff with jitter, and
 * the most time one call may spend waiting between attempts.
 *
 * <p>A response with a {@code Retry-After} header (delta-seconds or an HTTP date) is retried after
 * exactly that delay; otherwise attempt {@code n} waits a random time between half and all of
 * {@code min(maxBackoff, baseBackoff × 2^(n-1))}. A retry whose delay would take the call's total
 * waiting past {@link #maxTotalWait()} is not made: the throttled response is returned to the
 * caller (as an {@link ApiResponseException} that is {@linkplain ApiResponseException#isRetryable()
 * retryable} and carries the {@linkplain ApiResponseException#retryAfter() requested delay}).
 *
 * <p>Only idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) are retried unless {@link
 * Builder#retryNonIdempotent(boolean)} allows the others; that setting also governs the single
 * retry with a rotated key after a rejection status (401/403). A rejection recognised by an error
 * code in the body ({@link KeyGuardClient.Builder#rejectionErrorCodes(String, String...)}, Kraken)
 * is an exception: such codes mean the request was not carried out, so it is retried once with the
 * other key whatever the method. Requests with a one-shot body are never retried.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * RetryOptions retry = RetryOptions.builder()
 *     .maxAttempts(4)
 *     .baseBackoff(Duration.ofMillis(250))
 *     .maxBackoff(Duration.ofSeconds(5))
 *     .maxTotalWait(Duration.ofSeconds(20))
 *     .build();
 * }</pre>
 */
public final class RetryOptions {

  private static final RetryOptions DEFAULTS = builder().build();
  private static final RetryOptions NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration baseBackoff;
  private final Duration maxBackoff;
  private final Duration maxTotalWait;
  private final boolean retryNonIdempotent;
  private final Set<Integer> retryStatuses;

  private RetryOptions(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.baseBackoff = b.baseBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxTotalWait = b.maxTotalWait;
    this.retryNonIdempotent = b.retryNonIdempotent;
    this.retryStatuses = Set.copyOf(b.retryStatuses);
    for (int status : retryStatuses) {
      retryStatusTable[status - 400] = true;
    }
  }

  /** {@link #retryStatuses} as a table from 400 to 599, read per response without boxing. */
  private final boolean[] retryStatusTable = new boolean[200];

  /** Whether {@code status} is one of {@link #retryStatuses()}. */
  boolean retriesStatus(int status) {
    return status >= 400 && status < 600 && retryStatusTable[status - 400];
  }

  /**
   * The defaults: 3 attempts, 200 ms base backoff, 10 s maximum backoff, 30 s maximum total wait,
   * statuses 418, 429, 502, 503 and 504, idempotent requests only.
   *
   * @return the default options
   */
  public static RetryOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Options that never retry a throttled or failed response (one attempt). The single retry with a
   * rotated key after a 401/403 still happens for idempotent requests.
   *
   * @return options with one attempt
   */
  public static RetryOptions none() {
    return NONE;
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
    b.maxAttempts = maxAttempts;
    b.baseBackoff = baseBackoff;
    b.maxBackoff = maxBackoff;
    b.maxTotalWait = maxTotalWait;
    b.retryNonIdempotent = retryNonIdempotent;
    b.retryStatuses.clear();
    b.retryStatuses.addAll(retryStatuses);
    return b;
  }

  /**
   * The most attempts one request gets, the first included.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * The backoff before the first retry when the response has no {@code Retry-After}.
   *
   * @return the base backoff
   */
  public Duration baseBackoff() {
    return baseBackoff;
  }

  /**
   * The cap on a single computed backoff (a {@code Retry-After} is honoured even if longer).
   *
   * @return the maximum backoff
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * The most time one call spends waiting between attempts, all retries together.
   *
   * @return the maximum total wait
   */
  public Duration maxTotalWait() {
    return maxTotalWait;
  }

  /**
   * Whether non-idempotent requests (POST, PATCH) are retried too.
   *
   * @return true if the caller allowed it
   */
  public boolean retryNonIdempotent() {
    return retryNonIdempotent;
  }

  /**
   * The response statuses that are retried.
   *
   * @return an unmodifiable set
   */
  public Set<Integer> retryStatuses() {
    return retryStatuses;
  }

  /**
   * Tells whether a request method may be retried under these options.
   *
   * @param method the HTTP method
   * @return true for idempotent methods, or for any method if non-idempotent retries are allowed
   */
  boolean mayRetry(String method) {
    return retryNonIdempotent || isIdempotent(method);
  }

  static boolean isIdempotent(String method) {
    switch (method) {
      case "GET":
      case "HEAD":
      case "OPTIONS":
      case "PUT":
      case "DELETE":
      case "TRACE":
        return true;
      default:
        return false;
    }
  }

  /**
   * The computed backoff before retry number {@code retry} (1 for the first retry).
   *
   * @param retry the retry number, from 1
   * @param random a number in [0, 1)
   * @return a delay between half and all of the capped exponential backoff
   */
  Duration backoff(int retry, double random) {
    long cap = maxBackoff.toNanos();
    long exp = Math.min(baseBackoff.toNanos(), cap);
    for (int i = 1; i < retry && exp < cap; i++) {
      exp = exp > cap / 2 ? cap : exp * 2;
    }
    long half = exp / 2;
    return Duration.ofNanos(half + (long) (random * (exp - half)));
  }

  /** Shows the settings. */
  @Override
  public String toString() {
    return "RetryOptions[maxAttempts="
        + maxAttempts
        + ", baseBackoff="
        + baseBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", maxTotalWait="
        + maxTotalWait
        + ", retryNonIdempotent="
        + retryNonIdempotent
        + ", retryStatuses="
        + new TreeSet<>(retryStatuses)
        + "]";
  }

  /** Builds {@link RetryOptions}, following the {@linkplain dev.keyguard.client builder rules}. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration baseBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Duration maxTotalWait = Duration.ofSeconds(30);
    private boolean retryNonIdempotent;
    private final Set<Integer> retryStatuses =
        new TreeSet<>(Arrays.asList(418, 429, 502, 503, 504));

    private Builder() {}

    /**
     * Sets the most attempts per request, the first included (default 3; 1 disables retries).
     *
     * @param maxAttempts 1 to 20
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 20) {
        throw new IllegalArgumentException("maxAttempts must be 1 to 20, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the backoff before the first retry (default 200 ms); it doubles for each later one.
     *
     * @param baseBackoff positive
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder baseBackoff(Duration baseBackoff) {
      this.baseBackoff = positive(baseBackoff, "baseBackoff");
      return this;
    }

    /**
     * Sets the cap on one computed backoff (default 10 s).
     *
     * @param maxBackoff positive
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = positive(maxBackoff, "maxBackoff");
      return this;
    }

    /**
     * Sets the most time one call waits between attempts, all retries together (default 30 s).
     *
     * @param maxTotalWait zero or positive; zero makes only retries with no delay possible
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxTotalWait(Duration maxTotalWait) {
      Objects.requireNonNull(maxTotalWait, "maxTotalWait");
      if (maxTotalWait.isNegative()) {
        throw new IllegalArgumentException(
            "maxTotalWait must not be negative, was " + maxTotalWait);
      }
      this.maxTotalWait = maxTotalWait;
      return this;
    }

    /**
     * Allows retrying non-idempotent requests (POST, PATCH) on a throttling status, and with a
     * rotated key after a rejection status such as 401/403 (default false; a rejection recognised
     * by a body error code is retried once regardless, see {@link
     * KeyGuardClient.Builder#rejectionErrorCodes(String, String...)}). It also governs OkHttp's own
     * resend of a request whose connection dropped after the request was written: without this
     * setting a non-idempotent request is never sent twice by OkHttp either. Enable it only for
     * calls the API deduplicates (a client order id, an idempotency key), or that are safe to
     * repeat.
     *
     * @param allow true to retry non-idempotent requests
     * @return this builder
     */
    public Builder retryNonIdempotent(boolean allow) {
      this.retryNonIdempotent = allow;
      return this;
    }

    /**
     * Replaces the statuses that are retried (default 418, 429, 502, 503, 504).
     *
     * @param statuses HTTP statuses from 400 to 599; none disables status retries
     * @return this builder
     * @throws IllegalArgumentException if a status is outside 400 to 599
     */
    public Builder retryStatuses(int... statuses) {
      Set<Integer> next = new TreeSet<>();
      for (int status : statuses) {
        if (status < 400 || status > 599) {
          throw new IllegalArgumentException("a retry status must be 400 to 599, was " + status);
        }
        next.add(status);
      }
      retryStatuses.clear();
      retryStatuses.addAll(next);
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalStateException if baseBackoff is greater than maxBackoff
     */
    public RetryOptions build() {
      if (baseBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalStateException(
            "baseBackoff ("
                + baseBackoff
                + ") must not be greater than maxBackoff ("
                + maxBackoff
                + ")");
      }
      return new RetryOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }
  }
}
