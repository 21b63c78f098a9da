package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.testing.TestSecrets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The known-formats net leaves KeyGuard's own log lines and exception messages whole, even when the
 * key id, the environment variable or the system property holds a keyword such as {@code api-key},
 * {@code secret}, {@code token} or {@code password}, and leaves ordinary prose alone. The messages
 * follow the templates of sdk-core and sdk-aws (KeyManager, RefreshingManagedKey, the providers,
 * AuthenticationInterceptor, RetryInterceptor, AwsErrors).
 */
class RedactorOwnMessagesTest {

  private final Redactor redactor = Redactor.isolated(RedactorOptions.defaults());

  static Stream<String> ownMessages() {
    String fp1 = Secret.of(TestSecrets.randomBase64Url(24)).fingerprint();
    String fp2 = Secret.of(TestSecrets.randomBase64Url(24)).fingerprint();
    String awsVersion = java.util.UUID.randomUUID().toString();
    return Stream.of(
        "Key coingecko-api-key: loaded version 3 (" + fp1 + ") from env",
        "Key coingecko-api-key: loaded version 3 (fp:3f2a9c1b07d4) from env",
        "environment variable 'COINGECKO_API_KEY' is not set",
        "key 'coingecko-api-key': environment variable 'COINGECKO_API_KEY' is not set; set it to"
            + " the API key, or to a JSON object with the field 'apiKey'",
        "system property 'keyguard.api.token' is not set",
        "key 'keyguard-api-token': system property 'keyguard.api.token' is not set; set it to the"
            + " API key, or to a JSON object with the field 'apiKey'",
        "key 'coingecko-api-key' read from environment variable 'COINGECKO_API_KEY', version "
            + fp1,
        "token refresh failed: 503",
        "secret 'prod/market-data/api-key' not found",
        "AWS Secrets Manager has no secret 'prod/market-data/api-key' with stage AWSCURRENT: create"
            + " the secret (or the version stage), or fix the key id, account or region",
        "key 'prod/market-data/api-key': version "
            + awsVersion
            + " unchanged, value not downloaded"
            + " again",
        "key 'prod/market-data/api-key': read version " + awsVersion + " (stage AWSCURRENT)",
        "Key stripe-secret-key: rotated from version 3 (" + fp1 + ") to 4 (" + fp2 + ")",
        "Key db-password: fetch from vault failed (attempt 2, KeyProviderUnavailableException:"
            + " provider unavailable); still serving version 3 ("
            + fp1
            + ") until"
            + " 2026-12-01T20:00:00Z; next attempt in 2 s",
        "Key auth-token: version 7 (" + fp1 + ") expires at 2026-12-02T00:00:00Z",
        "Key api_key: new version v20261201 ("
            + fp1
            + ") is valid from 2026-12-02T00:00:00Z;"
            + " serving version v20261130 until then",
        "Key password: refresh recovered after 3 failed attempts",
        "Key 'binance-api-secret' version 7 rejected (HTTP 401) on GET"
            + " https://api.binance.com/api/v3/account; retrying once with version 8",
        "Key api-secret: version 7 ("
            + fp1
            + ") rejected by the API; offering previous version 6 ("
            + fp2
            + ")",
        "GET https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&x_cg_demo_api_key=[REDACTED]"
            + " got HTTP 503; retry 1 of 3 in 500 ms",
        "Key 'coingecko-api-key' could not be fetched from env",
        "Key 'kraken-api-secret' was not ready within 10 s (provider vault, 3 failed attempts)",
        "key 'my-api-key': the secret file /run/secrets/my-api-key does not exist",
        "credential 'binance-api-key' version '3' has no API secret, which the binance-hmac scheme"
            + " needs; store it in the 'apiSecret' field of the key's JSON value next to 'apiKey'",
        "VersionedCredential[keyId=coingecko-api-key, version=3, apiKey="
            + fp1
            + ", apiSecret="
            + fp2
            + "]",
        // quoted and escaped key ids, as a JSON log encoder writes them
        "{\"message\":\"Key coingecko-api-key: loaded version 3 (" + fp1 + ") from env\"}",
        "{\"msg\":\"key \\\"prod/api-token\\\": environment variable 'API_TOKEN' is not set\"}",
        "Key 'it\\'s-a-secret': loaded version 12 (" + fp1 + ") from file",
        "Key \"token: prod\": loaded version 2 (" + fp1 + ") from vault");
  }

  @ParameterizedTest
  @MethodSource("ownMessages")
  void redact_whenKeyGuardMessageNamesAKeywordKeyId_leavesTheMessageWhole(String message) {
    assertThat(redactor.redact(message)).isEqualTo(message);
  }

  static List<String> prose() {
    return List.of(
        "Using Bearer authentication for all requests",
        "password: changed successfully",
        "token: expired",
        "secret: not found",
        "api_key: missing, see the documentation",
        "Authorization: required",
        "token=undefined password=******** secret=<hidden>",
        "apiKey: ${COINGECKO_API_KEY}",
        "token: 2026-12-01T20:00:00Z",
        "password: 1.2.3-SNAPSHOT",
        "token_count: 1048576",
        "api_key=YOUR_API_KEY",
        "api_key=your-api-key-here",
        "token_url: https://auth.example.com/oauth2/token",
        "secret_file=/run/secrets/market-data/api-key",
        "apiKeyHeader: X-API-Key",
        "token: GetSecretValue",
        "Authorization: AWS4-HMAC-SHA256");
  }

  @ParameterizedTest
  @MethodSource("prose")
  void redact_whenKeywordIsFollowedByProse_leavesIt(String text) {
    assertThat(redactor.redact(text)).isEqualTo(text);
  }
}
