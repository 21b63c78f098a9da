package dev.keyguard.logging.logback;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.keyguard.Redactor;

/**
 * A Logback pattern converter that writes the formatted message passed through {@link
 * Redactor#global()}. Declare it once and use {@code %redactedMsg} in place of {@code %msg}:
 *
 * <pre>{@code
 * <conversionRule conversionWord="redactedMsg"
 *                 class="dev.keyguard.logging.logback.RedactingMessageConverter"/>
 * <pattern>%d %-5level %logger - %redactedMsg%n%redactedEx</pattern>
 * }</pre>
 *
 * <p>Pair it with {@link RedactingThrowableConverter} ({@code %redactedEx}), or use {@link
 * RedactingEncoder}, which covers the whole line. Cost per line: one redaction pass over the
 * message. Thread-safe.
 */
public class RedactingMessageConverter extends ClassicConverter {

  /** Creates the converter; Logback instantiates it. */
  public RedactingMessageConverter() {}

  /**
   * Returns the redacted formatted message.
   *
   * @param event the event
   * @return the message with every known secret replaced
   */
  @Override
  public String convert(ILoggingEvent event) {
    return Redactor.global().redact(event.getFormattedMessage());
  }
}
