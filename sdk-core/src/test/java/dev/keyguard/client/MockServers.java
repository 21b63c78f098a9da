package dev.keyguard.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;

/** Helpers to reuse one MockWebServer per test class. */
final class MockServers {

  private MockServers() {}

  /** Fresh response queue (unexpected requests get a 404 at once) and no leftover requests. */
  static void reset(MockWebServer server) {
    QueueDispatcher dispatcher = new QueueDispatcher();
    dispatcher.setFailFast(true);
    server.setDispatcher(dispatcher);
    takeAll(server);
  }

  /** Every request recorded so far. */
  static List<RecordedRequest> takeAll(MockWebServer server) {
    List<RecordedRequest> out = new ArrayList<>();
    try {
      for (RecordedRequest r = server.takeRequest(0, TimeUnit.MILLISECONDS);
          r != null;
          r = server.takeRequest(0, TimeUnit.MILLISECONDS)) {
        out.add(r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return out;
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  static MockResponse redirect(int code, String location) {
    return new MockResponse.Builder().code(code).setHeader("Location", location).build();
  }
}
