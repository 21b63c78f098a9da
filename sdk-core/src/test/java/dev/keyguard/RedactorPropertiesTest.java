package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okio.Buffer;

/**
 * Properties of {@link Redactor#redact(CharSequence)} over arbitrary secrets (regex
 * metacharacters, Unicode including surrogate pairs, secrets inside each other, shared prefixes)
 * embedded in arbitrary text in every supported encoding. Each encoding is computed here by the
 * library that really produces it (URLEncoder, OkHttp, Jackson, java.util.Base64), independently
 * of the redactor's own list of forms.
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
        case URL_PERCENT_20 -> URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20");
        case OKHTTP_QUERY ->
            new HttpUrl.Builder()
                .scheme("https")
                .host("h")
                .addQueryParameter("k", secret)
                .build()
                .encodedQuery()
                .substring(2);
        case OKHTTP_PATH ->
            new HttpUrl.Builder().scheme("https").host("h").addPathSegment(secret).build().encodedPath().substring(1);
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

  @Property(tries = 500)
  void redact_neverLeavesASecretInAnyEncoding(
      @ForAll("secrets") String secret,
      @ForAll("texts") String before,
      @ForAll("texts") String after,
      @ForAll Encoding encoding,
      @ForAll boolean knownFormats) {
    Redactor redactor = Redactor.builder().knownFormats(knownFormats).build();
    redactor.register(Secret.of(secret));

    String out = redactor.redact(before + encoding.apply(secret) + after);

    assertNoFormOf(secret, out);
  }

  @Property(tries = 300)
  void redact_whenSecretsNestOverlapOrSharePrefixes_leavesNoneOfThem(
      @ForAll("families") List<String> secrets,
      @ForAll @Size(min = 1, max = 6) List<Encoding> encodings,
      @ForAll("texts") String filler) {
    Redactor redactor = Redactor.builder().build();
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
  }

  @Property(tries = 500)
  void redact_whenTextHoldsNoSecret_returnsItUnchanged(
      @ForAll("secrets") String secret, @ForAll("texts") String text) {
    for (String form : forms(secret)) {
      Assume.that(!text.contains(form));
    }
    Redactor redactor = Redactor.builder().knownFormats(false).build();
    redactor.register(Secret.of(secret));

    assertThat(redactor.redact(text)).isSameAs(text);
  }

  @Property(tries = 300)
  void redact_isIdempotent(
      @ForAll("secrets") String secret,
      @ForAll("texts") String before,
      @ForAll Encoding encoding) {
    Redactor redactor = Redactor.builder().build();
    redactor.register(Secret.of(secret));

    String once = redactor.redact(before + encoding.apply(secret) + before);

    assertThat(redactor.redact(once)).isEqualTo(once);
  }

  private static void assertNoFormOf(String secret, String out) {
    for (String form : forms(secret)) {
      assertThat(out).as("output must not contain a form of the secret").doesNotContain(form);
    }
  }

  /** Every encoding of the secret, as documented: derived forms of fewer than 8 chars are not covered. */
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
  private static Arbitrary<Integer> codePoints() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between('a', 'z')),
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between('0', '9')),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between('A', 'Z')),
        net.jqwik.api.Tuple.of(
            4, Arbitraries.of(".*+?^$()[]{}|\\/:;=&%#@!'\"<>,~` -_\t\n".chars().boxed().toList())),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xA0, 0x2FFF)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x1F300, 0x1FAFF)));
  }

  private static Arbitrary<String> strings(int min, int max) {
    return codePoints()
        .list()
        .ofMinSize(min)
        .ofMaxSize(max)
        .map(
            cps -> {
              StringBuilder b = new StringBuilder();
              cps.forEach(b::appendCodePoint);
              return b.toString();
            });
  }

  @Provide
  Arbitrary<String> secrets() {
    return strings(8, 40).filter(s -> !s.isBlank());
  }

  @Provide
  Arbitrary<String> texts() {
    return strings(0, 120);
  }

  /** Two to five secrets built from one base: itself, extended, prefixed, cut, sharing a prefix. */
  @Provide
  Arbitrary<List<String>> families() {
    return Combinators.combine(secrets(), strings(1, 10), strings(1, 10), Arbitraries.integers().between(1, 7))
        .as(
            (base, left, right, cut) -> {
              List<String> family = new ArrayList<>();
              family.add(base);
              family.add(base + right);
              family.add(left + base);
              String prefix = base.substring(0, Character.isHighSurrogate(base.charAt(cut)) ? cut + 2 : cut + 1);
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
