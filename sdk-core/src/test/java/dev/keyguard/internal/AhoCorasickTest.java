package dev.keyguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The automaton against brute force, with a full dense table and with almost every state sparse. A
 * QuickTheories property (random seed per run; a failure reports {@code Seed was N}, replayed with
 * {@code -DQT_SEED=N}).
 */
class AhoCorasickTest {

  @Test
  void scan_reportsTheLongestPatternEndingAtEachPosition() {
    qt().withExamples(300)
        .forAll(patterns(), text(), booleans().all())
        .checkAssert(AhoCorasickTest::check);
  }

  private static void check(List<String> patterns, String text, boolean sparse) {
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

  /** One to twelve distinct patterns of one to six chars over a small alphabet, so they overlap. */
  private static Gen<List<String>> patterns() {
    return lists()
        .of(strings("abc\u00e9", 1, 6))
        .ofSizeBetween(1, 12)
        .map(list -> List.copyOf(new LinkedHashSet<>(list)));
  }

  private static Gen<String> text() {
    return strings("abcd\u00e9", 0, 60);
  }

  private static Gen<String> strings(String alphabet, int min, int max) {
    List<Character> chars = alphabet.chars().mapToObj(c -> (char) c).toList();
    return lists()
        .of(Generate.pick(chars))
        .ofSizeBetween(min, max)
        .map(
            cs -> {
              StringBuilder b = new StringBuilder();
              cs.forEach(b::append);
              return b.toString();
            });
  }
}
