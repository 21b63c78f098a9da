package dev.keyguard.client;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Makes sure KeyGuard runs on the OkHttp it was built for. Maven treats {@code okhttp} (3.x, 4.x;
 * what Retrofit 2 brings) and {@code okhttp-jvm} (5.x; what KeyGuard uses) as different artifacts
 * and keeps both; their classes share one package, so whichever jar comes first on the class path
 * wins class by class, and KeyGuard's TLS and origin guards could silently run on an OkHttp that
 * lacks what they rely on. The check runs once, when the first client is built, and fails with the
 * exclusion to add.
 */
final class OkHttpCheck {

  /** The oldest OkHttp major version KeyGuard runs on. */
  static final int REQUIRED_MAJOR = 5;

  private static volatile boolean passed;

  private OkHttpCheck() {}

  /** Checks the class path of KeyGuard's own class loader, once per class loader. */
  static void requireSupportedOkHttp() {
    if (!passed) {
      check(OkHttpCheck.class.getClassLoader());
      passed = true;
    }
  }

  /**
   * Checks what a class loader sees.
   *
   * @throws IllegalStateException naming the jars found and the fix
   */
  static void check(ClassLoader loader) {
    List<String> jars = new ArrayList<>();
    try {
      for (URL url : Collections.list(loader.getResources("okhttp3/OkHttpClient.class"))) {
        jars.add(jarOf(url));
      }
    } catch (IOException e) {
      throw new IllegalStateException("KeyGuard could not inspect the class path for OkHttp", e);
    }
    if (jars.size() > 1) {
      throw new IllegalStateException(
          "KeyGuard found more than one OkHttp on the class path: "
              + String.join(", ", jars)
              + ". KeyGuard needs OkHttp "
              + REQUIRED_MAJOR
              + " (com.squareup.okhttp3:okhttp-jvm); "
              + FIX);
    }
    String version = versionSeenBy(loader);
    if (version == null || major(version) < REQUIRED_MAJOR) {
      throw new IllegalStateException(
          "KeyGuard needs OkHttp "
              + REQUIRED_MAJOR
              + " (com.squareup.okhttp3:okhttp-jvm) but runs on OkHttp "
              + (version == null ? "3 or older" : version)
              + (jars.isEmpty() ? "" : " from " + jars.get(0))
              + "; "
              + FIX);
    }
  }

  private static final String FIX =
      "another dependency (Retrofit 2 brings okhttp 3.14) put an older com.squareup.okhttp3:okhttp"
          + " on the class path. Find it with `mvn dependency:tree -Dincludes=com.squareup.okhttp3`"
          + " and exclude it from that dependency: <exclusion><groupId>com.squareup.okhttp3</groupId>"
          + "<artifactId>okhttp</artifactId></exclusion> (Gradle: exclude group:"
          + " 'com.squareup.okhttp3', module: 'okhttp'); Retrofit runs on OkHttp 5";

  /** {@code okhttp3.OkHttp.VERSION}, which OkHttp has since 4.0; null if absent. */
  private static @Nullable String versionSeenBy(ClassLoader loader) {
    try {
      Class<?> okHttp = Class.forName("okhttp3.OkHttp", false, loader);
      return (String) okHttp.getField("VERSION").get(null);
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return null;
    }
  }

  private static int major(String version) {
    int end = 0;
    while (end < version.length() && Character.isDigit(version.charAt(end))) {
      end++;
    }
    return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
  }

  private static String jarOf(URL classFile) {
    String s = classFile.toString();
    int bang = s.indexOf("!/");
    if (s.startsWith("jar:") && bang > 0) {
      s = s.substring("jar:".length(), bang);
    }
    int slash = s.lastIndexOf('/', s.length() - 2);
    return slash >= 0 ? s.substring(slash + 1) : s;
  }
}
