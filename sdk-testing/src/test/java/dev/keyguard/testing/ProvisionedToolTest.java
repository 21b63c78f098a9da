package dev.keyguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisionedToolTest {

  private static final ProvisionedTool TOOL =
      new ProvisionedTool(
          "the example tool",
          "example.tool",
          "EXAMPLE_TOOL",
          "example/bin/tool",
          "scripts/provision-example.sh");

  private static Path executable(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void theSystemProperty_winsOverTheEnvironmentAndTheToolsFolder(@TempDir Path root)
      throws Exception {
    Path configured = executable(root.resolve("elsewhere/tool"));
    Path fromEnv = executable(root.resolve("env/tool"));
    executable(root.resolve(".tools/example/bin/tool"));

    assertThat(TOOL.locate(configured.toString(), fromEnv.toString(), root)).isEqualTo(configured);
    assertThat(TOOL.locate(null, fromEnv.toString(), root)).isEqualTo(fromEnv);
  }

  @Test
  void theToolsFolder_isFoundInAParentOfTheWorkingDirectory(@TempDir Path root) throws Exception {
    Path installed = executable(root.resolve(".tools/example/bin/tool"));
    Path module = Files.createDirectories(root.resolve("sdk-vault/target"));

    assertThat(TOOL.locate(null, "  ", module)).isEqualTo(installed);
  }

  @Test
  void nothingFound_failsNamingWhatWasTriedAndTheScript(@TempDir Path empty) {
    assertThatThrownBy(() -> TOOL.locate(empty.resolve("nope").toString(), null, empty))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the example tool not found")
        .hasMessageContaining(empty.resolve("nope").toString())
        .hasMessageContaining(empty.resolve(".tools/example/bin/tool").toString())
        .hasMessageContaining("run scripts/provision-example.sh")
        .hasMessageContaining("-Dexample.tool=/path/to/tool or EXAMPLE_TOOL");
  }
}
