package dev.keyguard.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Captures what a logger (and the loggers below it) writes through SLF4J into Logback, at every
 * level from DEBUG up, so a test can assert what was logged and that no secret was. The one Logback
 * capture helper of the test tree.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.of(FileKeyProvider.class)) {
 *   provider.fetch(keyId);
 *   assertThat(logs.messages(Level.WARN)).hasSize(1);
 *   SecretLeakAssertions.assertNoLeakInText("logs", logs.text(), secret);
 * }
 * }</pre>
 *
 * <p>Each event's caller data is computed as it is captured (Logback computes it lazily, too late
 * for an assertion about the caller). Thread-safe for logging; read the results after the logging
 * threads are done.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final boolean previousAdditive;
  private final ListAppender<ILoggingEvent> appender =
      new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent e) {
          e.getCallerData();
          super.append(e);
        }
      };

  private LogCapture(Logger logger, boolean additive) {
    this.logger = logger;
    this.previousLevel = logger.getLevel();
    this.previousAdditive = logger.isAdditive();
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    logger.setAdditive(additive);
  }

  /**
   * Starts capturing the logger named after a class.
   *
   * @param type the class whose logger to capture
   * @return the capture; close it to detach
   */
  public static LogCapture of(Class<?> type) {
    return of(type.getName());
  }

  /**
   * Starts capturing a named logger and the loggers below it (name {@code dev.keyguard} captures
   * every KeyGuard class).
   *
   * @param name the logger name
   * @return the capture; close it to detach
   */
  public static LogCapture of(String name) {
    Logger logger = (Logger) LoggerFactory.getLogger(name);
    return new LogCapture(logger, logger.isAdditive());
  }

  /**
   * Starts capturing the root logger: everything the run logs.
   *
   * @return the capture; close it to detach
   */
  public static LogCapture root() {
    return of(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /**
   * Creates a logger of its own, under a unique name starting with {@code prefix}, for a test to
   * hand to the code under test; its events reach this capture only (not the console).
   *
   * @param prefix the start of the logger name
   * @return the capture; {@link #logger()} is the logger to write to
   */
  public static LogCapture isolated(String prefix) {
    Logger logger = (Logger) LoggerFactory.getLogger(prefix + "." + UUID.randomUUID());
    return new LogCapture(logger, false);
  }

  /**
   * The captured logger (for {@link #isolated(String)}: the one to write to).
   *
   * @return the Logback logger, which is also an SLF4J logger
   */
  public Logger logger() {
    return logger;
  }

  /**
   * The captured events.
   *
   * @return a copy of the events so far
   */
  public List<ILoggingEvent> events() {
    // AppenderBase.doAppend holds the appender's monitor while it appends: the same lock here
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /**
   * The formatted messages, every level.
   *
   * @return the messages, in order
   */
  public List<String> messages() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
  }

  /**
   * The formatted messages logged at a level.
   *
   * @param level the level
   * @return the messages, in order
   */
  public List<String> messages(Level level) {
    return events().stream()
        .filter(e -> e.getLevel().equals(level))
        .map(ILoggingEvent::getFormattedMessage)
        .collect(Collectors.toList());
  }

  /**
   * Every captured event as text: level, formatted message and any attached throwable's messages.
   *
   * @return the text, one event per line
   */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent e : events()) {
      sb.append(e.getLevel()).append(' ').append(e.getFormattedMessage());
      for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Detaches the capture and restores the logger's level and additivity. */
  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
    logger.setAdditive(previousAdditive);
    appender.stop();
  }
}
