package dev.keyguard.client;

import java.io.IOException;
import okhttp3.Response;

/**
 * The one place that looks at response bodies without consuming them, and the one table of how much
 * each purpose may look at. A peek copies at most the limit from OkHttp's buffered source; the
 * caller still reads the whole body.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>purpose</th><th>bytes</th><th>why</th></tr>
 *   <tr><td>{@link #REJECTION_CODE}</td><td>16 KiB</td><td>an API's error field sits near the top
 *       of its JSON; a field past it is no match</td></tr>
 *   <tr><td>{@link #REDACTION_WINDOW}</td><td>64 KiB</td><td>text is redacted whole before it
 *       is cut, so a secret that crosses a cut is replaced whole; read this much past any
 *       cut (the end of the read, a cut itself, is left out by {@code
 *       Redactor.redactTruncated})</td></tr>
 *   <tr><td>{@link #MAX_BUFFERED_BODY}</td><td>1 MiB</td><td>the largest body (request or
 *       logged) ever copied into memory for inspection</td></tr>
 * </table>
 *
 * <p>The excerpt kept in an {@link ApiResponseException} is {@link
 * ApiResponseException#MAX_EXCERPT_BYTES}, cut from a {@link #REDACTION_WINDOW} peek.
 */
final class BodyPeek {

  /** The most bytes looked at for a credential-rejection error code. */
  static final int REJECTION_CODE = 16 * 1024;

  /** How far past a cut text is read and redacted before it is cut. */
  static final int REDACTION_WINDOW = 64 * 1024;

  /** The largest body copied into memory for inspection. */
  static final int MAX_BUFFERED_BODY = 1 << 20;

  private BodyPeek() {}

  /**
   * At most {@code limit} bytes of the response body, without consuming it.
   *
   * @throws IOException if the body cannot be read, or was already consumed
   */
  static byte[] peek(Response response, long limit) throws IOException {
    try {
      return response.peekBody(limit).bytes();
    } catch (IllegalStateException e) {
      // the body was already consumed or closed
      throw new IOException("the body can no longer be read", e);
    }
  }

  /** As {@link #peek}, but an empty array when the body cannot be read. */
  static byte[] peekOrEmpty(Response response, long limit) {
    try {
      return peek(response, limit);
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
