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
 * <p>Every format modifier of the pattern is safe: each conversion ({@code %msg}, {@code %X},
 * {@code %ex}, a composite such as {@code %replace(...)}) is redacted <em>before</em> it is padded
 * or cut, so {@code %.-30msg} or {@code %.20X{token}} never keep the start or the end of a secret
 * that crosses the cut; the finished line is redacted once more as a whole.
 *
 * <p>Cost per line: one {@link Redactor#redact(CharSequence)} pass over each conversion's output
 * and one over the formatted line (no copy when they hold nothing to redact). Other appenders of
 * the same event that do not use this encoder still see the raw message. Thread-safe, as Logback
 * encoders are used.
 */
public class RedactingEncoder extends PatternLayoutEncoder {

  /** Creates the encoder; Logback sets the pattern. */
  public RedactingEncoder() {}

  /** Starts the encoder with a layout that redacts each conversion before its format modifiers. */
  @Override
  public void start() {
    super.start();
    if (!isStarted()) {
      return;
    }
    RedactingPatternLayout redacting = new RedactingPatternLayout();
    redacting.setContext(getContext());
    redacting.setPattern(getPattern());
    redacting.setOutputPatternAsHeader(outputPatternAsHeader);
    redacting.start();
    if (!redacting.isStarted()) {
      addError(
          "KeyGuard could not start its redacting layout for pattern \"" + getPattern() + "\"");
      stop();
      return;
    }
    this.layout = redacting;
  }

  /**
   * Formats the event with the pattern, redacts the line and encodes it.
   *
   * @param event the event
   * @return the bytes to write
   */
  @Override
  public byte[] encode(ILoggingEvent event) {
    if (!isStarted()) {
      return new byte[0]; // refused pattern or not started: write nothing rather than raw text
    }
    String line = Redactor.global().redact(getLayout().doLayout(event));
    Charset charset = getCharset();
    return charset == null ? line.getBytes(Charset.defaultCharset()) : line.getBytes(charset);
  }
}
