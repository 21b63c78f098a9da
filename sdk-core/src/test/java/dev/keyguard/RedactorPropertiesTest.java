package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Properties of {@link Redactor#redact(CharSequence)} over arbitrary secrets (regex metacharacters,
 * Unicode including surrogate pairs, secrets inside each other, shared prefixes) embedded in
 * arbitrary text in every supported encoding. Each encoding is computed here by the library that
 * really produces it (URLEncoder, OkHttp, Jackson, java.util.Base64), independently of the
 * redactor's own list of forms.
 *
 * <p>Property tests on QuickTheories inside plain Jupiter {@code @Test}s, so the suite-wide canary
 * extension covers them like every other test. Each run draws a fresh random seed; a falsified
 * property fails with the shrunk example and {@code Seed was N}, and {@code -DQT_SEED=N} on the
 * Maven command line (passed on to the forked test JVM) replays exactly that run.
 */
class RedactorPropertiesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UPPER_PERCENT = Pattern.compile("%[0-9A-F]{2}");

  /** The ways a secret is written into a text. */
  enum Encoding {
    RAW,
    URL_FORM,
    URL_FORM_LOWER_HEX,
    URL_PERCENT_20,
    OKHTTP_QUERY,
    OKHTTP_PATH,
    OKHTTP_FORM_BODY,
    JSON_JACKSON,
    HEX_LOWER,
    HEX_UPPER,
    BASE64,
    BASE64_NO_PADDING,
    BASE64_URL,
    BASE64_URL_NO_PADDING;

    String apply(String secret) {
      byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
      return switch (this) {
        case RAW -> secret;
        case URL_FORM -> URLEncoder.encode(secret, StandardCharsets.UTF_8);
        case URL_FORM_LOWER_HEX ->
            UPPER_PERCENT
                .matcher(URLEncoder.encode(secret, StandardCharsets.UTF_8))
                .replaceAll(m -> m.group().toLowerCase(Locale.ROOT));
        case URL_PERCENT_20 ->
            URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20");
        case OKHTTP_QUERY ->
            new HttpUrl.Builder()
                .scheme("https")
                .host("h")
                .addQueryParameter("k", secret)
                .build()
                .encodedQuery()
                .substring(2);
        case OKHTTP_PATH ->
            new HttpUrl.Builder()
                .scheme("https")
                .host("h")
                .addPathSegment(secret)
                .build()
                .encodedPath()
                .substring(1);
        case OKHTTP_FORM_BODY -> formBody(secret);
        case JSON_JACKSON -> json(secret);
        case HEX_LOWER -> HexFormat.of().formatHex(bytes);
        case HEX_UPPER -> HexFormat.of().withUpperCase().formatHex(bytes);
        case BASE64 -> Base64.getEncoder().encodeToString(bytes);
        case BASE64_NO_PADDING -> Base64.getEncoder().withoutPadding().encodeToString(bytes);
        case BASE64_URL -> Base64.getUrlEncoder().encodeToString(bytes);
        case BASE64_URL_NO_PADDING -> Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      };
    }

    private static String formBody(String secret) {
      try (Buffer buffer = new Buffer()) {
        new FormBody.Builder().add("k", secret).build().writeTo(buffer);
        return buffer.readUtf8().substring(2);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static String json(String secret) {
      try {
        String quoted = JSON.writeValueAsString(secret);
        return quoted.substring(1, quoted.length() - 1);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A secret written into text between two arbitrary strings, in one encoding. */
  record Embedding(
      String secret, String before, Encoding encoding, String after, boolean knownFormats) {}

  @Test
  void redact_neverLeavesASecretInAnyEncoding() {
    qt().withExamples(500)
        .forAll(secrets().zip(texts(), encodings(), texts(), booleans().all(), Embedding::new))
        .checkAssert(
            e -> {
              Redactor redactor =
                  Redactor.isolated(
                      RedactorOptions.builder().knownFormats(e.knownFormats()).build());
              redactor.register(Secret.of(e.secret()));

              String out = redactor.redact(e.before() + e.encoding().apply(e.secret()) + e.after());

              assertNoFormOf(e.secret(), out);
            });
  }

  @Test
  void redact_whenSecretsNestOverlapOrSharePrefixes_leavesNoneOfThem() {
    qt().withExamples(300)
        .forAll(families(), lists().of(encodings()).ofSizeBetween(1, 6), texts())
        .checkAssert(
            (secrets, encodings, filler) -> {
              Redactor redactor = Redactor.isolated();
              List<Secret> registered = new ArrayList<>();
              for (String s : secrets) {
                registered.add(Secret.of(s));
              }
              redactor.registerAll(registered);
              StringBuilder text = new StringBuilder(filler);
              for (int i = 0; i < secrets.size(); i++) {
                // adjacent and overlapping placements: no separator between some of them
                text.append(encodings.get(i % encodings.size()).apply(secrets.get(i)));
                if (i % 2 == 0) {
                  text.append(filler);
                }
              }

              String out = redactor.redact(text);

              for (String s : secrets) {
                assertNoFormOf(s, out);
              }
            });
  }

  @Test
  void redact_whenTextHoldsNoSecret_returnsItUnchanged() {
    qt().withExamples(500)
        .forAll(secrets(), texts())
        .assuming((secret, text) -> forms(secret).stream().noneMatch(text::contains))
        .checkAssert(
            (secret, text) -> {
              Redactor redactor =
                  Redactor.isolated(RedactorOptions.builder().knownFormats(false).build());
              redactor.register(Secret.of(secret));

              assertThat(redactor.redact(text)).isSameAs(text);
            });
  }

  @Test
  void redact_isIdempotent() {
    qt().withExamples(300)
        .forAll(secrets(), texts(), encodings())
        .checkAssert(
            (secret, before, encoding) -> {
              Redactor redactor = Redactor.isolated();
              redactor.register(Secret.of(secret));

              String once = redactor.redact(before + encoding.apply(secret) + before);

              assertThat(redactor.redact(once)).isEqualTo(once);
            });
  }

  private static void assertNoFormOf(String secret, String out) {
    for (String form : forms(secret)) {
      assertThat(out).as("output must not contain a form of the secret").doesNotContain(form);
    }
  }

  /**
   * Every encoding of the secret, as documented: derived forms of fewer than 8 chars are not
   * covered.
   */
  private static Set<String> forms(String secret) {
    Set<String> forms = new LinkedHashSet<>();
    forms.add(secret);
    for (Encoding e : Encoding.values()) {
      String form = e.apply(secret);
      if (form.length() >= 8) {
        forms.add(form);
      }
    }
    return forms;
  }

  /** Code points that stress the redactor: regex metacharacters, URL and JSON specials, Unicode. */
  private static Gen<Integer> codePoints() {
    return Generate.frequency(
        List.of(
            Pair.of(6, integers().between('a', 'z')),
            Pair.of(3, integers().between('0', '9')),
            Pair.of(2, integers().between('A', 'Z')),
            Pair.of(
                4,
                Generate.pick(".*+?^$()[]{}|\\/:;=&%#@!'\"<>,~` -_\t\n".chars().boxed().toList())),
            Pair.of(1, integers().between(0xA0, 0x2FFF)),
            // supplementary code points: UTF-16 surrogate pairs
            Pair.of(1, integers().between(0x1F300, 0x1FAFF))));
  }

  private static Gen<String> strings(int min, int max) {
    return lists()
        .of(codePoints())
        .ofSizeBetween(min, max)
        .map(
            cps -> {
              StringBuilder b = new StringBuilder();
              cps.forEach(b::appendCodePoint);
              return b.toString();
            });
  }

  private static Gen<String> secrets() {
    return strings(8, 40).assuming(s -> !s.isBlank());
  }

  private static Gen<String> texts() {
    return strings(0, 120);
  }

  private static Gen<Encoding> encodings() {
    return Generate.enumValues(Encoding.class);
  }

  /** Two to five secrets built from one base: itself, extended, prefixed, cut, sharing a prefix. */
  private static Gen<List<String>> families() {
    return secrets()
        .zip(
            strings(1, 10),
            strings(1, 10),
            integers().between(1, 7),
            (base, left, right, cut) -> {
              List<String> family = new ArrayList<>();
              family.add(base);
              family.add(base + right);
              family.add(left + base);
              String prefix =
                  base.substring(
                      0, Character.isHighSurrogate(base.charAt(cut)) ? cut + 2 : cut + 1);
              family.add(prefix + right + left);
              family.add(base.substring(prefix.length()) + left);
              List<String> usable = new ArrayList<>();
              for (String s : family) {
                if (!s.isBlank() && !usable.contains(s)) {
                  usable.add(s);
                }
              }
              return usable;
            });
  }
}
