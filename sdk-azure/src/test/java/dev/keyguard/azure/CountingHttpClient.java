package dev.keyguard.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * Counts the requests the Azure SDK hands to its HTTP client, one per attempt on the network, then
 * sends them with the real client: a count below KeyGuard for faults that never reach a proxy (a
 * refused port, a name that does not resolve). Thread-safe.
 */
final class CountingHttpClient implements HttpClient {

  private final HttpClient delegate;
  private final AtomicInteger sent = new AtomicInteger();

  CountingHttpClient(HttpClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request) {
    return Mono.defer(
        () -> {
          sent.incrementAndGet();
          return delegate.send(request);
        });
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request, Context context) {
    return Mono.defer(
        () -> {
          sent.incrementAndGet();
          return delegate.send(request, context);
        });
  }

  @Override
  public HttpResponse sendSync(HttpRequest request, Context context) {
    sent.incrementAndGet();
    return delegate.sendSync(request, context);
  }

  /** Requests sent so far, answered or not. */
  int sent() {
    return sent.get();
  }
}
