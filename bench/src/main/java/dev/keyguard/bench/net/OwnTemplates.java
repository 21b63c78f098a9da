package dev.keyguard.bench.net;

import dev.keyguard.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * KeyGuard's own log lines and exception messages (the templates of sdk-core and sdk-aws main code:
 * KeyManager, RefreshingManagedKey, the providers, AuthSupport, AuthenticationInterceptor,
 * RetryInterceptor, HttpsPolicyInterceptor, AwsSecretsManagerKeyProvider, AwsErrors), each filled
 * with key ids that hold the net's keywords. None holds a live value: every change the net makes to
 * them is a false positive.
 */
final class OwnTemplates {

  private static final String[] KEY_IDS = {
    "coingecko-api-key",
    "prod/market-data/api-key",
    "binance-api-secret",
    "db-password",
    "auth-token",
    "stripe_secret_key",
    "apiKey",
    "kraken.private_key",
    "prices",
  };

  private static final String[] TEMPLATES = {
    "Key {id}: loaded version {v} ({fp}) from {provider}",
    "Key {id}: rotated from version {v} ({fp}) to {v2} ({fp2})",
    "Key {id}: refresh found version {v} unchanged",
    "Key {id}: refresh recovered after 3 failed attempts",
    "Key {id}: version {v} ({fp}) expires at {ts}",
    "Key {id}: version {v} ({fp}) was created at {ts}, more than 90 days ago; rotate it",
    "Key {id}: version {v} ({fp}) rejected by the API; offering previous version {v2} ({fp2})",
    "Key {id}: version {v} ({fp}) rejected by the API; nothing else to offer",
    "Key {id}: version {v} was rejected but {v2} is current",
    "Key {id}: the API accepted alternate version {v2} ({fp2}); serving it instead of {v} until"
        + " the backend's current version changes",
    "Key {id}: new version {v2} ({fp2}) is valid from {ts}; serving version {v} until then",
    "Key {id}: serving version {v} ({fp}) before its notBefore {ts}: no other version is usable",
    "Key {id}: fetch from {provider} failed (attempt 2, KeyProviderUnavailableException: provider"
        + " unavailable); still serving version {v} ({fp}) until {ts}; next attempt in 2 s",
    "Key {id}: fetching alternate versions from {provider} failed (TimeoutException); none offered",
    "Key {id}: refresh task failed unexpectedly: java.lang.IllegalStateException",
    "Key '{id}': refreshes have failed since {ts} (5 attempts) and version {v} was last confirmed"
        + " at {ts}, longer ago than maxStale (1 h). Last failure: KeyProviderUnavailableException",
    "Key '{id}': version {v} expired at {ts} and no newer version could be fetched from {provider}",
    "Key '{id}' could not be fetched from {provider}",
    "Key '{id}' was not ready within 10 s (provider {provider}, 3 failed attempts, a fetch is"
        + " still running)",
    "interrupted while waiting for key '{id}' to be ready",
    "provider {provider} returned no credential for key '{id}'",
    "Key '{id}': the backend's current version {v} expired at {ts}; rotate the key in the backend",
    "provider {provider} failed to fetch key '{id}' with java.lang.NullPointerException; treated"
        + " as unavailable, the cause says why",
    "key '{id}' not found in provider {provider} of the chain, trying the next",
    "key '{id}' served by provider {provider} of the chain, version {v}",
    "key '{id}' was not found by any provider of the chain; tried [env, file, vault]",
    "key '{id}': no file is configured for this key (configured: [{id}])",
    "key '{id}': the secret directory /run/secrets does not exist or is not a directory; is the"
        + " volume mounted?",
    "key '{id}': the secret file /run/secrets/{id} does not exist",
    "key '{id}' read from /run/secrets/{id}, version {fp}",
    "secret file /run/secrets/{id} of key '{id}' is readable by every user of the machine"
        + " (rw-r--r--); restrict it to the application's user (chmod 600, or Kubernetes"
        + " defaultMode: 0400)",
    "key '{id}': environment variable '{env}' is not set; set it to the API key, or to a JSON"
        + " object with the field 'apiKey'",
    "key '{id}': system property '{prop}' is not set; set it to the API key, or to a JSON object"
        + " with the field 'apiKey'",
    "key '{id}' read from environment variable '{env}', version {fp}",
    "key '{id}' read from system property '{prop}', version {fp}",
    "the stored value of key '{id}' is empty or blank",
    "credential '{id}' version '{v}' has no API secret, which the binance-hmac scheme needs"
        + " (HMAC-SHA256 signature); store it in the 'apiSecret' field of the key's JSON value"
        + " next to 'apiKey'",
    "the API secret of credential '{id}' version '{v}' is unusable: not valid base64",
    "Key '{id}' version {v} rejected (HTTP 401) on GET {url}; retrying once with version {v2}",
    "Reporting the acceptance of key '{id}' version {v} failed: IllegalStateException",
    "GET {url} got HTTP 503; retry 1 of 3 in 500 ms",
    "GET {url} got HTTP 429; not retrying: waiting 30000 ms more would pass the maximum total"
        + " wait of 10000",
    "Redirect from {url} to another origin https://cdn.example.net/: that hop and later ones"
        + " carry no credential",
    "API key sent as query parameter 'x_cg_demo_api_key': the key becomes part of the URL, which"
        + " proxies, servers and CDNs may write to their logs.",
    "AWS Secrets Manager secret '{id}' has no version in stage AWSCURRENT",
    "key '{id}': version {uuid} unchanged, value not downloaded again",
    "key '{id}': version {uuid} in stage AWSPREVIOUS vanished",
    "key '{id}': 1 alternate version(s) in stages [AWSPREVIOUS]",
    "key '{id}': read version {uuid} (stage AWSCURRENT)",
    "AWS Secrets Manager has no secret '{id}' with stage AWSCURRENT: create the secret (or the"
        + " version stage), or fix the key id, account or region",
    "AWS Secrets Manager could not decrypt secret '{id}' (stage AWSCURRENT): the caller needs"
        + " kms:Decrypt on the secret's KMS key (in the key policy and the IAM policy), and the"
        + " key must be enabled",
    "AWS denied GetSecretValue on secret '{id}' (stage AWSCURRENT): User:"
        + " arn:aws:iam::123456789012:user/app is not authorized to perform:"
        + " secretsmanager:GetSecretValue",
    "AWS Secrets Manager throttled GetSecretValue for key '{id}'; the last good key is kept and"
        + " the call is retried later",
    "secret '{id}' is scheduled for deletion in AWS Secrets Manager: restore it (aws"
        + " secretsmanager restore-secret) or point the key id at another secret",
    "VersionedCredential[keyId={id}, version={v}, apiKey={fp}, apiSecret={fp2}]",
    "{\"level\":\"INFO\",\"message\":\"Key {id}: loaded version {v} ({fp}) from {provider}\"}",
  };

  private OwnTemplates() {}

  static List<String> lines() {
    List<String> out = new ArrayList<>();
    for (String id : KEY_IDS) {
      String env = id.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
      String prop = id.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", ".");
      for (String t : TEMPLATES) {
        out.add(
            t.replace("{id}", id)
                .replace("{env}", env)
                .replace("{prop}", prop)
                .replace("{v2}", "8")
                .replace("{v}", "7")
                .replace("{fp2}", Secret.of(UUID.randomUUID().toString()).fingerprint())
                .replace("{fp}", Secret.of(UUID.randomUUID().toString()).fingerprint())
                .replace("{uuid}", UUID.randomUUID().toString())
                .replace("{ts}", "2026-12-01T20:00:00Z")
                .replace("{provider}", "env")
                .replace(
                    "{url}",
                    "https://api.coingecko.com/api/v3/simple/price?ids=bitcoin"
                        + "&x_cg_demo_api_key=[REDACTED]"));
      }
    }
    return out;
  }
}
