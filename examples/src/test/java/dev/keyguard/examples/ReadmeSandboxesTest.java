package dev.keyguard.examples;

import static dev.keyguard.examples.ReadmeBlocks.javaBlocksInSection;
import static dev.keyguard.examples.ReadmeBlocks.lines;
import static dev.keyguard.examples.ReadmeBlocks.normalized;
import static dev.keyguard.examples.ReadmeBlocks.regions;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The README's "Testing and sandboxes" section is the code of {@link Sandboxes}, which every build
 * compiles: this test fails when a block drifts from its copy, or one is added to either side only.
 * The block that needs no network (a test with loopback http, the in-memory provider and the fake
 * clock) is also run, against a local server.
 */
class ReadmeSandboxesTest {

  private static final String SOURCE =
      "examples/src/main/java/dev/keyguard/examples/Sandboxes.java";

  @Test
  void readmeSandboxes_areTheCompiledSandboxes_blockByBlock() {
    List<List<String>> readme = javaBlocksInSection(lines("README.md"), "## Testing and sandboxes");
    List<List<String>> source =
        regions(lines(SOURCE), "// README-SANDBOXES-BEGIN", "// README-SANDBOXES-END");

    assertThat(readme).as("java blocks in the README section").hasSize(source.size());
    assertThat(source).as("README regions in Sandboxes.java").hasSizeGreaterThanOrEqualTo(5);
    for (int i = 0; i < source.size(); i++) {
      assertThat(normalized(readme.get(i)))
          .as("README block %d of 'Testing and sandboxes'", i + 1)
          .isNotEmpty()
          .isEqualTo(normalized(source.get(i)));
    }
  }

  @Test
  void rotationInATest_sendsTheRotatedKeyAfterTheFakeClockPassesTheRefresh() throws IOException {
    List<String> receivedKeys = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/price",
        exchange -> {
          receivedKeys.add(String.valueOf(exchange.getRequestHeaders().getFirst("x-api-key")));
          byte[] body = "{\"bitcoin\":{\"usd\":1}}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    try {
      Sandboxes.rotationInATest("http://127.0.0.1:" + server.getAddress().getPort());

      assertThat(receivedKeys).hasSize(2).doesNotContain("null");
      assertThat(receivedKeys.get(1))
          .as("the key after the rotation")
          .isNotEqualTo(receivedKeys.get(0));
    } finally {
      server.stop(0);
    }
  }
}
