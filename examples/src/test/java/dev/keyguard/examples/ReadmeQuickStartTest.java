package dev.keyguard.examples;

import static dev.keyguard.examples.ReadmeBlocks.between;
import static dev.keyguard.examples.ReadmeBlocks.firstJavaBlockUnder;
import static dev.keyguard.examples.ReadmeBlocks.lines;
import static dev.keyguard.examples.ReadmeBlocks.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start is the code of {@link QuickStart}, which every build compiles: this test
 * fails when the two drift apart.
 */
class ReadmeQuickStartTest {

  @Test
  void readmeQuickStart_isTheCompiledQuickStart() {
    List<String> readme = lines("README.md");
    List<String> source = lines("examples/src/main/java/dev/keyguard/examples/QuickStart.java");

    assertThat(normalized(firstJavaBlockUnder(readme, "## Quick start")))
        .isNotEmpty()
        .isEqualTo(
            normalized(between(source, "// README-QUICKSTART-BEGIN", "// README-QUICKSTART-END")));
  }
}
