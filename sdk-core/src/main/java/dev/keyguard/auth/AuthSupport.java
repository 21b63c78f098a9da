package dev.keyguard.auth;

import dev.keyguard.CredentialRequirement;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;

/** What the built-in {@link AuthScheme}s share: credential checks, body access, HMAC. */
final class AuthSupport {

  static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");

  private AuthSupport() {}

  /**
   * Returns the API key as text, checked to be usable as an HTTP header value. OkHttp's own check
   * would put the value in its exception message for any header but {@code Authorization}.
   */
  static String headerSafeApiKey(VersionedCredential credential, String scheme) {
    String value = credential.apiKey().value(InsecureSecretAccess.get());
    checkHeaderSafe(value, credential, "API key", scheme);
    return value;
  }

  static void checkHeaderSafe(
      String value, VersionedCredential credential, String part, String scheme) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7e) {
        throw new MalformedSecretException(
            "the "
                + part
                + " of credential '"
                + credential.keyId()
                + "' version '"
                + credential.version()
                + "' contains a control or non-ASCII character at position "
                + i
                + ", which cannot be sent in an HTTP header ("
                + scheme
                + "); check the stored value for a stray newline or quote",
            null,
            credential.keyId(),
            credential.version());
      }
    }
  }

  /**
   * Returns the API secret, or fails as the key path does when it loads a credential that does not
   * meet the scheme's requirement: one message, naming the key, version, scheme, expected field and
   * the fields found.
   */
  static Secret requireApiSecret(
      VersionedCredential credential, CredentialRequirement requirement) {
    requirement.check(credential);
    return credential.apiSecret().orElseThrow();
  }

  static MalformedSecretException malformedSecret(VersionedCredential credential, String problem) {
    return new MalformedSecretException(
        "the API secret of credential '"
            + credential.keyId()
            + "' version '"
            + credential.version()
            + "' is unusable: "
            + problem,
        null,
        credential.keyId(),
        credential.version());
  }

  /**
   * Reads a request body so that it can be signed and sent again. Returns an empty array for a
   * request without a body.
   *
   * @throws IllegalArgumentException if the body can be written only once
   */
  static byte[] bodyBytes(Request request, String scheme) {
    RequestBody body = request.body();
    if (body == null) {
      return new byte[0];
    }
    if (body.isOneShot() || body.isDuplex()) {
      throw new IllegalArgumentException(
          "the "
              + scheme
              + " scheme signs the request body, but this body can be written only once;"
              + " build it from bytes or a FormBody");
    }
    try (Buffer buffer = new Buffer()) {
      body.writeTo(buffer);
      return buffer.readByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the request body to sign it", e);
    }
  }

  /**
   * Whether a body is form-encoded (or carries no content type, which the schemes treat as such).
   */
  static boolean isFormOrUntyped(Request request) {
    RequestBody body = request.body();
    MediaType type = body == null ? null : body.contentType();
    return type == null
        || (type.type().toLowerCase(Locale.ROOT).equals("application")
            && type.subtype().toLowerCase(Locale.ROOT).equals("x-www-form-urlencoded"));
  }

  static MediaType formOrOwnType(Request request) {
    RequestBody body = request.body();
    return body != null && body.contentType() != null ? body.contentType() : FORM;
  }

  /** Whether a form-encoded body already has a parameter with this name. */
  static boolean formHasParameter(byte[] form, String name) {
    String text = new String(form, StandardCharsets.UTF_8);
    for (String pair : text.split("&", -1)) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return true;
      }
    }
    return false;
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }
}
