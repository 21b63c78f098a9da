package dev.keyguard.testing;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Asserts that an object does not reveal a secret value through any of the ways objects usually
 * leak: {@code toString()}, exception messages, Jackson serialization and Java serialization.
 *
 * <p>For the subject it checks:
 *
 * <ul>
 *   <li>{@code String.valueOf(subject)};
 *   <li>if it is a {@link Throwable}: {@code getMessage()}, {@code getLocalizedMessage()} and
 *       {@code toString()} of it, of every cause and of every suppressed exception, and the printed
 *       stack trace;
 *   <li>Jackson serialization with a default {@link ObjectMapper}, with {@code FAIL_ON_EMPTY_BEANS}
 *       disabled, and with private fields visible (the most permissive configuration an application
 *       might use); a refusal is fine, but its message is checked too;
 *   <li>Java serialization with {@link ObjectOutputStream}: the bytes written (also those written
 *       before a {@link java.io.NotSerializableException}) and the failure's message.
 * </ul>
 *
 * <p>Each secret is looked for as raw text and bytes, URL-encoded (form and {@code %20} style),
 * JSON-escaped, in standard and URL-safe base64 (with and without padding), in lower- and
 * upper-case hex, and as UTF-16 (how Java serialization writes a {@code char[]}). A secret embedded
 * in a larger value before encoding (say, {@code base64("user:" + secret)}) is not found in that
 * encoded form: check the raw text where that matters.
 *
 * <p>A failure names the check, the form found and the secret's fingerprint, never the text that
 * contained the value, so a failing test does not leak either.
 *
 * <pre>{@code
 * Secret secret = TestSecrets.randomSecret();
 * VersionedCredential credential = VersionedCredential.builder(KeyId.of("demo"), secret).build();
 * SecretLeakAssertions.assertNoLeak(credential, secret);
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class SecretLeakAssertions {

  /** Shorter values would be found by chance in ordinary text. */
  private static final int MIN_SECRET_BYTES = 12;

  private static final Map<String, ObjectMapper> MAPPERS = jacksonMappers();

  private SecretLeakAssertions() {}

  /**
   * Asserts that no check finds any of the secrets in the subject.
   *
   * @param subject the object to examine; may be a {@link Throwable}
   * @param secrets the secrets it must not reveal, at least one, none destroyed
   * @throws AssertionError listing every check that found a secret
   * @throws IllegalArgumentException if no secret is given, or one is destroyed or too short to be
   *     looked for reliably
   */
  public static void assertNoLeak(Object subject, Secret... secrets) {
    assertNoLeak(subject, Arrays.asList(secrets));
  }

  /**
   * Asserts that no check finds any of the secrets in the subject; see {@link #assertNoLeak(Object,
   * Secret...)}.
   *
   * @param subject the object to examine
   * @param secrets the secrets it must not reveal
   * @throws AssertionError listing every check that found a secret
   */
  public static void assertNoLeak(Object subject, Collection<Secret> secrets) {
    List<Forms> forms = formsOf(secrets);
    List<String> findings = new ArrayList<>();
    String type = subject == null ? "null" : subject.getClass().getName();

    checkText("toString()", String.valueOf(subject), forms, findings);
    if (subject instanceof Throwable thrown) {
      checkThrowable("exception", thrown, forms, findings);
    }
    for (Map.Entry<String, ObjectMapper> mapper : MAPPERS.entrySet()) {
      checkJackson(mapper.getKey(), mapper.getValue(), subject, forms, findings);
    }
    checkJavaSerialization(subject, forms, findings);

    if (!findings.isEmpty()) {
      throw new AssertionError(
          "a secret leaks from " + type + ":\n  " + String.join("\n  ", findings));
    }
  }

  /**
   * Asserts that a text (a log, captured output, a message) contains none of the secrets in any of
   * the forms listed in the class description.
   *
   * @param where what the text is, for the failure message
   * @param text the text to examine
   * @param secrets the secrets it must not contain
   * @throws AssertionError naming the form found (never the text)
   */
  public static void assertNoLeakInText(String where, CharSequence text, Secret... secrets) {
    List<Forms> forms = formsOf(Arrays.asList(secrets));
    List<String> findings = new ArrayList<>();
    checkText(where, String.valueOf(text), forms, findings);
    if (!findings.isEmpty()) {
      throw new AssertionError("a secret leaks:\n  " + String.join("\n  ", findings));
    }
  }

  /**
   * The secret parts of credentials, for {@link #assertNoLeak(Object, Collection)}.
   *
   * @param credentials the credentials
   * @return their API keys and API secrets
   */
  public static List<Secret> secretsOf(VersionedCredential... credentials) {
    List<Secret> out = new ArrayList<>();
    for (VersionedCredential credential : credentials) {
      out.add(credential.apiKey());
      credential.apiSecret().ifPresent(out::add);
    }
    return out;
  }

  private static void checkThrowable(
      String label, Throwable root, List<Forms> forms, List<String> findings) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> queue = new ArrayList<>();
    queue.add(root);
    for (int i = 0; i < queue.size(); i++) {
      Throwable t = queue.get(i);
      if (!seen.add(t)) {
        continue;
      }
      String name = label + "[" + i + ": " + t.getClass().getName() + "]";
      checkText(name + ".getMessage()", t.getMessage(), forms, findings);
      checkText(name + ".getLocalizedMessage()", t.getLocalizedMessage(), forms, findings);
      checkText(name + ".toString()", t.toString(), forms, findings);
      if (t.getCause() != null) {
        queue.add(t.getCause());
      }
      queue.addAll(Arrays.asList(t.getSuppressed()));
    }
    StringWriter trace = new StringWriter();
    root.printStackTrace(new PrintWriter(trace));
    checkText(label + " stack trace", trace.toString(), forms, findings);
  }

  private static void checkJackson(
      String label, ObjectMapper mapper, Object subject, List<Forms> forms, List<String> findings) {
    try {
      String json = mapper.writeValueAsString(subject);
      checkText("Jackson (" + label + ") output", json, forms, findings);
    } catch (Exception refused) {
      // refusing is fine; the refusal must not carry the value either
      checkThrowable("Jackson (" + label + ") failure", refused, forms, findings);
    }
  }

  private static void checkJavaSerialization(
      Object subject, List<Forms> forms, List<String> findings) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(subject);
    } catch (Exception refused) {
      checkThrowable("Java serialization failure", refused, forms, findings);
    }
    // also the bytes written before a failure: a partial stream can hold the value
    checkBytes("Java serialization output", bytes.toByteArray(), forms, findings);
  }

  private static void checkText(
      String where, @Nullable String text, List<Forms> forms, List<String> findings) {
    if (text == null) {
      return;
    }
    for (Forms f : forms) {
      for (Map.Entry<String, String> form : f.text.entrySet()) {
        if (text.contains(form.getKey())) {
          findings.add(where + " contains " + f.fingerprint + " (" + form.getValue() + ")");
        }
      }
    }
  }

  private static void checkBytes(
      String where, byte[] data, List<Forms> forms, List<String> findings) {
    for (Forms f : forms) {
      for (Map.Entry<String, byte[]> form : f.bytes.entrySet()) {
        if (indexOf(data, form.getValue()) >= 0) {
          findings.add(where + " contains " + f.fingerprint + " (" + form.getKey() + ")");
        }
      }
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static List<Forms> formsOf(Collection<Secret> secrets) {
    Objects.requireNonNull(secrets, "secrets");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("name at least one secret to look for");
    }
    List<Forms> out = new ArrayList<>();
    for (Secret secret : secrets) {
      out.add(new Forms(Objects.requireNonNull(secret, "secret")));
    }
    return out;
  }

  private static Map<String, ObjectMapper> jacksonMappers() {
    Map<String, ObjectMapper> mappers = new LinkedHashMap<>();
    mappers.put("default ObjectMapper", new ObjectMapper());
    mappers.put(
        "FAIL_ON_EMPTY_BEANS disabled",
        JsonMapper.builder().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build());
    mappers.put(
        "private fields visible",
        JsonMapper.builder()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.FAIL_ON_SELF_REFERENCES)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .build());
    return Collections.unmodifiableMap(mappers);
  }

  /** The forms of one secret's value to look for: form → label. */
  private static final class Forms {
    final String fingerprint;
    final Map<String, String> text = new LinkedHashMap<>();
    final Map<String, byte[]> bytes = new LinkedHashMap<>();

    Forms(Secret secret) {
      if (secret.isDestroyed()) {
        throw new IllegalArgumentException(
            secret + " is destroyed: look for it before destroying it");
      }
      this.fingerprint = secret.toString();
      byte[] raw = secret.bytes(InsecureSecretAccess.get());
      try {
        if (raw.length < MIN_SECRET_BYTES) {
          throw new IllegalArgumentException(
              secret
                  + " is shorter than "
                  + MIN_SECRET_BYTES
                  + " bytes and would be found by chance; use TestSecrets");
        }
        bytes.put("raw bytes", raw.clone());
        String utf8 = utf8(raw);
        if (utf8 != null) {
          text.putIfAbsent(utf8, "raw text");
          text.putIfAbsent(URLEncoder.encode(utf8, StandardCharsets.UTF_8), "URL-encoded");
          text.putIfAbsent(
              URLEncoder.encode(utf8, StandardCharsets.UTF_8).replace("+", "%20"),
              "URL-encoded, %20 for space");
          text.putIfAbsent(
              new String(JsonStringEncoder.getInstance().quoteAsString(utf8)), "JSON-escaped");
          bytes.put("UTF-16", utf8.getBytes(StandardCharsets.UTF_16BE));
          bytes.put("UTF-16LE", utf8.getBytes(StandardCharsets.UTF_16LE));
        } else {
          text.putIfAbsent(new String(raw, StandardCharsets.ISO_8859_1), "raw bytes as ISO-8859-1");
        }
        Base64.Encoder[] encoders = {
          Base64.getEncoder(), Base64.getEncoder().withoutPadding(),
          Base64.getUrlEncoder(), Base64.getUrlEncoder().withoutPadding()
        };
        String[] labels = {
          "base64", "base64 without padding", "base64url", "base64url without padding"
        };
        for (int i = 0; i < encoders.length; i++) {
          text.putIfAbsent(encoders[i].encodeToString(raw), labels[i]);
        }
        text.putIfAbsent(HexFormat.of().formatHex(raw), "hex");
        text.putIfAbsent(HexFormat.of().withUpperCase().formatHex(raw), "upper-case hex");
        for (Map.Entry<String, String> form : text.entrySet()) {
          bytes.putIfAbsent(form.getValue(), form.getKey().getBytes(StandardCharsets.UTF_8));
        }
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
    }

    private static @Nullable String utf8(byte[] raw) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(raw))
            .toString();
      } catch (CharacterCodingException e) {
        return null;
      }
    }
  }
}
