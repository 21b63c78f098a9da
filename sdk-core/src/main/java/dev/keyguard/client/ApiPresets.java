package dev.keyguard.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.auth.AuthSchemes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
          .endpoint("testnet", "https://testnet.binance.vision")
          .scopes("NONE", "USER_STREAM", "USER_DATA", "TRADE", "TRANSFER", "WITHDRAW")
          .publicScope("NONE")
          .sensitiveScopes("TRADE", "TRANSFER", "WITHDRAW")
          // market data, security type NONE
          .route("GET /api/v3/ping", "NONE")
          .route("GET /api/v3/time", "NONE")
          .route("GET /api/v3/exchangeInfo", "NONE")
          .route("GET /api/v3/depth", "NONE")
          .route("GET /api/v3/trades", "NONE")
          .route("GET /api/v3/historicalTrades", "NONE")
          .route("GET /api/v3/aggTrades", "NONE")
          .route("GET /api/v3/klines", "NONE")
          .route("GET /api/v3/uiKlines", "NONE")
          .route("GET /api/v3/avgPrice", "NONE")
          .route("GET /api/v3/ticker/24hr", "NONE")
          .route("GET /api/v3/ticker/tradingDay", "NONE")
          .route("GET /api/v3/ticker/price", "NONE")
          .route("GET /api/v3/ticker/bookTicker", "NONE")
          .route("GET /api/v3/ticker", "NONE")
          // orders, security type TRADE
          .route("POST /api/v3/order", "TRADE")
          .route("POST /api/v3/order/test", "TRADE")
          .route("DELETE /api/v3/order", "TRADE")
          .route("DELETE /api/v3/openOrders", "TRADE")
          .route("POST /api/v3/order/cancelReplace", "TRADE")
          .route("PUT /api/v3/order/amend/keepPriority", "TRADE")
          .route("POST /api/v3/orderList/oco", "TRADE")
          .route("POST /api/v3/orderList/oto", "TRADE")
          .route("POST /api/v3/orderList/otoco", "TRADE")
          .route("DELETE /api/v3/orderList", "TRADE")
          .route("POST /api/v3/sor/order", "TRADE")
          .route("POST /api/v3/sor/order/test", "TRADE")
          // account, security type USER_DATA
          .route("GET /api/v3/order", "USER_DATA")
          .route("GET /api/v3/openOrders", "USER_DATA")
          .route("GET /api/v3/allOrders", "USER_DATA")
          .route("GET /api/v3/orderList", "USER_DATA")
          .route("GET /api/v3/allOrderList", "USER_DATA")
          .route("GET /api/v3/openOrderList", "USER_DATA")
          .route("GET /api/v3/account", "USER_DATA")
          .route("GET /api/v3/myTrades", "USER_DATA")
          .route("GET /api/v3/rateLimit/order", "USER_DATA")
          .route("GET /api/v3/myPreventedMatches", "USER_DATA")
          .route("GET /api/v3/myAllocations", "USER_DATA")
          .route("GET /api/v3/account/commission", "USER_DATA")
          .route("GET /sapi/v1/account/apiRestrictions", "USER_DATA")
          .route("GET /sapi/v1/capital/config/getall", "USER_DATA")
          .route("GET /sapi/v1/capital/deposit/hisrec", "USER_DATA")
          .route("GET /sapi/v1/capital/deposit/address", "USER_DATA")
          .route("GET /sapi/v1/capital/withdraw/history", "USER_DATA")
          // user data stream, security type USER_STREAM
          .route("POST /api/v3/userDataStream", "USER_STREAM")
          .route("PUT /api/v3/userDataStream", "USER_STREAM")
          .route("DELETE /api/v3/userDataStream", "USER_STREAM")
          // moving funds: need "Enable Withdrawals" / "Permits Universal Transfer" on the key
          .route("POST /sapi/v1/asset/transfer", "TRANSFER")
          .route("POST /sapi/v1/capital/withdraw/apply", "WITHDRAW")
          .sensitivePathPrefixes("/sapi/v1/capital/", "/sapi/v1/asset/", "/sapi/v1/sub-account/")
          .keyAudit(
              KeyAudit.of(
                  Route.parse("GET /sapi/v1/account/apiRestrictions"),
                  ApiPresets::binancePermissions,
                  "https://developers.binance.com/docs/wallet/account/api-key-permission"))
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
          .scopes("PUBLIC", "PRIVATE", "TRADE", "FUNDING")
          .publicScope("PUBLIC")
          .sensitiveScopes("TRADE", "FUNDING")
          .route("GET /0/public/Time", "PUBLIC")
          .route("GET /0/public/SystemStatus", "PUBLIC")
          .route("GET /0/public/Assets", "PUBLIC")
          .route("GET /0/public/AssetPairs", "PUBLIC")
          .route("GET /0/public/Ticker", "PUBLIC")
          .route("GET /0/public/OHLC", "PUBLIC")
          .route("GET /0/public/Depth", "PUBLIC")
          .route("GET /0/public/Trades", "PUBLIC")
          .route("GET /0/public/Spread", "PUBLIC")
          .route("POST /0/private/Balance", "PRIVATE")
          .route("POST /0/private/BalanceEx", "PRIVATE")
          .route("POST /0/private/TradeBalance", "PRIVATE")
          .route("POST /0/private/OpenOrders", "PRIVATE")
          .route("POST /0/private/ClosedOrders", "PRIVATE")
          .route("POST /0/private/QueryOrders", "PRIVATE")
          .route("POST /0/private/TradesHistory", "PRIVATE")
          .route("POST /0/private/QueryTrades", "PRIVATE")
          .route("POST /0/private/OpenPositions", "PRIVATE")
          .route("POST /0/private/Ledgers", "PRIVATE")
          .route("POST /0/private/QueryLedgers", "PRIVATE")
          .route("POST /0/private/TradeVolume", "PRIVATE")
          .route("POST /0/private/GetWebSocketsToken", "PRIVATE")
          .route("POST /0/private/AddOrder", "TRADE")
          .route("POST /0/private/AddOrderBatch", "TRADE")
          .route("POST /0/private/AmendOrder", "TRADE")
          .route("POST /0/private/EditOrder", "TRADE")
          .route("POST /0/private/CancelOrder", "TRADE")
          .route("POST /0/private/CancelAll", "TRADE")
          .route("POST /0/private/CancelAllOrdersAfter", "TRADE")
          .route("POST /0/private/CancelOrderBatch", "TRADE")
          .route("POST /0/private/DepositMethods", "FUNDING")
          .route("POST /0/private/DepositAddresses", "FUNDING")
          .route("POST /0/private/DepositStatus", "FUNDING")
          .route("POST /0/private/WithdrawMethods", "FUNDING")
          .route("POST /0/private/WithdrawAddresses", "FUNDING")
          .route("POST /0/private/WithdrawInfo", "FUNDING")
          .route("POST /0/private/Withdraw", "FUNDING")
          .route("POST /0/private/WithdrawStatus", "FUNDING")
          .route("POST /0/private/WithdrawCancel", "FUNDING")
          .route("POST /0/private/WalletTransfer", "FUNDING")
          .sensitivePathPrefixes("/0/private/Withdraw", "/0/private/WalletTransfer")
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
          .endpoint("sandbox", "https://api-sandbox.coinbase.com")
          .scopes("PUBLIC", "VIEW", "TRADE", "TRANSFER")
          .publicScope("PUBLIC")
          .sensitiveScopes("TRADE", "TRANSFER")
          .route("GET /api/v3/brokerage/time", "PUBLIC")
          .route("GET /api/v3/brokerage/market/products", "PUBLIC")
          .route("GET /api/v3/brokerage/market/products/{product_id}", "PUBLIC")
          .route("GET /api/v3/brokerage/market/products/{product_id}/candles", "PUBLIC")
          .route("GET /api/v3/brokerage/market/products/{product_id}/ticker", "PUBLIC")
          .route("GET /api/v3/brokerage/market/product_book", "PUBLIC")
          .route("GET /api/v3/brokerage/accounts", "VIEW")
          .route("GET /api/v3/brokerage/accounts/{account_uuid}", "VIEW")
          .route("GET /api/v3/brokerage/orders/historical/batch", "VIEW")
          .route("GET /api/v3/brokerage/orders/historical/fills", "VIEW")
          .route("GET /api/v3/brokerage/orders/historical/{order_id}", "VIEW")
          .route("GET /api/v3/brokerage/best_bid_ask", "VIEW")
          .route("GET /api/v3/brokerage/product_book", "VIEW")
          .route("GET /api/v3/brokerage/products", "VIEW")
          .route("GET /api/v3/brokerage/products/{product_id}", "VIEW")
          .route("GET /api/v3/brokerage/products/{product_id}/candles", "VIEW")
          .route("GET /api/v3/brokerage/products/{product_id}/ticker", "VIEW")
          .route("GET /api/v3/brokerage/transaction_summary", "VIEW")
          .route("GET /api/v3/brokerage/portfolios", "VIEW")
          .route("GET /api/v3/brokerage/portfolios/{portfolio_uuid}", "VIEW")
          .route("GET /api/v3/brokerage/payment_methods", "VIEW")
          .route("GET /api/v3/brokerage/payment_methods/{payment_method_id}", "VIEW")
          .route("GET /api/v3/brokerage/convert/trade/{trade_id}", "VIEW")
          .route("GET /api/v3/brokerage/key_permissions", "VIEW")
          .route("POST /api/v3/brokerage/orders", "TRADE")
          .route("POST /api/v3/brokerage/orders/batch_cancel", "TRADE")
          .route("POST /api/v3/brokerage/orders/edit", "TRADE")
          .route("POST /api/v3/brokerage/orders/edit_preview", "TRADE")
          .route("POST /api/v3/brokerage/orders/preview", "TRADE")
          .route("POST /api/v3/brokerage/orders/close_position", "TRADE")
          .route("POST /api/v3/brokerage/portfolios", "TRADE")
          .route("PUT /api/v3/brokerage/portfolios/{portfolio_uuid}", "TRADE")
          .route("DELETE /api/v3/brokerage/portfolios/{portfolio_uuid}", "TRADE")
          .route("POST /api/v3/brokerage/convert/quote", "TRADE")
          .route("POST /api/v3/brokerage/convert/trade/{trade_id}", "TRADE")
          .route("POST /api/v3/brokerage/portfolios/move_funds", "TRANSFER")
          .sensitivePathPrefixes("/v2/", "/api/v3/brokerage/portfolios/move_funds")
          .keyAudit(
              KeyAudit.of(
                  Route.parse("GET /api/v3/brokerage/key_permissions"),
                  ApiPresets::coinbasePermissions,
                  "https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/data-api/get-api-key-permissions"))
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
   * Reads Binance's {@code GET /sapi/v1/account/apiRestrictions} answer ({@code ipRestrict}, {@code
   * enableReading}, {@code enableSpotAndMarginTrading}, {@code enableWithdrawals}, {@code
   * enableInternalTransfer}, {@code permitsUniversalTransfer}, ...).
   */
  static KeyPermissions binancePermissions(JsonNode body) {
    Map<String, Boolean> flags = new LinkedHashMap<>();
    body.properties()
        .forEach(
            e -> {
              if (e.getValue().isBoolean()) {
                flags.put(e.getKey(), e.getValue().booleanValue());
              }
            });
    if (!body.has("ipRestrict") || !body.has("enableWithdrawals")) {
      throw new IllegalArgumentException("not an apiRestrictions answer");
    }
    Set<String> scopes = new LinkedHashSet<>();
    scopes.add("NONE");
    if (flag(flags, "enableReading")) {
      scopes.add("USER_DATA");
      scopes.add("USER_STREAM");
    }
    if (flag(flags, "enableSpotAndMarginTrading")) {
      scopes.add("TRADE");
    }
    if (flag(flags, "enableInternalTransfer") || flag(flags, "permitsUniversalTransfer")) {
      scopes.add("TRANSFER");
    }
    if (flag(flags, "enableWithdrawals")) {
      scopes.add("WITHDRAW");
    }
    return new KeyPermissions(
        scopes,
        flag(flags, "ipRestrict")
            ? KeyPermissions.IpRestriction.RESTRICTED
            : KeyPermissions.IpRestriction.UNRESTRICTED,
        flags);
  }

  /**
   * Reads Coinbase's {@code GET /api/v3/brokerage/key_permissions} answer ({@code can_view}, {@code
   * can_trade}, {@code can_transfer}); it says nothing of IP restrictions.
   */
  static KeyPermissions coinbasePermissions(JsonNode body) {
    Map<String, Boolean> flags = new LinkedHashMap<>();
    for (String name : List.of("can_view", "can_trade", "can_transfer")) {
      JsonNode v = body.get(name);
      if (v == null || !v.isBoolean()) {
        throw new IllegalArgumentException("not a key_permissions answer");
      }
      flags.put(name, v.booleanValue());
    }
    Set<String> scopes = new LinkedHashSet<>();
    scopes.add("PUBLIC");
    // every flag was put above
    if (Boolean.TRUE.equals(flags.get("can_view"))) {
      scopes.add("VIEW");
    }
    if (Boolean.TRUE.equals(flags.get("can_trade"))) {
      scopes.add("TRADE");
    }
    if (Boolean.TRUE.equals(flags.get("can_transfer"))) {
      scopes.add("TRANSFER");
    }
    return new KeyPermissions(scopes, KeyPermissions.IpRestriction.NOT_REPORTED, flags);
  }

  private static boolean flag(Map<String, Boolean> flags, String name) {
    return Boolean.TRUE.equals(flags.get(name));
  }

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
