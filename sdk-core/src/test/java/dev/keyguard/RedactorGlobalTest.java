package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.testing.TestSecrets;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The process-wide redactor: options set once, before first use. The cases that need a redactor
 * nobody has used yet load KeyGuard's classes afresh in a class loader of their own, since in this
 * JVM the global redactor is in use from the start (the canary extension registers its canaries).
 */
class RedactorGlobalTest {

  @Test
  void configureGlobal_afterFirstUse_failsSayingWhyAndWhatToDo() {
    Redactor.global().redact("warm-up");

    assertThatThrownBy(() -> Redactor.configureGlobal(RedactorOptions.defaults()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("global Redactor is already in use")
        .hasMessageContaining("first used by ")
        .hasMessageContaining("options are fixed")
        .hasMessageContaining("once at start-up");
  }

  @Test
  void global_isOneInstance() {
    assertThat(Redactor.global()).isSameAs(Redactor.global());
  }

  @Test
  void isolated_isIndependentOfTheGlobal() {
    String value = TestSecrets.randomBase64Url(30);
    Redactor isolated = Redactor.isolated();
    isolated.register(Secret.of(value));

    assertThat(isolated.redact(value)).doesNotContain(value);
    assertThat(Redactor.global().redact(value)).isEqualTo(value);
  }

  @Test
  void redactor_hasNoPublicSetters() {
    for (Method m : Redactor.class.getMethods()) {
      assertThat(m.getName()).doesNotStartWith("set");
    }
  }

  @Test
  void configureGlobal_beforeFirstUse_appliesTheOptions() throws Exception {
    try (Fresh fresh = new Fresh()) {
      fresh.configure(Duration.ofMinutes(7), false);

      Object global = fresh.global();

      assertThat(fresh.redactor.getMethod("isKnownFormatsEnabled").invoke(global)).isEqualTo(false);
      assertThat(fresh.redactor.getMethod("gracePeriod").invoke(global))
          .isEqualTo(Duration.ofMinutes(7));
    }
  }

  @Test
  void configureGlobal_whenUsedMeanwhile_isRefusedNamingTheFirstUser() throws Exception {
    try (Fresh fresh = new Fresh()) {
      fresh.global();

      assertThatThrownBy(() -> fresh.configure(Duration.ofMinutes(1), true))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already in use")
          .hasMessageContaining("first used by " + Fresh.class.getName());
    }
  }

  @Test
  void configureGlobal_calledTwice_isRefusedEvenBeforeUse() throws Exception {
    try (Fresh fresh = new Fresh()) {
      fresh.configure(Duration.ofMinutes(1), true);

      assertThatThrownBy(() -> fresh.configure(Duration.ofMinutes(2), true))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("options were already set (by " + Fresh.class.getName())
          .hasMessageContaining("set them once");
    }
  }

  @Test
  void global_withoutConfiguration_usesTheDefaults() throws Exception {
    try (Fresh fresh = new Fresh()) {
      Object global = fresh.global();

      assertThat(fresh.redactor.getMethod("isKnownFormatsEnabled").invoke(global)).isEqualTo(true);
      assertThat(fresh.redactor.getMethod("gracePeriod").invoke(global))
          .isEqualTo(RedactorOptions.DEFAULT_GRACE_PERIOD);
    }
  }

  /** KeyGuard's core classes loaded anew, so that their global redactor is not yet in use. */
  private static final class Fresh implements AutoCloseable {
    final URLClassLoader loader;
    final Class<?> redactor;
    final Class<?> options;

    Fresh() throws Exception {
      loader =
          new URLClassLoader(
              new URL[] {location(Redactor.class), location(LoggerFactory.class)},
              ClassLoader.getPlatformClassLoader());
      redactor = Class.forName(Redactor.class.getName(), true, loader);
      options = Class.forName(RedactorOptions.class.getName(), true, loader);
      assertThat(redactor).isNotSameAs(Redactor.class);
    }

    void configure(Duration gracePeriod, boolean knownFormats) throws Exception {
      Object b = options.getMethod("builder").invoke(null);
      b.getClass().getMethod("gracePeriod", Duration.class).invoke(b, gracePeriod);
      b.getClass().getMethod("knownFormats", boolean.class).invoke(b, knownFormats);
      Object built = b.getClass().getMethod("build").invoke(b);
      invoke(redactor.getMethod("configureGlobal", options), built);
    }

    Object global() throws Exception {
      return invoke(redactor.getMethod("global"));
    }

    private static Object invoke(Method m, Object... args) throws Exception {
      try {
        return m.invoke(null, args);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof Exception cause) {
          throw cause;
        }
        throw e;
      }
    }

    private static URL location(Class<?> type) {
      return type.getProtectionDomain().getCodeSource().getLocation();
    }

    @Override
    public void close() throws Exception {
      loader.close();
    }
  }
}
