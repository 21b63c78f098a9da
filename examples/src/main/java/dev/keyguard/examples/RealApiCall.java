package dev.keyguard.examples;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.Redactor;
import dev.keyguard.client.ApiPreset;
import dev.keyguard.client.ApiResponse;
import dev.keyguard.client.ApiResponseException;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.provider.EnvKeyProvider;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The real-API mode: one GET to a preset's API with the key from an environment variable, printing
 * the status, the rate-limit headers and the start of the body. Not run by the tests (it needs the
 * network and a key); its argument parsing is.
 */
final class RealApiCall {

  private static final int BODY_EXCERPT = 300;

  private RealApiCall() {}

  /**
   * Makes the call.
   *
   * @param options the parsed command line
   * @param out where to print
   * @param env the environment the key variable is read from
   * @return 0 for a 2xx answer, 1 for any other answer or failure, 2 if the key is missing
   */
  static int run(RealApiOptions options, PrintStream out, Map<String, String> env) {
    return run(options, out, env, null);
  }

  /**
   * Makes the call on a given OkHttp client (tests: one that trusts a local server's certificate).
   *
   * @param base the OkHttp client to build on, or null for KeyGuard's default
   */
  static int run(
      RealApiOptions options,
      PrintStream out,
      Map<String, String> env,
      @Nullable OkHttpClient base) {
    ApiPreset preset = options.preset();
    String keyVariable = options.keyVariable();
    String path = options.path();
    if (preset == null || keyVariable == null || path == null) {
      throw new IllegalArgumentException("no call to make: the options are those of --help");
    }
    String present = env.get(keyVariable);
    if (present == null || present.isBlank()) {
      // a conventional name is echoed; anything else might be a key given by mistake
      String variable =
          keyVariable.matches("[A-Z][A-Z0-9_]{0,63}")
              ? "The environment variable " + keyVariable
              : "The environment variable named by --key-env";
      out.println(
          variable
              + " is not set; export the API key in it (a key is never passed as"
              + " an argument).");
      return 2;
    }
    try (KeyManager keys =
        KeyManager.builder().provider(EnvKeyProvider.builder().variables(env).build()).build()) {
      ManagedKey key = keys.key(KeyId.of(keyVariable));
      keys.awaitReady(Duration.ofSeconds(5));
      KeyGuardClient.Builder builder =
          KeyGuardClient.builder()
              .preset(preset)
              .managedKey(key)
              .callTimeout(Duration.ofSeconds(30));
      if (base != null) {
        builder.okHttpClient(base);
      }
      KeyGuardClient client = builder.build();
      out.println(
          "GET "
              + client.url(path, options.query())
              + "  (preset "
              + preset.name()
              + ", key from $"
              + keyVariable
              + ", "
              + key.current().apiKey().fingerprint()
              + ")");
      try {
        ApiResponse<String> response = client.getResponse(path, options.query(), String.class);
        out.println("HTTP " + response.status());
        printHeaders(out, response.rateLimitHeaders());
        response.requestId().ifPresent(id -> out.println("request id: " + id));
        out.println("body: " + excerpt(response.body()));
        return 0;
      } catch (ApiResponseException e) {
        out.println("HTTP " + e.status() + ": " + e.getMessage());
        printHeaders(out, e.rateLimitHeaders());
        e.requestId().ifPresent(id -> out.println("request id: " + id));
        out.println("body: " + excerpt(e.bodyExcerpt()));
        return 1;
      }
    } catch (KeyGuardException e) {
      out.println(
          e.getClass().getSimpleName()
              + ": "
              + Redactor.global().redact(String.valueOf(e.getMessage())));
      if (e.getCause() instanceof ApiResponseException rejection) {
        // a KeyRejectedException carries the API's answer
        printHeaders(out, rejection.rateLimitHeaders());
        out.println("body: " + excerpt(rejection.bodyExcerpt()));
      }
      return 1;
    }
  }

  private static void printHeaders(PrintStream out, Map<String, String> headers) {
    if (headers.isEmpty()) {
      out.println("rate-limit headers: none");
      return;
    }
    out.println("rate-limit headers:");
    headers.forEach((name, value) -> out.println("  " + name + ": " + value));
  }

  private static String excerpt(@Nullable String body) {
    if (body == null || body.isEmpty()) {
      return "(empty)";
    }
    String oneLine = Redactor.global().redact(body).replaceAll("\\s+", " ").strip();
    return oneLine.length() <= BODY_EXCERPT ? oneLine : oneLine.substring(0, BODY_EXCERPT) + "...";
  }
}
