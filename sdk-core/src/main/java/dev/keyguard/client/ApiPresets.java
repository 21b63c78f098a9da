package dev.keyguard.client;

import dev.keyguard.auth.AuthSchemes;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Presets for crypto market-data and exchange APIs, each taken from the API's public documentation
 * (linked from each constant and available as {@link ApiPreset#documentation()}).
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>preset</th><th>base URL</th><th>credential</th></tr>
 *   <tr><td>{@link #TOKEN_METRICS}</td><td>https://api.tokenmetrics.com/v2</td>
 *       <td>header {@code x-api-key}</td></tr>
 *   <tr><td>{@link #COINGECKO_DEMO}</td><td>https://api.coingecko.com/api/v3</td>
 *       <td>header {@code x-cg-demo-api-key}</td></tr>
 *   <tr><td>{@link #COINGECKO_PRO}</td><td>https://pro-api.coingecko.com/api/v3</td>
 *       <td>header {@code x-cg-pro-api-key}</td></tr>
 *   <tr><td>{@link #COINMARKETCAP}</td><td>https://pro-api.coinmarketcap.com</td>
 *       <td>header {@code X-CMC_PRO_API_KEY}</td></tr>
 *   <tr><td>{@link #BINANCE}</td><td>https://api.binance.com</td>
 *       <td>{@code X-MBX-APIKEY} + HMAC-SHA256 {@code signature}</td></tr>
 *   <tr><td>{@link #KRAKEN}</td><td>https://api.kraken.com</td>
 *       <td>{@code API-Key} + HMAC-SHA512 {@code API-Sign}</td></tr>
 *   <tr><td>{@link #COINBASE_ADVANCED_TRADE}</td><td>https://api.coinbase.com</td>
 *       <td>{@code Authorization: Bearer} ES256 JWT per request</td></tr>
 * </table>
 *
 * <p>Where an API offers both a header and a query parameter for its key, the presets use the
 * header, which the APIs themselves recommend. Presets are immutable; derive a variant (a test
 * network, another {@code recvWindow}) with {@link ApiPreset#toBuilder()}.
 *
 * <pre>{@code
 * ApiPreset preset = ApiPresets.byName("coingecko-demo");
 * AuthScheme scheme = preset.authScheme();
 * }</pre>
 */
public final class ApiPresets {

  /**
   * Token Metrics API v2: the key in header {@code x-api-key}; base URL {@code
   * https://api.tokenmetrics.com/v2}. Source:
   * https://developers.tokenmetrics.com/docs/authentication. Rejection statuses are the default 401
   * and 403 (the documentation lists no status codes).
   */
  public static final ApiPreset TOKEN_METRICS =
      ApiPreset.builder("TOKEN_METRICS")
          .baseUrl("https://api.tokenmetrics.com/v2")
          .authScheme(time -> AuthSchemes.header("x-api-key"))
          .documentation("https://developers.tokenmetrics.com/docs/authentication")
          .build();

  /**
   * CoinGecko public API with a Demo plan key: header {@code x-cg-demo-api-key} (recommended by
   * CoinGecko over the {@code x_cg_demo_api_key} query parameter) on {@code
   * https://api.coingecko.com/api/v3}. Source:
   * https://docs.coingecko.com/v3.0.1/reference/authentication. Key rejection is 401 (error codes
   * 10002, 10010, 10011); 403 means blocked by CoinGecko's firewall, not a bad key
   * (https://docs.coingecko.com/docs/errors-and-rate-limits).
   */
  public static final ApiPreset COINGECKO_DEMO =
      ApiPreset.builder("COINGECKO_DEMO")
          .baseUrl("https://api.coingecko.com/api/v3")
          .authScheme(time -> AuthSchemes.header("x-cg-demo-api-key"))
          .rejectionStatuses(401)
          .rejectionErrorCodes("10002", "10010", "10011")
          .documentation("https://docs.coingecko.com/v3.0.1/reference/authentication")
          .build();

  /**
   * CoinGecko Pro API (paid plans): header {@code x-cg-pro-api-key} on {@code
   * https://pro-api.coingecko.com/api/v3}. Source:
   * https://docs.coingecko.com/reference/authentication; error statuses as for {@link
   * #COINGECKO_DEMO}.
   */
  public static final ApiPreset COINGECKO_PRO =
      ApiPreset.builder("COINGECKO_PRO")
          .baseUrl("https://pro-api.coingecko.com/api/v3")
          .authScheme(time -> AuthSchemes.header("x-cg-pro-api-key"))
          .rejectionStatuses(401)
          .rejectionErrorCodes("10002", "10010", "10011")
          .documentation("https://docs.coingecko.com/reference/authentication")
          .build();

  /**
   * CoinMarketCap Pro API: header {@code X-CMC_PRO_API_KEY} (the "preferred method"; the {@code
   * CMC_PRO_API_KEY} query parameter is only a convenience) on {@code
   * https://pro-api.coinmarketcap.com}. Source:
   * https://coinmarketcap.com/api/documentation/guides/authentication. Key rejection is 401 (error
   * codes 1001 API_KEY_INVALID, 1002 API_KEY_MISSING); 403 means the plan does not include the
   * endpoint (https://coinmarketcap.com/api/documentation/guides/errors-and-rate-limits).
   */
  public static final ApiPreset COINMARKETCAP =
      ApiPreset.builder("COINMARKETCAP")
          .baseUrl("https://pro-api.coinmarketcap.com")
          .authScheme(time -> AuthSchemes.header("X-CMC_PRO_API_KEY"))
          .rejectionStatuses(401)
          .rejectionErrorCodes("1001", "1002")
          .documentation("https://coinmarketcap.com/api/documentation/guides/authentication")
          .build();

  /**
   * Binance Spot REST API with an HMAC-SHA256 key ({@link
   * AuthSchemes#binanceHmac(dev.keyguard.TimeSource, Duration)}, {@code recvWindow} 5000 ms as
   * Binance recommends) on {@code https://api.binance.com}. Source:
   * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security. Binance
   * rejects a key with 401 and error codes -2014 (API-key format invalid) or -2015 (invalid
   * API-key, IP, or permissions); 403 means its web application firewall limit was hit, not a bad
   * key (https://github.com/binance/binance-spot-api-docs/blob/master/errors.md). Exposed
   * rate-limit headers: {@code X-MBX-USED-WEIGHT-1M} (IP request weight) and {@code
   * X-MBX-ORDER-COUNT-10S} / {@code X-MBX-ORDER-COUNT-1D} (account order counts), for the intervals
   * in {@code /api/v3/exchangeInfo}. The usage monitor reads the headroom from {@code
   * X-MBX-USED-WEIGHT-1M} against 6,000 weight per minute, the {@code REQUEST_WEIGHT} limit {@code
   * exchangeInfo} lists for Spot (per IP, not per key; derive the preset with another {@link
   * RateLimitHeadroom} if yours differs).
   */
  public static final ApiPreset BINANCE =
      ApiPreset.builder("BINANCE")
          .baseUrl("https://api.binance.com")
          .authScheme(time -> AuthSchemes.binanceHmac(time, Duration.ofMillis(5000)))
          .rejectionStatuses(401)
          .rejectionErrorCodes("-2014", "-2015")
          .rateLimitHeaders("X-MBX-USED-WEIGHT-1M", "X-MBX-ORDER-COUNT-10S", "X-MBX-ORDER-COUNT-1D")
          .rateLimitHeadroom(RateLimitHeadroom.used("X-MBX-USED-WEIGHT-1M", 6000))
          .documentation(
              "https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security")
          .build();

  /**
   * Kraken Spot REST API private endpoints ({@link
   * AuthSchemes#krakenHmac(dev.keyguard.TimeSource)}) on {@code https://api.kraken.com}. Source:
   * https://docs.kraken.com/api/docs/guides/spot-rest-auth.
   *
   * <p>Kraken reports a refused credential not by status but in the top-level JSON {@code error}
   * array, usually with HTTP 200: {@code {"error":["EAPI:Invalid key"],"result":{}}}. Per its
   * errors guide (https://docs.kraken.com/api/docs/guides/spot-errors, and
   * https://support.kraken.com/hc/en-us/articles/360001491786-API-error-messages), {@code
   * EAPI:Invalid key} means the {@code API-Key} is missing, malformed, deleted or revoked, and
   * {@code EAPI:Invalid signature} that {@code API-Sign} does not match, typically a wrong secret
   * (what a half-rotated key pair gives). The preset treats these two codes as rejections (its
   * {@link ApiPreset#rejectionRule() rejection rule} names the field {@code error}); the rejection
   * statuses stay the default 401 and 403. Not rejections: {@code EAPI:Invalid nonce} (a nonce
   * problem, not the key), {@code EGeneral:Permission denied} (the key lacks a permission: fix it
   * at Kraken), and {@code EGeneral:Temporary lockout} (too many invalid-key errors: retrying makes
   * it worse).
   *
   * <p>Kraken's private endpoints are all POSTs, which {@link RetryOptions} does not retry by
   * default. A request refused with one of these codes was not carried out (Kraken checks the key
   * and signature before it processes the request), so the client retries it once with the newer
   * key version even though it is a POST; {@code retryNonIdempotent} is not needed for that, and
   * 429/5xx responses to POSTs are still not retried without it. The client checks only the first
   * 16 KiB of each response to Kraken for these codes, and never consumes the body.
   */
  public static final ApiPreset KRAKEN =
      ApiPreset.builder("KRAKEN")
          .baseUrl("https://api.kraken.com")
          .authScheme(AuthSchemes::krakenHmac)
          .rejectionErrorCodes("EAPI:Invalid key", "EAPI:Invalid signature")
          .rejectionErrorField("error")
          .documentation("https://docs.kraken.com/api/docs/guides/spot-rest-auth")
          .build();

  /**
   * Coinbase Advanced Trade API with a CDP ECDSA key ({@link
   * AuthSchemes#coinbaseJwt(dev.keyguard.TimeSource)}) on {@code https://api.coinbase.com}. Source:
   * https://docs.cdp.coinbase.com/get-started/authentication/jwt-authentication (and
   * https://docs.cloud.coinbase.com/advanced-trade-api/docs/rest-api-auth): a JWT expires after 2
   * minutes, "after which all requests are unauthenticated" (401).
   */
  public static final ApiPreset COINBASE_ADVANCED_TRADE =
      ApiPreset.builder("COINBASE_ADVANCED_TRADE")
          .baseUrl("https://api.coinbase.com")
          .authScheme(AuthSchemes::coinbaseJwt)
          .rejectionStatuses(401)
          .documentation(
              "https://docs.cdp.coinbase.com/get-started/authentication/jwt-authentication")
          .build();

  private static final List<ApiPreset> ALL =
      List.of(
          TOKEN_METRICS,
          COINGECKO_DEMO,
          COINGECKO_PRO,
          COINMARKETCAP,
          BINANCE,
          KRAKEN,
          COINBASE_ADVANCED_TRADE);

  private ApiPresets() {}

  /**
   * All built-in presets, in the order of this class.
   *
   * @return an unmodifiable list
   */
  public static List<ApiPreset> all() {
    return ALL;
  }

  /**
   * Finds a built-in preset by name, ignoring case and treating {@code -} and spaces as {@code _},
   * so that {@code coingecko-demo} finds {@link #COINGECKO_DEMO}.
   *
   * @param name the name, as typed on a command line
   * @return the preset
   * @throws IllegalArgumentException if no preset has that name; the message lists the known names
   */
  public static ApiPreset byName(String name) {
    Objects.requireNonNull(name, "name");
    String normalized = name.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    for (ApiPreset preset : ALL) {
      if (preset.name().equals(normalized)) {
        return preset;
      }
    }
    throw new IllegalArgumentException(
        "no API preset named '"
            + name
            + "'; known presets: "
            + ALL.stream().map(ApiPreset::name).collect(Collectors.joining(", ")));
  }
}
