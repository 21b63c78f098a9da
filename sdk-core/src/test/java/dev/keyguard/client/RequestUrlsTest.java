package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Path and query resolution against the base URL, without split or regex on the hot path. */
class RequestUrlsTest {

  private static final HttpUrl BASE = HttpUrl.get("https://api.example.com/v2");

  /** The implementation before the split-free one, kept as the oracle. */
  private static HttpUrl splitResolve(HttpUrl baseUrl, String path) {
    HttpUrl.Builder b = baseUrl.newBuilder();
    String p = path.startsWith("/") ? path.substring(1) : path;
    for (String segment : p.isEmpty() ? new String[0] : p.split("/", -1)) {
      b.addEncodedPathSegment(segment);
    }
    return b.build();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "price",
        "/price",
        "/price/",
        "a//b",
        "//",
        "/a/b/c",
        "a/.../b",
        "...",
        ".a",
        "a.",
        "%2e%2e%2e",
        "a%2Fb",
        "a\\b",
        "x y",
        "caf\u00e9",
        "%2"
      })
  void resolve_givesTheSameUrlAsTheSplitImplementation(String path) {
    if (path.startsWith("//")) {
      assertThatThrownBy(() -> RequestUrls.resolve(BASE, path, Map.of()))
          .isInstanceOf(IllegalArgumentException.class);
      return;
    }
    assertThat(RequestUrls.resolve(BASE, path, Map.of())).isEqualTo(splitResolve(BASE, path));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        ".",
        "..",
        "/..",
        "a/./b",
        "a/../b",
        "a/..",
        "%2e",
        "%2E%2e",
        "a/.%2E/b",
        "x/%2e/",
        "./"
      })
  void checkPath_refusesDotSegmentsPlainOrEncoded(String path) {
    assertThatThrownBy(() -> RequestUrls.checkPath(path))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'.' or '..'");
  }

  @Test
  void resolve_appendsTheQueryParametersInOrder() {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("symbol", "BTC USDT");
    query.put("limit", 5);

    assertThat(RequestUrls.resolve(BASE, "/depth", query).toString())
        .isEqualTo("https://api.example.com/v2/depth?symbol=BTC%20USDT&limit=5");
  }
}
