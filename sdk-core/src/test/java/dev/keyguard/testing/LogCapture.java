package dev.keyguard.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Captures what a class logs (through SLF4J into Logback), at every level from DEBUG up, so a test
 * can assert what was logged and that no secret was.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.of(FileKeyProvider.class)) {
 *   provider.fetch(keyId);
 *   assertThat(logs.messages(Level.WARN)).hasSize(1);
 *   SecretLeakAssertions.assertNoLeakInText("logs", logs.text(), secret);
 * }
 * }</pre>
 *
 * <p>Thread-safe for logging; read the results after the logging threads are done.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(Class<?> type) {
    this.logger = (Logger) LoggerFactory.getLogger(type);
    this.previousLevel = logger.getLevel();
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
  }

  /**
   * Starts capturing the logger named after a class.
   *
   * @param type the class whose logger to capture
   * @return the capture; close it to detach
   */
  public static LogCapture of(Class<?> type) {
    return new LogCapture(type);
  }

  /**
   * The captured events.
   *
   * @return a copy of the events so far
   */
  public List<ILoggingEvent> events() {
    synchronized (appender.list) {
      return List.copyOf(appender.list);
    }
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

  /** Detaches the capture and restores the logger's level. */
  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
    appender.stop();
  }
}
