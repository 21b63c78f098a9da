package dev.keyguard.modulecheck;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyId;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.logging.log4j.RedactingRewritePolicy;
import dev.keyguard.provider.ChainKeyProvider;
import java.lang.module.ModuleDescriptor;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;

/**
 * Uses the public API of several KeyGuard packages from a named module, without network, and checks
 * the shape of the {@code dev.keyguard.core} module as the JVM resolved it. Exits non-zero (an
 * uncaught exception) on the first failed check.
 */
public final class ModuleCheck {

  private static final Set<String> API_PACKAGES =
      Set.of(
          "dev.keyguard",
          "dev.keyguard.key",
          "dev.keyguard.provider",
          "dev.keyguard.auth",
          "dev.keyguard.client",
          "dev.keyguard.logging",
          "dev.keyguard.logging.logback",
          "dev.keyguard.logging.log4j");

  private ModuleCheck() {}

  /**
   * Runs the checks.
   *
   * @param args ignored
   * @throws Exception on an unexpected failure, which fails the build
   */
  public static void main(String[] args) throws Exception {
    checkModuleShape();
    checkApiWorks();
    System.out.println(
        "module-check: dev.keyguard.core resolved on the module path; all checks passed");
  }

  private static void checkModuleShape() {
    Module core = Secret.class.getModule();
    Module self = ModuleCheck.class.getModule();
    check(core.isNamed(), "keyguard-core is not a named module: " + core);
    check(
        "dev.keyguard.core".equals(core.getName()),
        "keyguard-core's module is " + core.getName() + ", expected dev.keyguard.core");
    check(!core.getDescriptor().isAutomatic(), "keyguard-core is an automatic module");

    Set<String> unqualifiedExports =
        core.getDescriptor().exports().stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));
    check(
        unqualifiedExports.equals(new TreeSet<>(API_PACKAGES)),
        "dev.keyguard.core exports "
            + unqualifiedExports
            + ", expected "
            + new TreeSet<>(API_PACKAGES));
    for (String pkg : API_PACKAGES) {
      check(core.isExported(pkg, self), pkg + " is not readable from a consumer module");
    }

    check(
        core.getPackages().contains("dev.keyguard.internal"),
        "dev.keyguard.internal is missing from the module");
    check(!core.isExported("dev.keyguard.internal"), "dev.keyguard.internal is exported");
    check(
        !core.isExported("dev.keyguard.internal", self),
        "dev.keyguard.internal is readable from a consumer module");
    check(
        !core.isOpen("dev.keyguard.internal", self), "dev.keyguard.internal is open to consumers");
    check(
        core.getDescriptor().opens().stream().allMatch(ModuleDescriptor.Opens::isQualified),
        "dev.keyguard.core opens a package to every module");
  }

  private static void checkApiWorks() throws Exception {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String raw = "mc_" + HexFormat.of().formatHex(bytes);
    Secret secret = Secret.of(raw);
    KeyId keyId = KeyId.of("module-check");

    KeyProvider inMemory =
        id -> VersionedCredential.builder(id, Secret.of(raw)).version("1").build();
    KeyProvider provider = ChainKeyProvider.of(inMemory);

    try (KeyManager keyManager = KeyManager.builder().provider(provider).build()) {
      ManagedKey key = keyManager.key(keyId);
      VersionedCredential current = key.current();
      check("1".equals(current.version()), "unexpected version " + current.version());
      check(current.apiKey().equalsSecret(secret), "the managed key serves another secret");

      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl("https://api.example.com/")
              .managedKey(key)
              .authScheme(AuthSchemes.header("X-Api-Key"))
              .build();
      check(
          client.baseUrl().equals(HttpUrl.get("https://api.example.com/")),
          "unexpected base URL " + client.baseUrl());
      check(!client.toString().contains(raw), "the client's toString shows the secret");

      // the key manager registered the served secret with the process-wide redactor
      String redacted = Redactor.global().redact("calling with key=" + raw + " now");
      check(!redacted.contains(raw), "Redactor.global() left a live secret in the text");
      check(redacted.startsWith("calling with key="), "unexpected redaction: " + redacted);

      String log4jLine = Log4jCheck.formatWithRedactedMessage(raw);
      check(!log4jLine.contains(raw), "Log4j's %redactedMsg left a live secret in the line");
      check(
          log4jLine.startsWith("[calling with key=") && !log4jLine.contains("redactedMsg"),
          "Log4j did not find the %redactedMsg converter: " + log4jLine);
      check(
          Log4jCheck.rewritePolicyPluginClass().orElse(null) == RedactingRewritePolicy.class,
          "Log4j did not find the KeyGuardRedaction rewrite policy plugin");
    }

    // Jackson reaches the refusing serializer in the unexported internal package only through
    // the qualified opens: without it this is an access error instead of the refusal
    try {
      new ObjectMapper().writeValueAsString(secret);
      throw new IllegalStateException("Jackson serialized a Secret");
    } catch (JsonMappingException expected) {
      check(
          String.valueOf(expected.getMessage()).contains("never serialized"),
          "Jackson failed otherwise than by the refusing serializer: "
              + expected.getClass().getName());
      check(
          !String.valueOf(expected.getMessage()).contains(raw),
          "Jackson's message shows the secret");
    }

    check(!secret.toString().contains(raw), "Secret.toString shows the value");
    check(secret.value(InsecureSecretAccess.get()).equals(raw), "raw access returns another value");
    secret.destroy();
    check(secret.isDestroyed(), "destroy() did not destroy");
  }

  private static void check(boolean condition, String failure) {
    if (!condition) {
      throw new IllegalStateException("module-check: " + failure);
    }
  }
}
