package dev.keyguard.logging.logback;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.keyguard.Redactor;
import java.nio.charset.Charset;

/**
 * A Logback {@code PatternLayoutEncoder} that passes each whole formatted line (message, MDC,
 * exception and stack trace included) through {@link Redactor#global()} before writing it. The
 * one-line setup: change the encoder class of an appender.
 *
 * <pre>{@code
 * <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
 *   <encoder class="dev.keyguard.logging.logback.RedactingEncoder">
 *     <pattern>%d %-5level [%thread] %logger - %msg%n</pattern>
 *   </encoder>
 * </appender>
 * }</pre>
 *
 * <p>Cost per line: one {@link Redactor#redact(CharSequence)} pass over the formatted line (no
 * copy when it holds nothing to redact). Other appenders of the same event that do not use this
 * encoder still see the raw message. Thread-safe, as Logback encoders are used.
 */
public class RedactingEncoder extends PatternLayoutEncoder {

  /** Creates the encoder; Logback sets the pattern. */
  public RedactingEncoder() {}

  /**
   * Formats the event with the pattern, redacts the line and encodes it.
   *
   * @param event the event
   * @return the bytes to write
   */
  @Override
  public byte[] encode(ILoggingEvent event) {
    String line = Redactor.global().redact(getLayout().doLayout(event));
    Charset charset = getCharset();
    return charset == null ? line.getBytes(Charset.defaultCharset()) : line.getBytes(charset);
  }
}
