package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** Picking rate-limit headers out of a response without allocating when there are none. */
class ResponseHeaderSelectorTest {

  private final ResponseHeaderSelector selector =
      new ResponseHeaderSelector(ResponseHeaderSelector.DEFAULT_RATE_LIMIT_PREFIXES);

  @Test
  void rateLimitHeaders_withoutAny_isTheSharedEmptyMap() {
    Headers headers = Headers.of("Content-Type", "application/json", "Server", "nginx");

    assertThat(selector.rateLimitHeaders(headers)).isSameAs(Map.of());
  }

  @Test
  void rateLimitHeaders_matchPrefixesIgnoringCase_lastValueWins_firstSpellingKept() {
    Headers headers =
        new Headers.Builder()
            .add("X-MBX-USED-WEIGHT-1M", "10")
            .add("Server", "nginx")
            .add("x-mbx-used-weight-1m", "12")
            .add("RateLimit-Remaining", "99")
            .build();

    Map<String, String> picked = selector.rateLimitHeaders(headers);

    assertThat(picked).containsOnlyKeys("X-MBX-USED-WEIGHT-1M", "RateLimit-Remaining");
    assertThat(picked.get("x-mbx-used-weight-1m")).isEqualTo(headers.get("X-MBX-USED-WEIGHT-1M"));
    assertThat(picked.keySet().iterator().next()).isEqualTo("RateLimit-Remaining");
  }
}
