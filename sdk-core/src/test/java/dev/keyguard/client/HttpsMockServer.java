package dev.keyguard.client;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One HTTPS MockWebServer per test class on 127.0.0.1, with the per-run test certificate ({@link
 * TestTls}): started before the class, closed after it, and reset before each test (fresh response
 * queue that fails fast on an unexpected request, no leftover recorded requests).
 *
 * <pre>{@code
 * @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
 * private static final MockWebServer api = API.server();
 * }</pre>
 */
final class HttpsMockServer implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

  private final MockWebServer server = new MockWebServer();

  /** The server; the same instance for the whole class, started once the class starts. */
  MockWebServer server() {
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    TestTls.startHttps(server);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    MockServers.reset(server);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }
}
