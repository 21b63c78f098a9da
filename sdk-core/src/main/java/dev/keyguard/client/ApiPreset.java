package dev.keyguard.client;

import dev.keyguard.TimeSource;
import dev.keyguard.auth.AuthScheme;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * What KeyGuard needs to know to call one API: its https base URL, how a credential is put on a
 * request ({@link AuthScheme}), which responses mean the key was rejected (its {@link
 * RejectionRule}: the client reports the version and retries once with a newer one), which
 * rate-limit headers to expose, and the public documentation all of this comes from.
 *
 * <p>The built-in presets are in {@link ApiPresets}; a preset for another API is built the same
 * way:
 *
 * <pre>{@code
 * ApiPreset example = ApiPreset.builder("EXAMPLE")
 *     .baseUrl("https://api.example.com/v1")
 *     .authScheme(time -> AuthSchemes.header("x-api-key"))
 *     .rejectionStatuses(401)
 *     .documentation("https://docs.example.com/authentication")
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. A preset holds no credential; its {@link #toString()}
 * shows the name, base URL and documentation link.
 */
public final class ApiPreset {

  private final String name;
  private final HttpUrl baseUrl;
  private final Function<TimeSource, AuthScheme> authScheme;
  private final RejectionRule rejectionRule;
  private final Set<String> rateLimitHeaders;
  private final List<RateLimitHeadroom> rateLimitHeadroom;
  private final String documentation;

  private ApiPreset(Builder b) {
    this.name = b.name;
    // build() has checked the three required values
    this.baseUrl = Objects.requireNonNull(b.baseUrl, "baseUrl");
    this.authScheme = Objects.requireNonNull(b.authScheme, "authScheme");
    this.rejectionRule = b.rejectionRule;
    this.rateLimitHeaders = Collections.unmodifiableSet(new LinkedHashSet<>(b.rateLimitHeaders));
    this.rateLimitHeadroom = List.copyOf(b.rateLimitHeadroom);
    this.documentation = Objects.requireNonNull(b.documentation, "documentation");
  }

  /**
   * Starts a preset.
   *
   * @param name the preset's name, such as {@code BINANCE}: letters, digits and underscores
   * @return a builder
   * @throws IllegalArgumentException if the name is empty or has other characters
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns a builder holding this preset's values, to derive a variant (another base URL for a
   * test network, say).
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.baseUrl = baseUrl;
    b.authScheme = authScheme;
    b.rejectionRule = rejectionRule;
    b.rateLimitHeaders.addAll(rateLimitHeaders);
    b.rateLimitHeadroom.addAll(rateLimitHeadroom);
    b.documentation = documentation;
    return b;
  }

  /**
   * The preset's name, such as {@code BINANCE}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The API's base URL; always https.
   *
   * @return the base URL
   */
  public HttpUrl baseUrl() {
    return baseUrl;
  }

  /**
   * Creates the API's auth scheme with the system time.
   *
   * @return a new scheme
   */
  public AuthScheme authScheme() {
    return authScheme(TimeSource.system());
  }

  /**
   * Creates the API's auth scheme. Schemes that sign with a timestamp or nonce read it from the
   * time source; the others ignore it. Create one scheme per client: a Kraken scheme keeps its
   * nonce counter.
   *
   * @param time the time source for timestamps, nonces and JWT lifetimes
   * @return a new scheme
   */
  public AuthScheme authScheme(TimeSource time) {
    Objects.requireNonNull(time, "time");
    return Objects.requireNonNull(
        authScheme.apply(time), "the preset's auth scheme factory returned null");
  }

  /**
   * Which responses mean the key was rejected (invalid, revoked, expired): on these the client
   * reports the version to the {@code ManagedKey} and retries once if a newer version is available.
   * Default {@link RejectionRule#defaults()} (401 and 403). Error codes are acted on only when the
   * rule names the body field they are in (Kraken, which answers a bad key with HTTP 200); for the
   * other presets they are informational (Binance {@code -2015}), the status decides.
   *
   * @return the rule
   */
  public RejectionRule rejectionRule() {
    return rejectionRule;
  }

  /**
   * The response headers in which the API reports rate-limit usage (such as {@code
   * X-MBX-USED-WEIGHT-1M}), which the client exposes to the caller. Empty when the API documents
   * none.
   *
   * @return an unmodifiable set, in the order given
   */
  public Set<String> rateLimitHeaders() {
    return rateLimitHeaders;
  }

  /**
   * How the usage monitor reads the rate-limit headroom from the API's headers ({@link
   * UsageOptions.Builder#headroomThreshold(double)}). Empty when the API reports none the monitor
   * can read: the client then has no headroom figure and no headroom alert.
   *
   * @return an unmodifiable list
   */
  public List<RateLimitHeadroom> rateLimitHeadroom() {
    return rateLimitHeadroom;
  }

  /**
   * The public documentation this preset's settings come from.
   *
   * @return an https URL
   */
  public String documentation() {
    return documentation;
  }

  /** Returns the name, base URL and documentation link. */
  @Override
  public String toString() {
    return "ApiPreset[" + name + ", " + baseUrl + ", docs=" + documentation + "]";
  }

  /** Builds an {@link ApiPreset}, following the {@linkplain dev.keyguard.client builder rules}. */
  public static final class Builder {
    private final String name;
    private @Nullable HttpUrl baseUrl;
    private @Nullable Function<TimeSource, AuthScheme> authScheme;
    private RejectionRule rejectionRule = RejectionRule.defaults();
    private final Set<String> rateLimitHeaders = new LinkedHashSet<>();
    private final List<RateLimitHeadroom> rateLimitHeadroom = new ArrayList<>();
    private @Nullable String documentation;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9_]+")) {
        throw new IllegalArgumentException(
            "a preset name has letters, digits and underscores only, was '" + name + "'");
      }
      this.name = name;
    }

    /**
     * Sets the base URL.
     *
     * @param url an https URL
     * @return this builder
     * @throws IllegalArgumentException if the URL is malformed, not https, or has user info or a
     *     query string
     */
    public Builder baseUrl(String url) {
      Objects.requireNonNull(url, "url");
      this.baseUrl = https(url, "base URL");
      return this;
    }

    /**
     * Sets how the auth scheme is created.
     *
     * @param factory makes the scheme from a time source; called once per {@link
     *     ApiPreset#authScheme(TimeSource)}
     * @return this builder
     */
    public Builder authScheme(Function<TimeSource, AuthScheme> factory) {
      this.authScheme = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Replaces the statuses that mean the key was rejected (default {@code 401, 403}).
     *
     * @param statuses HTTP statuses between 400 and 499; none for an API that never signals key
     *     rejection by status
     * @return this builder
     * @throws IllegalArgumentException if a status is outside 400..499
     */
    public Builder rejectionStatuses(int... statuses) {
      rejectionRule = rejectionRule.withStatuses(statuses);
      return this;
    }

    /**
     * Sets the API's own error codes that mean the key was rejected.
     *
     * @param codes the codes as the API writes them, such as {@code -2015}
     * @return this builder
     * @throws IllegalArgumentException if a code is blank
     */
    public Builder rejectionErrorCodes(String... codes) {
      rejectionRule = rejectionRule.withErrorCodes(codes);
      return this;
    }

    /**
     * Names the top-level JSON field in which the API reports a rejected key by one of the {@link
     * #rejectionErrorCodes(String...)} (see {@link RejectionRule#withErrorField(String)}), so the
     * client recognises the rejection in the body (for APIs that do not say it with a status). List
     * only codes with which the API refuses the credential before processing the request: the
     * client then retries such a request once with another key version even if it is a POST.
     *
     * @param field the field name, such as {@code error}
     * @return this builder
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder rejectionErrorField(String field) {
      rejectionRule = rejectionRule.withErrorField(field);
      return this;
    }

    /**
     * Replaces the whole rejection rule (statuses, error codes and field) at once.
     *
     * @param rule the rule
     * @return this builder
     */
    public Builder rejectionRule(RejectionRule rule) {
      rejectionRule = Objects.requireNonNull(rule, "rule");
      return this;
    }

    /**
     * Sets the rate-limit response headers to expose.
     *
     * @param names header names
     * @return this builder
     */
    public Builder rateLimitHeaders(String... names) {
      Set<String> checked = new LinkedHashSet<>();
      for (String name : names) {
        checked.add(notBlank(name, "header name"));
      }
      rateLimitHeaders.clear();
      rateLimitHeaders.addAll(checked);
      return this;
    }

    /**
     * Sets how the usage monitor reads the rate-limit headroom (replaces earlier ones).
     *
     * @param sources the headroom headers
     * @return this builder
     */
    public Builder rateLimitHeadroom(RateLimitHeadroom... sources) {
      List<RateLimitHeadroom> checked = new ArrayList<>();
      for (RateLimitHeadroom h : Objects.requireNonNull(sources, "sources")) {
        checked.add(Objects.requireNonNull(h, "rateLimitHeadroom"));
      }
      rateLimitHeadroom.clear();
      rateLimitHeadroom.addAll(checked);
      return this;
    }

    /**
     * Sets the public documentation the preset comes from.
     *
     * @param url an https URL
     * @return this builder
     * @throws IllegalArgumentException if the URL is malformed, not https, or has user info or a
     *     query string
     */
    public Builder documentation(String url) {
      Objects.requireNonNull(url, "url");
      https(url, "documentation URL");
      this.documentation = url;
      return this;
    }

    /**
     * Builds the preset.
     *
     * @return the preset
     * @throws IllegalStateException if the base URL, auth scheme or documentation is missing, or a
     *     rejection error field is set without rejection error codes
     */
    public ApiPreset build() {
      if (baseUrl == null) {
        throw new IllegalStateException("preset " + name + ": baseUrl is required");
      }
      if (authScheme == null) {
        throw new IllegalStateException("preset " + name + ": authScheme is required");
      }
      if (documentation == null) {
        throw new IllegalStateException(
            "preset "
                + name
                + ": documentation is required (the public page the settings come from)");
      }
      if (rejectionRule.errorField().isPresent() && rejectionRule.errorCodes().isEmpty()) {
        throw new IllegalStateException(
            "preset " + name + ": rejectionErrorField is set but rejectionErrorCodes is empty");
      }
      return new ApiPreset(this);
    }

    /** Checks an https URL; messages never echo the URL, which could carry a credential. */
    private static HttpUrl https(String url, String what) {
      HttpUrl parsed = HttpUrl.parse(url);
      if (parsed == null) {
        throw new IllegalArgumentException("the " + what + " is not a valid http(s) URL");
      }
      if (!parsed.isHttps()) {
        throw new IllegalArgumentException(
            "the " + what + " must be https, was " + parsed.scheme() + "://" + parsed.host());
      }
      if (!parsed.username().isEmpty() || !parsed.password().isEmpty() || parsed.query() != null) {
        throw new IllegalArgumentException(
            "the "
                + what
                + " must not carry user info or a query string: credentials belong in"
                + " the key store, not in a URL");
      }
      return parsed;
    }

    private static String notBlank(String value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isBlank()) {
        throw new IllegalArgumentException("a " + what + " must not be blank");
      }
      return value;
    }
  }
}
