package dev.keyguard.client;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

/**
 * Last application interceptor: keeps OkHttp from sending a non-idempotent request a second time on
 * its own.
 *
 * <p>OkHttp's {@code retryOnConnectionFailure} (on by default) resends a request whose connection
 * failed after the request was written, typically a pooled connection the server had closed. For a
 * POST that may already have been processed (a signed order, a transfer) that is a duplicate the
 * application never asked for. Unless {@link RetryOptions#retryNonIdempotent()} allows it, the body
 * of a non-idempotent request is marked one-shot here, below every KeyGuard interceptor and above
 * OkHttp's retry layer: OkHttp then still retries a failure that happened before anything was sent,
 * and never one after. Idempotent requests keep OkHttp's retries.
 */
final class NoSilentResendInterceptor implements Interceptor {

  private final ClientSettings settings;

  NoSilentResendInterceptor(ClientSettings settings) {
    this.settings = settings;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    RequestBody body = request.body();
    if (body == null || body.isOneShot() || settings.retryOptions().mayRetry(request.method())) {
      return chain.proceed(request);
    }
    return chain.proceed(request.newBuilder().method(request.method(), new OneShot(body)).build());
  }

  /** The same body, declared one-shot. */
  private static final class OneShot extends RequestBody {
    private final RequestBody delegate;

    OneShot(RequestBody delegate) {
      this.delegate = delegate;
    }

    @Override
    public MediaType contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() throws IOException {
      return delegate.contentLength();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      delegate.writeTo(sink);
    }

    @Override
    public boolean isOneShot() {
      return true;
    }
  }
}
