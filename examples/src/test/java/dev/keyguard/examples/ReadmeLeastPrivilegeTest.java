package dev.keyguard.examples;

import static dev.keyguard.examples.ReadmeBlocks.javaBlocksInSection;
import static dev.keyguard.examples.ReadmeBlocks.lines;
import static dev.keyguard.examples.ReadmeBlocks.normalized;
import static dev.keyguard.examples.ReadmeBlocks.regions;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's "Least privilege, environments and key hygiene" section is the code of {@link
 * LeastPrivilege}, which every build compiles: this test fails when a block drifts from its copy,
 * or one is added to either side only.
 */
class ReadmeLeastPrivilegeTest {

  private static final String SOURCE =
      "examples/src/main/java/dev/keyguard/examples/LeastPrivilege.java";

  @Test
  void readmeLeastPrivilege_isTheCompiledExample_blockByBlock() {
    List<List<String>> readme =
        javaBlocksInSection(lines("README.md"), "## Least privilege, environments and key hygiene");
    List<List<String>> source =
        regions(lines(SOURCE), "// README-LEAST-PRIVILEGE-BEGIN", "// README-LEAST-PRIVILEGE-END");

    assertThat(source).as("README regions in LeastPrivilege.java").hasSize(2);
    assertThat(readme).as("java blocks in the README section").hasSize(source.size());
    for (int i = 0; i < source.size(); i++) {
      assertThat(normalized(readme.get(i)))
          .as("README block %d of 'Least privilege, environments and key hygiene'", i + 1)
          .isNotEmpty()
          .isEqualTo(normalized(source.get(i)));
    }
  }
}
