package dev.keyguard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start is the code of {@link QuickStart}, which every build compiles: this test
 * fails when the two drift apart.
 */
class ReadmeQuickStartTest {

  @Test
  void readmeQuickStart_isTheCompiledQuickStart() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<String> readme = Files.readAllLines(root.resolve("README.md"));
    List<String> source =
        Files.readAllLines(
            root.resolve("examples/src/main/java/dev/keyguard/examples/QuickStart.java"));

    assertThat(normalized(readmeQuickStartBlock(readme)))
        .isNotEmpty()
        .isEqualTo(normalized(between(source, "// README-QUICKSTART-BEGIN", "// README-QUICKSTART-END")));
  }

  /** The first java block after the "## Quick start" heading. */
  private static List<String> readmeQuickStartBlock(List<String> readme) {
    int heading = readme.indexOf("## Quick start");
    assertThat(heading).as("README has a '## Quick start' heading").isNotNegative();
    int open = -1;
    for (int i = heading; i < readme.size(); i++) {
      if (readme.get(i).equals("```java")) {
        open = i;
        break;
      }
    }
    assertThat(open).as("a java block under '## Quick start'").isNotNegative();
    int close = readme.subList(open + 1, readme.size()).indexOf("```") + open + 1;
    return readme.subList(open + 1, close);
  }

  private static List<String> between(List<String> lines, String begin, String end) {
    int from = -1;
    int to = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(begin)) {
        from = i + 1;
      } else if (lines.get(i).strip().equals(end)) {
        to = i;
      }
    }
    assertThat(from).as("marker %s", begin).isPositive();
    assertThat(to).as("marker %s", end).isGreaterThan(from);
    return lines.subList(from, to);
  }

  /** Lines without indentation and blank lines: the two copies are indented differently. */
  private static List<String> normalized(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        out.add(line.strip());
      }
    }
    return out;
  }
}
