package dev.keyguard.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A real backend binary that a {@code scripts/provision-*.sh} script installs into the git-ignored
 * {@code .tools/} folder (moto, OpenBao, Toxiproxy), found the same way by every test and harness
 * that starts one: a system property, then an environment variable, then {@code .tools/<path>} in
 * the working directory or a parent of it (a module's tests run in the module's folder). When none
 * is found, {@link #locate()} fails with a message that names the provisioning script: a test that
 * needs the tool is never skipped silently.
 *
 * <pre>{@code
 * Path bao = new ProvisionedTool("the OpenBao binary (bao)", "openbao.binary", "OPENBAO_BINARY",
 *     "openbao/bin/bao", "scripts/provision-openbao.sh").locate();
 * }</pre>
 *
 * @param name what the tool is called in the error message
 * @param systemProperty the system property that may name the binary
 * @param environmentVariable the environment variable that may name the binary
 * @param toolsPath where the script installs it, relative to {@code .tools/}
 * @param provisionScript the script that installs it, relative to the repository root
 */
public record ProvisionedTool(
    String name,
    String systemProperty,
    String environmentVariable,
    String toolsPath,
    String provisionScript) {

  /**
   * Checks the parts.
   *
   * @param name what the tool is called in the error message
   * @param systemProperty the system property that may name the binary
   * @param environmentVariable the environment variable that may name the binary
   * @param toolsPath where the script installs it, relative to {@code .tools/}
   * @param provisionScript the script that installs it, relative to the repository root
   * @throws NullPointerException if a part is null
   */
  public ProvisionedTool {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(systemProperty, "systemProperty");
    Objects.requireNonNull(environmentVariable, "environmentVariable");
    Objects.requireNonNull(toolsPath, "toolsPath");
    Objects.requireNonNull(provisionScript, "provisionScript");
  }

  /**
   * Finds the binary from this JVM's system property, environment and working directory.
   *
   * @return an executable file
   * @throws IllegalStateException if none is found, naming every place tried and the script
   */
  public Path locate() {
    return locate(
        System.getProperty(systemProperty),
        System.getenv(environmentVariable),
        Paths.get("").toAbsolutePath());
  }

  /**
   * Finds the binary from the given settings (for tests of the lookup itself).
   *
   * @param property the system property's value, or null
   * @param env the environment variable's value, or null
   * @param startDirectory where the search for {@code .tools/} begins
   * @return an executable file
   * @throws IllegalStateException if none is found, naming every place tried and the script
   */
  public Path locate(@Nullable String property, @Nullable String env, Path startDirectory) {
    List<Path> tried = new ArrayList<>();
    for (String configured : new String[] {property, env}) {
      if (configured != null && !configured.isBlank()) {
        Path p = Paths.get(configured);
        if (Files.isExecutable(p)) {
          return p;
        }
        tried.add(p);
      }
    }
    for (Path dir = startDirectory; dir != null; dir = dir.getParent()) {
      Path p = dir.resolve(".tools").resolve(toolsPath);
      if (Files.isExecutable(p)) {
        return p;
      }
      tried.add(p);
    }
    throw new IllegalStateException(
        name
            + " not found (tried "
            + tried
            + "): run "
            + provisionScript
            + " from the repository root (scripts/test.sh does), or set -D"
            + systemProperty
            + "=/path/to/"
            + Paths.get(toolsPath).getFileName()
            + " or "
            + environmentVariable);
  }
}
