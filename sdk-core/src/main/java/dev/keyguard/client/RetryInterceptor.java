package dev.keyguard.client;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Third in the chain: the optional client-side rate limit before each attempt, and retries of
 * throttled or unavailable responses (429, 418, 503, … with {@code Retry-After}, else capped
 * exponential backoff with jitter) within the maximum total wait. Idempotent requests only unless
 * the caller allowed others.
 */
final class RetryInterceptor implements Interceptor {

  private static final Logger log = LoggerFactory.getLogger(KeyGuardClient.class);

  private final ClientSettings settings;

  RetryInterceptor(ClientSettings settings) {
    this.settings = settings;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    RetryOptions options = settings.retryOptions();
    boolean mayRetry =
        options.mayRetry(request.method())
            && (request.body() == null || !request.body().isOneShot());
    ClientRateLimiter limiter = settings.limiter();
    Duration waited = Duration.ZERO;
    for (int attempt = 1; ; attempt++) {
      if (limiter != null) {
        limiter.acquire(chain.call());
      }
      Response response = chain.proceed(request);
      int code = response.code();
      if (!options.retriesStatus(code) || !mayRetry || attempt >= options.maxAttempts()) {
        return response;
      }
      Duration delay = RetryAfter.parse(response.headers(), settings.time().now());
      if (delay == null) {
        delay = options.backoff(attempt, ThreadLocalRandom.current().nextDouble());
      }
      if (waited.plus(delay).compareTo(options.maxTotalWait()) > 0) {
        log.debug(
            "{} {} got HTTP {}; not retrying: waiting {} ms more would pass the maximum total wait of {}",
            request.method(),
            settings.safeUrl(request.url()),
            code,
            delay.toMillis(),
            options.maxTotalWait());
        return response;
      }
      log.debug(
          "{} {} got HTTP {}; retry {} of {} in {} ms",
          request.method(),
          settings.safeUrl(request.url()),
          code,
          attempt,
          options.maxAttempts() - 1,
          delay.toMillis());
      response.close();
      CancellableSleep.sleep(settings.time(), delay, chain.call());
      waited = waited.plus(delay);
    }
  }
}
