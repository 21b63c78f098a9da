package dev.keyguard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the code the README shows and the compiled example it is copied from, so a test can check
 * that the two are the same code: the README's {@code ```java} blocks under a heading, and the
 * regions of a source file between marker comments. Compared {@linkplain #normalized normalized},
 * since the two copies are indented differently.
 */
final class ReadmeBlocks {

  private ReadmeBlocks() {}

  /** The lines of a file relative to the repository root (the examples module's parent). */
  static List<String> lines(String pathFromRoot) {
    Path root = Path.of("").toAbsolutePath().getParent();
    try {
      return Files.readAllLines(root.resolve(pathFromRoot));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first java block after {@code heading}. */
  static List<String> firstJavaBlockUnder(List<String> readme, String heading) {
    List<List<String>> blocks = javaBlocks(readme, headingLine(readme, heading), readme.size());
    assertThat(blocks).as("a java block under '%s'", heading).isNotEmpty();
    return blocks.get(0);
  }

  /** Every java block between {@code heading} and the next heading of the same level. */
  static List<List<String>> javaBlocksInSection(List<String> readme, String heading) {
    int from = headingLine(readme, heading);
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int to = readme.size();
    for (int i = from + 1; i < readme.size(); i++) {
      if (readme.get(i).startsWith(level)) {
        to = i;
        break;
      }
    }
    return javaBlocks(readme, from, to);
  }

  /** The first region between the markers. */
  static List<String> between(List<String> lines, String begin, String end) {
    List<List<String>> regions = regions(lines, begin, end);
    assertThat(regions).as("a region between %s and %s", begin, end).isNotEmpty();
    return regions.get(0);
  }

  /** Every region between the markers, in file order. */
  static List<List<String>> regions(List<String> lines, String begin, String end) {
    List<List<String>> out = new ArrayList<>();
    int from = -1;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.equals(begin)) {
        assertThat(from).as("%s before its %s, line %d", begin, end, i + 1).isNegative();
        from = i + 1;
      } else if (line.equals(end)) {
        assertThat(from).as("%s without %s, line %d", end, begin, i + 1).isPositive();
        out.add(lines.subList(from, i));
        from = -1;
      }
    }
    assertThat(from).as("%s without its %s", begin, end).isNegative();
    return out;
  }

  /** Lines without indentation and blank lines: the two copies are indented differently. */
  static List<String> normalized(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        out.add(line.strip());
      }
    }
    return out;
  }

  private static int headingLine(List<String> readme, String heading) {
    int line = readme.indexOf(heading);
    assertThat(line).as("README has a '%s' heading", heading).isNotNegative();
    return line;
  }

  private static List<List<String>> javaBlocks(List<String> readme, int from, int to) {
    List<List<String>> blocks = new ArrayList<>();
    for (int i = from; i < to; i++) {
      if (readme.get(i).equals("```java")) {
        int close = readme.subList(i + 1, to).indexOf("```");
        assertThat(close).as("the java block at line %d is closed", i + 1).isNotNegative();
        blocks.add(readme.subList(i + 1, i + 1 + close));
        i += close + 1;
      }
    }
    return blocks;
  }
}
