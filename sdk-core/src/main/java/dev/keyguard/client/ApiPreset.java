package dev.keyguard.client;

import dev.keyguard.TimeSource;
import dev.keyguard.auth.AuthScheme;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
  private final List<String> scopes;
  private final @Nullable String publicScope;
  private final Set<String> sensitiveScopes;
  private final RouteTable<String> routes;
  private final List<String> sensitivePathPrefixes;
  private final String environment;
  private final Map<String, HttpUrl> endpoints;
  private final @Nullable KeyAudit keyAudit;

  private ApiPreset(Builder b) {
    this.name = b.name;
    // build() has checked the three required values
    this.baseUrl = Objects.requireNonNull(b.baseUrl, "baseUrl");
    this.authScheme = Objects.requireNonNull(b.authScheme, "authScheme");
    this.rejectionRule = b.rejectionRule;
    this.rateLimitHeaders = Collections.unmodifiableSet(new LinkedHashSet<>(b.rateLimitHeaders));
    this.rateLimitHeadroom = List.copyOf(b.rateLimitHeadroom);
    this.documentation = Objects.requireNonNull(b.documentation, "documentation");
    this.scopes = List.copyOf(b.scopes);
    this.publicScope = b.publicScope;
    this.sensitiveScopes = Collections.unmodifiableSet(new LinkedHashSet<>(b.sensitiveScopes));
    this.routes = b.routes.build();
    this.sensitivePathPrefixes = List.copyOf(b.sensitivePathPrefixes);
    this.environment = b.environment;
    Map<String, HttpUrl> known = new LinkedHashMap<>(b.endpoints);
    known.put(environment, baseUrl);
    this.endpoints = Collections.unmodifiableMap(known);
    this.keyAudit = b.keyAudit;
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
    b.scopes.addAll(scopes);
    b.publicScope = publicScope;
    b.sensitiveScopes.addAll(sensitiveScopes);
    b.routes.putAll(routes);
    b.sensitivePathPrefixes.addAll(sensitivePathPrefixes);
    b.environment = environment;
    b.endpoints.putAll(endpoints);
    b.endpoints.remove(environment);
    b.keyAudit = keyAudit;
    return b;
  }

  /**
   * The scope names of this API, from the least to the most powerful (Binance: {@code NONE}, {@code
   * USER_STREAM}, {@code USER_DATA}, {@code TRADE}, {@code TRANSFER}, {@code WITHDRAW}). Route
   * tables, key scopes and audits use these names; the order breaks ties when the client picks the
   * least-privileged key. Empty for an API whose keys all grant the same.
   *
   * @return an unmodifiable list
   */
  public List<String> scopes() {
    return scopes;
  }

  /**
   * The scope of the routes every key may call, such as Binance's {@code NONE} (public market
   * data): a key covers it whatever its own scopes.
   *
   * @return the public scope, if the API has one
   */
  public Optional<String> publicScope() {
    return Optional.ofNullable(publicScope);
  }

  /**
   * The scopes that can move or risk funds (trading, transfers, withdrawals): the key hygiene audit
   * reports a key that holds one that no route the key is used for needs ({@code KeyTooPowerful}).
   *
   * @return an unmodifiable set
   */
  public Set<String> sensitiveScopes() {
    return sensitiveScopes;
  }

  /**
   * The API's endpoints and the scope each requires, from the API's documentation. A client picks,
   * for each request, the least-privileged of its keys whose scopes cover the route's.
   *
   * @return the route table
   */
  public RouteTable<String> routes() {
    return routes;
  }

  /**
   * Path prefixes (relative to the base URL) under which a request that matches no route is always
   * refused, whatever the client's {@link UnmappedRoutes} policy: the families of endpoints that
   * move funds (Binance {@code /sapi/v1/capital/}, Coinbase {@code /v2/}, ...).
   *
   * @return an unmodifiable list
   */
  public List<String> sensitivePathPrefixes() {
    return sensitivePathPrefixes;
  }

  /**
   * The environment of {@link #baseUrl()}: {@code prod} for the production API, or the name of a
   * test network ({@code testnet}, {@code sandbox}). A client never sends a production key to a
   * non-production endpoint, nor a non-production key to production.
   *
   * @return the environment, lower-case
   */
  public String environment() {
    return environment;
  }

  /**
   * The base URLs of every environment the API documents, this preset's own included: Binance's
   * {@code testnet}, Coinbase's {@code sandbox}.
   *
   * @return an unmodifiable map from environment to base URL
   */
  public Map<String, HttpUrl> endpoints() {
    return endpoints;
  }

  /**
   * This preset for another of its {@linkplain #endpoints() environments}: the same settings with
   * that environment's base URL.
   *
   * <pre>{@code
   * ApiPreset testnet = ApiPresets.BINANCE.forEnvironment("testnet");
   * }</pre>
   *
   * @param environment an environment of {@link #endpoints()}
   * @return the preset for that environment
   * @throws IllegalArgumentException if the API has no such environment; the message lists them
   */
  public ApiPreset forEnvironment(String environment) {
    Objects.requireNonNull(environment, "environment");
    String wanted = environment.strip().toLowerCase(Locale.ROOT);
    HttpUrl url = endpoints.get(wanted);
    if (url == null) {
      throw new IllegalArgumentException(
          "preset "
              + name
              + " has no environment '"
              + environment
              + "'; known: "
              + String.join(", ", endpoints.keySet()));
    }
    Builder b = toBuilder();
    b.endpoints.put(this.environment, baseUrl);
    b.endpoints.remove(wanted);
    b.baseUrl = url;
    b.environment = wanted;
    return b.build();
  }

  /**
   * How a key's own permissions are read from the API (Binance {@code GET
   * /sapi/v1/account/apiRestrictions}, Coinbase {@code GET /api/v3/brokerage/key_permissions}), for
   * the client's key hygiene audit.
   *
   * @return the audit, if the API offers one
   */
  public Optional<KeyAudit> keyAudit() {
    return Optional.ofNullable(keyAudit);
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
    private final List<String> scopes = new ArrayList<>();
    private @Nullable String publicScope;
    private final Set<String> sensitiveScopes = new LinkedHashSet<>();
    private final RouteTable.Builder<String> routes = RouteTable.builder();
    private final List<String> sensitivePathPrefixes = new ArrayList<>();
    private String environment = "prod";
    private final Map<String, HttpUrl> endpoints = new LinkedHashMap<>();
    private @Nullable KeyAudit keyAudit;

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
     * Declares the API's scope names, from the least to the most powerful (replacing any declared
     * before). Names are upper-case letters, digits and underscores.
     *
     * @param names the scope names
     * @return this builder
     * @throws IllegalArgumentException if a name is invalid or given twice
     */
    public Builder scopes(String... names) {
      List<String> checked = new ArrayList<>();
      for (String n : names) {
        String scope = Scopes.checkName(n);
        if (checked.contains(scope)) {
          throw new IllegalArgumentException("scope " + scope + " is given twice");
        }
        checked.add(scope);
      }
      scopes.clear();
      scopes.addAll(checked);
      return this;
    }

    /**
     * Names the scope every key covers (public endpoints); one of {@link #scopes(String...)}.
     *
     * @param scope the scope name
     * @return this builder
     */
    public Builder publicScope(String scope) {
      this.publicScope = Scopes.checkName(scope);
      return this;
    }

    /**
     * Names the scopes that move or risk funds, which the key hygiene audit reports on a key that
     * needs none of them; each one of {@link #scopes(String...)}.
     *
     * @param names the scope names
     * @return this builder
     */
    public Builder sensitiveScopes(String... names) {
      sensitiveScopes.clear();
      for (String n : names) {
        sensitiveScopes.add(Scopes.checkName(n));
      }
      return this;
    }

    /**
     * Maps a route to the scope it requires, replacing the scope of an equal route.
     *
     * @param route the method and template, such as {@code POST /api/v3/order}
     * @param scope one of {@link #scopes(String...)}
     * @return this builder
     * @throws IllegalArgumentException if the route is invalid
     */
    public Builder route(String route, String scope) {
      routes.put(Route.parse(route), Scopes.checkName(scope));
      return this;
    }

    /**
     * Adds path prefixes under which an unmapped request is always refused (see {@link
     * ApiPreset#sensitivePathPrefixes()}).
     *
     * @param prefixes prefixes starting with {@code /}
     * @return this builder
     * @throws IllegalArgumentException if a prefix does not start with {@code /}
     */
    public Builder sensitivePathPrefixes(String... prefixes) {
      for (String p : prefixes) {
        Objects.requireNonNull(p, "prefix");
        if (!p.startsWith("/")) {
          throw new IllegalArgumentException("a sensitive path prefix starts with '/', was " + p);
        }
        sensitivePathPrefixes.add(p);
      }
      return this;
    }

    /**
     * Sets the environment of the base URL (default {@code prod}).
     *
     * @param environment the environment name, such as {@code testnet}
     * @return this builder
     */
    public Builder environment(String environment) {
      this.environment = notBlank(environment, "environment").strip().toLowerCase(Locale.ROOT);
      return this;
    }

    /**
     * Declares the base URL of another environment of the API, such as Binance's {@code testnet}.
     *
     * @param environment the environment name
     * @param url its https base URL
     * @return this builder
     */
    public Builder endpoint(String environment, String url) {
      endpoints.put(
          notBlank(environment, "environment").strip().toLowerCase(Locale.ROOT),
          https(Objects.requireNonNull(url, "url"), "endpoint URL"));
      return this;
    }

    /**
     * Sets how the client's key hygiene audit reads a key's permissions.
     *
     * @param audit the audit
     * @return this builder
     */
    public Builder keyAudit(KeyAudit audit) {
      this.keyAudit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /**
     * Builds the preset.
     *
     * @return the preset
     * @throws IllegalStateException if the base URL, auth scheme or documentation is missing, a
     *     rejection error field is set without rejection error codes, two routes overlap, or a
     *     route, the public scope or a sensitive scope names a scope not declared with {@link
     *     #scopes(String...)}
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
      List<String> used = new ArrayList<>(routes.build().asMap().values());
      if (publicScope != null) {
        used.add(publicScope);
      }
      used.addAll(sensitiveScopes);
      for (String scope : used) {
        if (!scopes.contains(scope)) {
          throw new IllegalStateException(
              "preset "
                  + name
                  + ": scope "
                  + scope
                  + " is not one of its scopes "
                  + scopes
                  + "; declare it with scopes(...)");
        }
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
