package dev.keyguard.examples;

import static dev.keyguard.examples.ReadmeBlocks.javaBlocksInSection;
import static dev.keyguard.examples.ReadmeBlocks.lines;
import static dev.keyguard.examples.ReadmeBlocks.normalized;
import static dev.keyguard.examples.ReadmeBlocks.regions;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's Vault section is the code of {@link VaultQuickStart}, which every build compiles:
 * this test fails when a block drifts from its copy, or one is added to either side only.
 */
class ReadmeVaultTest {

  private static final String SOURCE =
      "examples/src/main/java/dev/keyguard/examples/VaultQuickStart.java";

  @Test
  void readmeVaultSection_isTheCompiledQuickStart_blockByBlock() {
    List<List<String>> readme =
        javaBlocksInSection(lines("README.md"), "### HashiCorp Vault / OpenBao (`keyguard-vault`)");
    List<List<String>> source =
        regions(lines(SOURCE), "// README-VAULT-BEGIN", "// README-VAULT-END");

    assertThat(source).as("README regions in VaultQuickStart.java").hasSize(4);
    assertThat(readme).as("java blocks in the README section").hasSize(source.size());
    for (int i = 0; i < source.size(); i++) {
      assertThat(normalized(readme.get(i)))
          .as("README block %d of the Vault section", i + 1)
          .isNotEmpty()
          .isEqualTo(normalized(source.get(i)));
    }
  }
}
