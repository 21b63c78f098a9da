package dev.keyguard;

import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The life of the process-wide {@link Redactor}: options set at most once, before the first use;
 * the first use creates the instance and fixes them. Both record who came first, so that a late
 * {@link Redactor#configureGlobal(RedactorOptions)} can say where the redactor was already used.
 */
final class GlobalRedactor {

  private static final Object LOCK = new Object();

  // written under LOCK; INSTANCE is read without it once set
  private static volatile @Nullable Redactor instance;
  private static @Nullable RedactorOptions configuredOptions;
  private static @Nullable String configuredBy;
  private static @Nullable String firstUsedBy;

  private GlobalRedactor() {}

  static Redactor get() {
    Redactor g = instance;
    return g != null ? g : create();
  }

  private static Redactor create() {
    synchronized (LOCK) {
      Redactor g = instance;
      if (g == null) {
        firstUsedBy = caller();
        g =
            new Redactor(
                configuredOptions != null ? configuredOptions : RedactorOptions.defaults());
        instance = g;
      }
      return g;
    }
  }

  static void configure(RedactorOptions options) {
    synchronized (LOCK) {
      if (instance != null) {
        throw new IllegalStateException(
            "the global Redactor is already in use (first used by "
                + firstUsedBy
                + "), so its options are fixed; call Redactor.configureGlobal(...) once at start-up,"
                + " before any KeyGuard component, exception or logger is created");
      }
      if (configuredOptions != null) {
        throw new IllegalStateException(
            "the global Redactor's options were already set (by "
                + configuredBy
                + "); set them once, at start-up");
      }
      configuredOptions = options;
      configuredBy = caller();
    }
  }

  /**
   * Names the code that calls into this class: the first frame outside it and, when that frame is
   * inside KeyGuard, also the first application frame beneath it.
   */
  private static String caller() {
    List<StackWalker.StackFrame> frames =
        StackWalker.getInstance()
            .walk(
                stream ->
                    stream
                        .filter(
                            f ->
                                !f.getClassName().equals(Redactor.class.getName())
                                    && !f.getClassName().equals(GlobalRedactor.class.getName()))
                        .filter(f -> !isPlatform(f.getClassName()))
                        .limit(64)
                        .collect(Collectors.toList()));
    if (frames.isEmpty()) {
      return "an unknown caller";
    }
    String first = describe(frames.get(0));
    if (!frames.get(0).getClassName().startsWith("dev.keyguard.")) {
      return first;
    }
    for (StackWalker.StackFrame f : frames) {
      if (!f.getClassName().startsWith("dev.keyguard.")) {
        return first + ", called from " + describe(f);
      }
    }
    return first;
  }

  private static boolean isPlatform(String className) {
    return className.startsWith("java.")
        || className.startsWith("jdk.")
        || className.startsWith("sun.");
  }

  private static String describe(StackWalker.StackFrame f) {
    return f.getClassName()
        + "."
        + f.getMethodName()
        + "("
        + f.getFileName()
        + ":"
        + f.getLineNumber()
        + ")";
  }
}
