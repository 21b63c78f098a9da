package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Two OkHttps on one class path, as Retrofit 2 next to KeyGuard gives: the real okhttp 3.14.9 jar
 * (copied next to the test classes by the build, not on the test class path) and the okhttp-jvm 5
 * jar KeyGuard is built on, in a class loader of their own.
 */
class OkHttpCheckTest {

  private static final Path OKHTTP3 = Path.of("target", "okhttp3", "okhttp-3.14.9.jar");

  private static URL okHttp5Jar() {
    return OkHttpClient.class.getProtectionDomain().getCodeSource().getLocation();
  }

  @Test
  void check_onTheClassPathOfThisBuild_passes() {
    assertThatCode(OkHttpCheck::requireSupportedOkHttp).doesNotThrowAnyException();
  }

  @Test
  void check_whenRetrofitsOkHttp3SitsNextToOkHttp5_failsNamingBothJarsAndTheExclusion()
      throws Exception {
    assertThat(Files.exists(OKHTTP3)).as("okhttp 3.14.9 copied by the build").isTrue();
    for (URL[] order :
        new URL[][] {
          {OKHTTP3.toUri().toURL(), okHttp5Jar()}, {okHttp5Jar(), OKHTTP3.toUri().toURL()}
        }) {
      try (URLClassLoader both = new URLClassLoader(order, ClassLoader.getPlatformClassLoader())) {
        assertThatThrownBy(() -> OkHttpCheck.check(both))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("more than one OkHttp on the class path")
            .hasMessageContaining("okhttp-3.14.9.jar")
            .hasMessageContaining("okhttp-jvm-")
            .hasMessageContaining(
                "<exclusion><groupId>com.squareup.okhttp3</groupId><artifactId>okhttp</artifactId></exclusion>");
      }
    }
  }

  @Test
  void check_whenOnlyOkHttp3IsThere_failsNamingTheVersionAndTheFix() throws Exception {
    try (URLClassLoader old =
        new URLClassLoader(
            new URL[] {OKHTTP3.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> OkHttpCheck.check(old))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("needs OkHttp 5")
          .hasMessageContaining("runs on OkHttp 3 or older from okhttp-3.14.9.jar")
          .hasMessageContaining("mvn dependency:tree -Dincludes=com.squareup.okhttp3");
    }
  }

  @Test
  void check_whenOnlyOkHttp5IsThere_passes() throws Exception {
    try (URLClassLoader current =
        new URLClassLoader(new URL[] {okHttp5Jar()}, ClassLoader.getPlatformClassLoader())) {
      assertThatCode(() -> OkHttpCheck.check(current)).doesNotThrowAnyException();
    }
  }
}
