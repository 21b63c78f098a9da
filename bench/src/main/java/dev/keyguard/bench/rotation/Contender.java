package dev.keyguard.bench.rotation;

import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;

/** One application in the harness: how it gets the key and calls the API. */
interface Contender extends AutoCloseable {

  /** One API call as the application makes it; throws if it fails. */
  void call() throws IOException;

  @Override
  void close();

  /** Creates a contender for a key, calling the API at {@code apiUrl} through {@code okHttp}. */
  interface Factory {
    Contender create(String keyId, String apiUrl, OkHttpClient okHttp, Duration refresh);
  }
}
