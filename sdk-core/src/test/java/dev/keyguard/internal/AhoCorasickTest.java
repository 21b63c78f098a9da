package dev.keyguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The automaton against brute force, with a full dense table and with almost every state sparse. */
class AhoCorasickTest {

  @Property(tries = 300)
  void scan_reportsTheLongestPatternEndingAtEachPosition(
      @ForAll("patterns") List<String> patterns, @ForAll("text") String text, @ForAll boolean sparse) {
    List<char[]> chars = new ArrayList<>();
    int[] ids = new int[patterns.size()];
    for (int i = 0; i < patterns.size(); i++) {
      chars.add(patterns.get(i).toCharArray());
      ids[i] = i;
    }
    List<char[]> anchors = List.of("ba".toCharArray());
    AhoCorasick ac = new AhoCorasick(chars, ids, anchors, new int[] {0}, sparse ? 1 : 1 << 20);

    AhoCorasick.Hits hits = ac.scan(text, null);

    int h = 0;
    for (int end = 1; end <= text.length(); end++) {
      int longest = 0;
      for (String p : patterns) {
        if (p.length() > longest && text.startsWith(p, end - p.length())) {
          longest = p.length();
        }
      }
      boolean anchor = text.startsWith("ba", end - 2);
      if (longest == 0 && !anchor) {
        continue;
      }
      assertThat(hits).isNotNull();
      assertThat(hits.end(h)).as("hit at %d", end).isEqualTo(end);
      int state = hits.state(h);
      assertThat(ac.secretLength(state)).isEqualTo(longest);
      if (longest > 0) {
        assertThat(patterns.get(ac.secretId(state)).length()).isEqualTo(longest);
        assertThat(text.substring(end - longest, end)).isEqualTo(patterns.get(ac.secretId(state)));
      }
      assertThat((ac.flags(state) & AhoCorasick.ANCHOR) != 0).isEqualTo(anchor);
      h++;
    }
    assertThat(hits == null ? 0 : hits.size()).isEqualTo(h);
  }

  @Provide
  Arbitrary<List<String>> patterns() {
    return Arbitraries.strings().withChars("abc\u00e9").ofMinLength(1).ofMaxLength(6).list().ofMinSize(1).ofMaxSize(12).uniqueElements();
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.strings().withChars("abcd\u00e9").ofMaxLength(60);
  }
}
