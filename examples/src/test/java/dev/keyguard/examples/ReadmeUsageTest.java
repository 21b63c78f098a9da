package dev.keyguard.examples;

import static dev.keyguard.examples.ReadmeBlocks.between;
import static dev.keyguard.examples.ReadmeBlocks.firstJavaBlockUnder;
import static dev.keyguard.examples.ReadmeBlocks.lines;
import static dev.keyguard.examples.ReadmeBlocks.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.InMemoryKeyProviderForTesting;
import dev.keyguard.testing.TestSecrets;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's usage monitoring block is the code of {@link UsageMonitoring}, and it runs. */
class ReadmeUsageTest {

  @Test
  void readmeUsageBlock_isTheCompiledExample() {
    List<String> readme = lines("README.md");
    List<String> source =
        lines("examples/src/main/java/dev/keyguard/examples/UsageMonitoring.java");

    assertThat(normalized(firstJavaBlockUnder(readme, "## Usage monitoring and alerts")))
        .isNotEmpty()
        .isEqualTo(normalized(between(source, "// README-USAGE-BEGIN", "// README-USAGE-END")));
  }

  @Test
  void example_bindsTheMetersAndDeclaresTheBudget() {
    InMemoryKeyProviderForTesting provider =
        new InMemoryKeyProviderForTesting()
            .put(
                VersionedCredential.builder(KeyId.of("coingecko"), TestSecrets.randomSecret())
                    .version("1")
                    .build());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    UsageMonitoring.Monitored m = UsageMonitoring.start(provider, registry, page -> {});
    try {
      assertThat(registry.find("keyguard.usage.series").gauge()).isNotNull();
      assertThat(m.client().usage().entries()).isEmpty();
      assertThat(m.client().keyId().value()).isEqualTo("coingecko");
    } finally {
      m.keys().close();
    }
  }
}
