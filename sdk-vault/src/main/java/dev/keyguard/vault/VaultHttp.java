package dev.keyguard.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Secret;
import dev.keyguard.client.HttpsPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.EventListener;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * The Vault HTTP API on OkHttp: one client per provider, built from an {@link HttpsPolicy} (https
 * only, loopback http only through the policy's testing switch, TLS 1.2+, the policy's trusted
 * certificates, pins and proxy). Redirects are not followed: a Vault redirect would carry the token
 * to wherever it points. Every request carries the namespace header if one is set; the token header
 * is added only from a {@link Secret} whose characters were checked ({@link
 * #checkedTokenCharacters(Secret, String)}), so OkHttp's header validation, whose message would
 * quote the value, never sees a bad one.
 *
 * <p>Thread-safe.
 */
final class VaultHttp {

  static final String TOKEN_HEADER = "X-Vault-Token";
  static final String NAMESPACE_HEADER = "X-Vault-Namespace";

  /** The most of a response body that is read; a KV secret is far smaller. */
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private static final MediaType JSON = MediaType.get("application/json");

  /**
   * Strict: a repeated field (two {@code apiKey}s, of which a lenient reader keeps the last) or
   * content after the document makes the answer unreadable rather than half-read.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private static final HttpsPolicy LOOPBACK_TESTING =
      HttpsPolicy.builder().allowLoopbackCleartextForTesting().build();

  /**
   * One Vault answer: its status and its JSON (null when the body is empty or not JSON); {@code
   * unreadable} when a body came that is not one well-formed JSON document (an HTML page from a
   * proxy, truncated or invalid UTF-8, a repeated field), whose content is never kept.
   */
  record Reply(int status, @Nullable JsonNode json, boolean unreadable) {

    Reply(int status, @Nullable JsonNode json) {
      this(status, json, false);
    }

    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** Vault's {@code errors} array joined, bounded to one line; empty if there is none. */
    String errors() {
      if (json == null || !json.path("errors").isArray()) {
        return "";
      }
      List<String> parts = new ArrayList<>();
      for (JsonNode e : json.path("errors")) {
        if (e.isTextual() && !e.textValue().isBlank()) {
          parts.add(e.textValue());
        }
      }
      return VaultErrors.clean(String.join("; ", parts));
    }
  }

  private final HttpUrl address;
  private final @Nullable String namespace;
  private final OkHttpClient client;

  VaultHttp(
      HttpUrl address,
      @Nullable String namespace,
      HttpsPolicy policy,
      Duration connectTimeout,
      Duration readTimeout,
      @Nullable EventListener eventListener) {
    this.address = address;
    this.namespace = namespace;
    this.client = client(policy, connectTimeout, readTimeout, eventListener);
  }

  HttpUrl address() {
    return address;
  }

  @Nullable String namespace() {
    return namespace;
  }

  /**
   * Checks that an address may be used under a policy.
   *
   * @throws IllegalArgumentException naming what to change
   */
  static HttpUrl checkedAddress(String address, HttpsPolicy policy) {
    HttpUrl url = HttpUrl.parse(address);
    if (url == null) {
      throw new IllegalArgumentException(
          "the Vault address must be an absolute http(s) URL such as https://vault.example.com:8200,"
              + " was '"
              + address
              + "'");
    }
    if (!url.username().isEmpty() || !url.password().isEmpty()) {
      throw new IllegalArgumentException("the Vault address must not contain user info");
    }
    if (url.query() != null || url.fragment() != null) {
      throw new IllegalArgumentException(
          "the Vault address must not contain a query or a fragment: " + url.redact());
    }
    if (!policy.permits(url)) {
      // a loopback address would be permitted by the testing switch: say so
      boolean loopback = LOOPBACK_TESTING.permits(url);
      throw new IllegalArgumentException(
          "the Vault address must use https, was "
              + url.redact()
              + ": the Vault token and the secrets would cross the network in cleartext"
              + (loopback
                  ? " (for a local dev server in tests only, pass an HttpsPolicy with"
                      + " allowLoopbackCleartextForTesting())"
                  : ""));
    }
    return url;
  }

  /** Sends a GET; {@code query} values are added in order. */
  Reply get(String apiPath, @Nullable Secret token, Map<String, String> query) throws IOException {
    HttpUrl.Builder url = url(apiPath);
    query.forEach(url::addQueryParameter);
    return send(request(url.build(), token).get().build(), client);
  }

  /** Sends a POST with a JSON body (which may hold a secret: it is never logged). */
  Reply post(String apiPath, @Nullable Secret token, ObjectNode body) throws IOException {
    return post(apiPath, token, body, null);
  }

  /** A POST bounded by {@code timeout} as a whole (for the best-effort revocation at close). */
  Reply post(String apiPath, @Nullable Secret token, ObjectNode body, @Nullable Duration timeout)
      throws IOException {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IOException("could not write the request body", null);
    }
    Request request =
        request(url(apiPath).build(), token).post(RequestBody.create(bytes, JSON)).build();
    return send(
        request, timeout == null ? client : client.newBuilder().callTimeout(timeout).build());
  }

  private HttpUrl.Builder url(String apiPath) {
    HttpUrl.Builder b = address.newBuilder();
    // the address may carry a path prefix (a proxy); api paths are relative to /v1/
    b.addPathSegment("v1");
    for (String segment : apiPath.split("/", -1)) {
      if (!segment.isEmpty()) {
        b.addPathSegment(segment);
      }
    }
    return b;
  }

  private Request.Builder request(HttpUrl url, @Nullable Secret token) {
    Request.Builder b = new Request.Builder().url(url).header("Accept", "application/json");
    if (namespace != null) {
      b.header(NAMESPACE_HEADER, namespace);
    }
    if (token != null) {
      b.header(TOKEN_HEADER, token.value(InsecureSecretAccess.get()));
    }
    return b;
  }

  private static Reply send(Request request, OkHttpClient client) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      ResponseBody body = response.body();
      JsonNode json = null;
      boolean unreadable = false;
      byte[] bytes = read(body);
      if (bytes.length > 0) {
        try {
          json = MAPPER.readTree(bytes);
        } catch (IOException notJson) {
          // an HTML page from a proxy or a load balancer: the status is all we keep
          json = null;
          unreadable = true;
        } finally {
          java.util.Arrays.fill(bytes, (byte) 0);
        }
      }
      return new Reply(response.code(), json, unreadable);
    }
  }

  private static byte[] read(ResponseBody body) throws IOException {
    try (InputStream in = body.byteStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        java.util.Arrays.fill(bytes, (byte) 0);
        throw new IOException(
            "the Vault response is larger than " + (MAX_BODY_BYTES / 1024) + " KiB", null);
      }
      return bytes;
    }
  }

  /**
   * Checks that a token can go into a header: visible ASCII only. The message never holds the
   * value.
   */
  static Secret checkedTokenCharacters(Secret token, String where) {
    String value = token.value(InsecureSecretAccess.get());
    if (value.isEmpty()) {
      throw new IllegalArgumentException("the Vault token from " + where + " is empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(
            "the Vault token from "
                + where
                + " holds a character that cannot be sent in a header (position "
                + (i + 1)
                + " of "
                + value.length()
                + ": a space, a line break, a control or a non-ASCII character); check how it was"
                + " stored (a trailing newline in a file is stripped, other whitespace is not)");
      }
    }
    return token;
  }

  private static OkHttpClient client(
      HttpsPolicy policy,
      Duration connectTimeout,
      Duration readTimeout,
      @Nullable EventListener eventListener) {
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    if (eventListener != null) {
      builder.eventListener(eventListener); // the network-fault tests count attempts with it
    }
    // TLS 1.2+, trusted certificates, pins, proxy and the loopback testing switch, exactly as a
    // KeyGuardClient applies them; checkedAddress refuses the URLs the policy does not permit
    return policy
        .configure(builder)
        .followRedirects(false)
        .followSslRedirects(false)
        .connectTimeout(connectTimeout)
        .readTimeout(readTimeout)
        .writeTimeout(readTimeout)
        .callTimeout(connectTimeout.plus(readTimeout).plus(readTimeout))
        .build();
  }

  /** Shuts the client's dispatcher and connections down. */
  void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
