package dev.keyguard.client;

import static dev.keyguard.client.SecretFragments.assertNoFragment;
import static dev.keyguard.client.SecretFragments.upperCaseSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.keyguard.KeyId;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.TestCredentials;
import dev.keyguard.testing.LogCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Excerpts are correct by construction: for any body, no 6 chars of a live secret appear in an
 * {@link ApiResponseException}'s excerpt (1 KiB) or message, nor in the {@link HttpLogger}'s BODY
 * log ({@code maxBodyBytes}). Each body places a live secret across one of the cuts (the end of
 * what is read, the excerpt's or log's size limit, the message's 200 chars), after a run of tokens
 * the redactor shrinks: long JWT-shaped tokens and {@code api_key=…} assignments (caught by the
 * known-formats net) and other live secrets, which pull text from past a cut forward.
 *
 * <p>Property tests on QuickTheories inside plain Jupiter {@code @Test}s, so the suite-wide canary
 * extension covers them; each run draws a fresh seed, and a falsified property fails with {@code
 * Seed was N} ({@code -DQT_SEED=N} replays it). Secrets are upper-case letters and digits, the text
 * around them lower-case and punctuation, so any 6-char run of a secret in an output can only come
 * from that secret; failures name the secret and the offset, never the text.
 */
class ExcerptPropertiesTest {

  private static final int[] SECRET_LENGTHS = {12, 40, 64, 100, 300, 1000};
  private static final List<String> LIVE = new ArrayList<>();
  private static final List<Secret> REGISTERED = new ArrayList<>();
  private static final MediaType JSON = MediaType.get("application/json");

  @BeforeAll
  static void registerLiveSecrets() {
    for (int length : SECRET_LENGTHS) {
      String value = upperCaseSecret(length);
      Secret secret = Secret.of(value);
      Redactor.global().register(secret);
      REGISTERED.add(secret);
      LIVE.add(value);
    }
  }

  @AfterAll
  static void retireLiveSecrets() {
    REGISTERED.forEach(Redactor.global()::retire);
  }

  /**
   * A body: shrinking tokens up to {@code cut - offset}, then live secret {@code secret} (so that
   * {@code offset} of its chars lie before the cut), then {@code tail} chars of more tokens.
   */
  record Plan(int cut, int secret, int offset, int tail, long seed) {

    String body() {
      String key = LIVE.get(secret);
      int start = Math.max(0, cut - Math.min(offset, key.length()));
      Random random = new Random(seed);
      StringBuilder b = new StringBuilder(start + key.length() + tail);
      tokens(b, start, random);
      b.append(key);
      tokens(b, b.length() + tail, random);
      return b.toString();
    }

    /**
     * Appends shrinking tokens and filler until {@code b} is exactly {@code end} chars; the last
     * token may be cut short, unless it is a live secret.
     */
    private static void tokens(StringBuilder b, int end, Random random) {
      while (b.length() < end) {
        int room = end - b.length();
        int kind = random.nextInt(5);
        String token;
        if (kind <= 1 && room > 40) {
          // a JWT shape: eyJ<header>.eyJ<payload>.<signature>, one to 70 000 chars of payload
          int payload = 4 + random.nextInt(Math.min(room - 30, 70_000));
          token =
              "eyJ" + lower(random, 10) + ".eyJ" + lower(random, payload) + "." + lower(random, 16);
        } else if (kind == 2 && room > 20) {
          token = "api_key=" + lower(random, 6 + random.nextInt(Math.min(room - 10, 4096)));
        } else if (kind == 3 && room >= 1000) {
          // another live secret, always whole: only a whole value can be recognised
          token = LIVE.get(random.nextInt(LIVE.size()));
        } else {
          token = lower(random, 1 + random.nextInt(Math.min(room, 300)));
        }
        String separator = random.nextBoolean() ? " " : "\",\"";
        b.append(token, 0, Math.min(token.length(), room));
        if (b.length() < end) {
          b.append(separator, 0, Math.min(separator.length(), end - b.length()));
        }
      }
    }

    private static String lower(Random random, int length) {
      char[] out = new char[length];
      for (int i = 0; i < length; i++) {
        out[i] = (char) ('a' + random.nextInt(26));
      }
      return new String(out);
    }
  }

  private static Gen<Plan> plans(int... cuts) {
    return integers()
        .between(0, cuts.length - 1)
        .zip(
            integers().between(0, SECRET_LENGTHS.length - 1),
            integers().between(0, 1000),
            integers().between(0, 3000),
            (c, s, o, t) -> new int[] {cuts[c], s, o, t})
        .zip(longs().all(), (p, seed) -> new Plan(p[0], p[1], p[2], p[3], seed));
  }

  private static ResponseFailures failures() {
    KeyGuardClient.Builder b =
        KeyGuardClient.builder()
            .baseUrl("https://api.example.com/v2")
            .managedKey(new FakeManagedKey(TestCredentials.credential(KeyId.of("excerpts"), "1")))
            .authScheme(TestSchemes.header());
    return new ClientSettings(b, b.baseUrl, b.managedKey, b.authScheme, new OkHttpClient())
        .failures();
  }

  private static Response response(int code, String body) {
    return new Response.Builder()
        .request(new Request.Builder().url("https://api.example.com/v2/price").build())
        .protocol(Protocol.HTTP_1_1)
        .code(code)
        .message("")
        .body(ResponseBody.create(body, JSON))
        .build();
  }

  @Test
  void forStatus_excerptAndMessageHoldNoPartOfALiveSecret_whereverTheCutsFall() {
    ResponseFailures failures = failures();
    qt().withExamples(300)
        .forAll(plans(BodyPeek.REDACTION_WINDOW, ApiResponseException.MAX_EXCERPT_BYTES, 200))
        .checkAssert(
            plan -> {
              ApiResponseException e = failures.forStatus(response(400, plan.body()));

              assertNoFragment("bodyExcerpt()", e.bodyExcerpt(), LIVE);
              assertNoFragment("getMessage()", e.getMessage(), LIVE);
              assertThat(e.bodyExcerpt().getBytes(StandardCharsets.UTF_8))
                  .hasSizeLessThanOrEqualTo(ApiResponseException.MAX_EXCERPT_BYTES);
            });
  }

  @Test
  void forUndecodableBody_excerptAndMessageHoldNoPartOfALiveSecret_whereverTheCutsFall() {
    ResponseFailures failures = failures();
    qt().withExamples(300)
        .forAll(plans(BodyPeek.REDACTION_WINDOW, ApiResponseException.MAX_EXCERPT_BYTES, 200))
        .checkAssert(
            plan -> {
              byte[] body = plan.body().getBytes(StandardCharsets.UTF_8);

              ApiResponseException e =
                  failures.forUndecodableBody(response(200, plan.body()), body, "not JSON");

              assertNoFragment("bodyExcerpt()", e.bodyExcerpt(), LIVE);
              assertNoFragment("getMessage()", e.getMessage(), LIVE);
              assertThat(e.bodyExcerpt().getBytes(StandardCharsets.UTF_8))
                  .hasSizeLessThanOrEqualTo(ApiResponseException.MAX_EXCERPT_BYTES);
            });
  }

  @Test
  void httpLoggerBody_holdsNoPartOfALiveSecret_whereverTheCutsFall() {
    for (int maxBodyBytes : new int[] {64, 1000, (int) HttpLogger.DEFAULT_MAX_BODY_BYTES}) {
      try (LogCapture captured = LogCapture.isolated("test.excerpts")) {
        HttpLogger logger =
            HttpLogger.builder()
                .level(HttpLogger.Level.BODY)
                .maxBodyBytes(maxBodyBytes)
                .logger(captured.logger())
                .build();
        qt().withExamples(100)
            .forAll(plans(maxBodyBytes, maxBodyBytes + BodyPeek.REDACTION_WINDOW))
            .checkAssert(
                plan -> {
                  String log = logResponse(logger, captured, plan.body());

                  assertNoFragment("the BODY log (maxBodyBytes " + maxBodyBytes + ")", log, LIVE);
                });
      }
    }
  }

  /** Runs one call through the logger, answered by an interceptor behind it: no network. */
  private static String logResponse(HttpLogger logger, LogCapture captured, String body) {
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(logger)
            .addInterceptor(
                chain -> response(200, body).newBuilder().request(chain.request()).build())
            .build();
    int before = captured.messages().size();
    Request request = new Request.Builder().url("https://api.example.com/v2/price").build();
    try (Response response = client.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
    } catch (IOException e) {
      throw new AssertionError("the canned call failed: " + e.getClass().getName());
    }
    List<String> messages = captured.messages();
    return String.join("\n", messages.subList(before, messages.size()));
  }
}
