package dev.keyguard.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The Logback part of the canary: an appender on the root logger that scans every event. Kept apart
 * from {@link CanaryExtension} so that modules whose tests log through another SLF4J backend (the
 * examples use slf4j-simple, which writes to the standard streams the extension already scans)
 * never load a Logback class.
 */
public final class LogbackCanaryHook {

  private static @Nullable Appender<ILoggingEvent> appender;

  private LogbackCanaryHook() {}

  /**
   * A Logback appender that scans every event: the formatted message, key-value pairs, MDC and the
   * stack trace.
   *
   * @param detector the detector that records what it finds
   * @return a new, started appender
   */
  public static AppenderBase<ILoggingEvent> appender(CanaryDetector detector) {
    AppenderBase<ILoggingEvent> appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            String source = "log " + e.getLoggerName();
            detector.scan(source, e.getFormattedMessage());
            if (e.getKeyValuePairs() != null) {
              detector.scan(source, e.getKeyValuePairs().toString());
            }
            if (!e.getMDCPropertyMap().isEmpty()) {
              detector.scan(source, e.getMDCPropertyMap().toString());
            }
            if (e.getThrowableProxy() != null) {
              detector.scan(source, ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
          }
        };
    appender.setName("keyguard-canary");
    appender.start();
    return appender;
  }

  /** Attaches the run-wide canary appender to the root logger (again, if a test reset Logback). */
  static synchronized void attachToRoot(CanaryDetector detector) {
    if (appender == null) {
      appender = appender(detector);
    }
    if (root().getAppender(appender.getName()) == null) {
      root().addAppender(appender);
    }
  }

  /** Whether the run-wide appender is attached to the root logger. */
  static synchronized boolean isAttached() {
    return appender != null && root().getAppender(appender.getName()) == appender;
  }

  private static Logger root() {
    return ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
