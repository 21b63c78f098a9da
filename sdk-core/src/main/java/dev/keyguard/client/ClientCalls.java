package dev.keyguard.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Runs an {@link ApiRequest} on a client's OkHttp chain: builds the OkHttp request (URL, JSON body,
 * headers), executes it on the caller's thread or OkHttp's dispatcher, reads a 2xx body up to the
 * client's {@code maxResponseBytes} and decodes it, and turns everything else into the KeyGuard
 * exception a caller can act on.
 */
final class ClientCalls {

  private final ClientSettings settings;
  private final OkHttpClient okHttp;
  private final JsonCodec codec;

  ClientCalls(ClientSettings settings, OkHttpClient okHttp, JsonCodec codec) {
    this.settings = settings;
    this.okHttp = okHttp;
    this.codec = codec;
  }

  <T> ApiResponse<T> execute(ApiRequest apiRequest, JavaType type) {
    Request request = toOkHttp(apiRequest);
    try (Response response = okHttp.newCall(request).execute()) {
      return toApiResponse(response, type);
    } catch (IOException e) {
      throw settings.failures().forIOException(e, request);
    }
  }

  <T> CompletableFuture<ApiResponse<T>> executeAsync(ApiRequest apiRequest, JavaType type) {
    return executeAsync(apiRequest, type, Function.<ApiResponse<T>>identity());
  }

  /**
   * Runs the request on OkHttp's dispatcher and completes with {@code finish} applied to the
   * response; failures complete the future with the KeyGuard exception itself (not wrapped), and
   * cancelling the future cancels the call.
   */
  <T, R> CompletableFuture<R> executeAsync(
      ApiRequest apiRequest, JavaType type, Function<ApiResponse<T>, R> finish) {
    Request request = toOkHttp(apiRequest);
    CompletableFuture<R> future = new CompletableFuture<>();
    Call call = okHttp.newCall(request);
    future.whenComplete(
        (r, t) -> {
          if (future.isCancelled()) {
            call.cancel();
          }
        });
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            future.completeExceptionally(settings.failures().forIOException(e, request));
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              ApiResponse<T> decoded = toApiResponse(response, type);
              future.complete(finish.apply(decoded));
            } catch (IOException e) {
              future.completeExceptionally(settings.failures().forIOException(e, request));
            } catch (RuntimeException e) {
              future.completeExceptionally(e);
            }
          }
        });
    return future;
  }

  private Request toOkHttp(ApiRequest r) {
    Request.Builder b =
        new Request.Builder()
            // the path was checked when the request was built
            .url(RequestUrls.appendChecked(settings.baseUrl(), r.path(), r.queryParameters()))
            .header("Accept", "application/json");
    if (!r.headers().isEmpty()) {
      r.headers().forEach(b::header);
    }
    String method = r.method();
    RequestBody body;
    if (r.body().isPresent()) {
      body = codec.encode(r.body().get());
    } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      body = RequestBody.create(new byte[0], null);
    } else {
      body = null;
    }
    return b.method(method, body).build();
  }

  private <T> ApiResponse<T> toApiResponse(Response response, JavaType type) throws IOException {
    if (!response.isSuccessful()) {
      throw settings.failures().forStatus(response);
    }
    ResponseBody body = response.body();
    byte[] bytes = readCapped(response, body);
    T value;
    try {
      // the content type (parsed with a regex) matters only for a String body's charset
      value =
          codec.decode(bytes, type.getRawClass() == String.class ? body.contentType() : null, type);
    } catch (JsonProcessingException e) {
      throw settings
          .failures()
          .forUndecodableBody(
              response,
              bytes,
              "the body could not be decoded as "
                  + type.toCanonical()
                  + " ("
                  + e.getOriginalMessage()
                  + ")");
    } catch (IOException e) {
      throw settings
          .failures()
          .forUndecodableBody(response, bytes, "the body could not be read as JSON");
    }
    // rate-limit headers and the request id are picked out only when the caller asks
    return new ApiResponse<>(response.code(), response.headers(), value, settings.headerSelector());
  }

  /**
   * The whole body, if it is at most {@code maxResponseBytes}: a declared length over the limit
   * fails before anything is read, a body without one (chunked, unpacked from gzip) as soon as more
   * than the limit has arrived. Holds at most the limit plus one segment while it reads; the
   * caller's try-with-resources closes the response, which releases the connection.
   */
  private byte[] readCapped(Response response, ResponseBody body) throws IOException {
    long max = settings.maxResponseBytes();
    long declared = body.contentLength();
    if (declared > max) {
      throw settings.failures().forOversizedBody(response, max, declared);
    }
    BufferedSource source = body.source();
    if (source.request(max + 1)) {
      throw settings.failures().forOversizedBody(response, max, -1);
    }
    byte[] bytes = source.readByteArray();
    if (declared >= 0 && bytes.length != declared) {
      // as ResponseBody.bytes() checks: a body cut short is a transport failure, not a bad body
      throw new IOException(
          "Content-Length (" + declared + ") and stream length (" + bytes.length + ") disagree");
    }
    return bytes;
  }
}
