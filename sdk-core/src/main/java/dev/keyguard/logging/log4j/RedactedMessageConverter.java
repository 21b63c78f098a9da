package dev.keyguard.logging.log4j;

import dev.keyguard.Redactor;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;

/**
 * A Log4j 2 pattern converter: {@code %redactedMsg} writes the formatted message passed through
 * {@link Redactor#global()}. The one-line setup: use it in place of {@code %m} / {@code %msg}.
 *
 * <pre>{@code
 * <PatternLayout pattern="%d %-5level %logger - %redactedMsg%n"/>
 * }</pre>
 *
 * <p>It covers the message only; exceptions printed by the layout are not redacted by it (use
 * {@link RedactingRewritePolicy} for those). Cost per line: one redaction pass over the message.
 * Thread-safe.
 */
@Plugin(name = "KeyGuardRedactedMessage", category = PatternConverter.CATEGORY)
@ConverterKeys({"redactedMsg"})
public final class RedactedMessageConverter extends LogEventPatternConverter {

  private static final RedactedMessageConverter INSTANCE = new RedactedMessageConverter();

  private RedactedMessageConverter() {
    super("redactedMsg", "redactedMsg");
  }

  /**
   * The factory Log4j calls for {@code %redactedMsg}.
   *
   * @param options the converter options (none are used)
   * @return the converter
   */
  public static RedactedMessageConverter newInstance(String[] options) {
    return INSTANCE;
  }

  /**
   * Appends the redacted formatted message.
   *
   * @param event the event
   * @param toAppendTo the output
   */
  @Override
  public void format(LogEvent event, StringBuilder toAppendTo) {
    if (event.getMessage() != null) {
      toAppendTo.append(Redactor.global().redact(event.getMessage().getFormattedMessage()));
    }
  }
}
