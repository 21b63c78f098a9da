package dev.keyguard.bench.rotation;

import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;

/** One application in the harness: how it gets the key and calls the API. */
interface Contender extends AutoCloseable {

  /** One API call as the application makes it; throws if it fails. */
  void call() throws IOException;

  /**
   * The backend calls the client itself reports so far (KeyGuard: {@code KeyStatus.fetches()}), to
   * set beside the count taken at the backend's wire; -1 when it reports none.
   */
  default long selfReportedFetches() {
    return -1;
  }

  @Override
  void close();

  /** Creates a contender for a key, calling the API at {@code apiUrl} through {@code okHttp}. */
  interface Factory {
    Contender create(String keyId, String apiUrl, OkHttpClient okHttp, Duration refresh);
  }
}
