package dev.keyguard.testing;

import java.io.PrintStream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The suite-wide canary: fails the run if any {@link Canaries canary} value appears, raw or
 * encoded, in a log line, a line on standard output or error, or an exception a test throws (whose
 * message carries the {@code toString()} of what an assertion compared).
 *
 * <p>Registered automatically through {@code
 * META-INF/services/org.junit.jupiter.api.extension.Extension} and {@code
 * junit.jupiter.extensions.autodetection.enabled=true} in {@code junit-platform.properties}. On
 * first use it registers the canaries with {@code Redactor.global()}, attaches a capturing appender
 * to the Logback root logger (re-attached before each test if a test reset the logging
 * configuration) and wraps {@code System.out} / {@code System.err}. It checks after each test (a
 * finding fails that test), after each class (findings from {@code @BeforeAll}, {@code @AfterAll}
 * or background threads fail the class), and at the end of the Jupiter run. Findings name the
 * canary's fingerprint and where it appeared, never the value.
 *
 * <p>Property tests (QuickTheories) run inside Jupiter {@code @Test} methods, so each property gets
 * the same check as any other test.
 */
public final class CanaryExtension
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterTestExecutionCallback,
        AfterEachCallback,
        AfterAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(CanaryExtension.class);

  private static boolean installed;

  private final CanaryDetector detector;

  /** The extension on the run-wide canaries; JUnit creates it. */
  public CanaryExtension() {
    this(Canaries.detector());
  }

  CanaryExtension(CanaryDetector detector) {
    this.detector = detector;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
    context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent("end-of-run", k -> new EndOfRunCheck(detector), EndOfRunCheck.class);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    attachToRoot();
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    context
        .getExecutionException()
        .ifPresent(t -> detector.scan("exception of " + context.getDisplayName(), t));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    detector.throwIfViolated("A canary secret leaked during " + context.getUniqueId());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    detector.throwIfViolated("A canary secret leaked around " + context.getUniqueId());
  }

  /**
   * Tells whether the extension is installed: the standard streams are scanned and, where Logback
   * is the SLF4J backend, the capturing appender is attached to its root logger.
   *
   * @return true once installed
   */
  public static synchronized boolean isInstalled() {
    return installed && (!logbackIsTheBackend() || LogbackCanaryHook.isAttached());
  }

  /**
   * Registers the canaries, wraps the std streams and, with Logback, attaches the appender; once.
   */
  static synchronized void install() {
    if (installed) {
      return;
    }
    CanaryDetector global = Canaries.detector();
    installed = true;
    attachToRoot();
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(global.scanning("stdout", out));
    System.setErr(global.scanning("stderr", err));
  }

  /** Whether Logback is this run's SLF4J backend; asks without loading a Logback class. */
  private static boolean logbackIsTheBackend() {
    return org.slf4j.LoggerFactory.getILoggerFactory()
        .getClass()
        .getName()
        .startsWith("ch.qos.logback.");
  }

  private static synchronized void attachToRoot() {
    if (installed && logbackIsTheBackend()) {
      LogbackCanaryHook.attachToRoot(Canaries.detector());
    }
  }

  /** Closed by JUnit when the Jupiter run ends: reports what no later check saw. */
  static final class EndOfRunCheck implements AutoCloseable {
    private final CanaryDetector detector;

    EndOfRunCheck(CanaryDetector detector) {
      this.detector = detector;
    }

    @Override
    public void close() {
      detector.throwIfViolated("A canary secret leaked at the end of the run");
    }
  }
}
