package dev.keyguard.logging.log4j;

import dev.keyguard.Redactor;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;

/**
 * A Log4j 2 pattern converter: {@code %redactedEx} writes the event's stack trace (every cause and
 * suppressed exception included) passed through {@link Redactor#global()}. Because it handles the
 * throwable, the layout no longer appends its own unredacted {@code %xEx}.
 *
 * <pre>{@code
 * <PatternLayout pattern="%d %-5level %logger - %redactedMsg%n%redactedEx"/>
 * }</pre>
 *
 * <p>Cost: nothing for events without an exception; otherwise the JDK's stack trace text plus one
 * redaction pass over it. Thread-safe.
 */
@Plugin(name = "KeyGuardRedactedThrowable", category = PatternConverter.CATEGORY)
@ConverterKeys({"redactedEx"})
public final class RedactedThrowableConverter extends LogEventPatternConverter {

  private static final RedactedThrowableConverter INSTANCE = new RedactedThrowableConverter();

  private RedactedThrowableConverter() {
    super("redactedEx", "throwable");
  }

  /**
   * The factory Log4j calls for {@code %redactedEx}.
   *
   * @param options the converter options (none are used)
   * @return the converter
   */
  public static RedactedThrowableConverter newInstance(String[] options) {
    return INSTANCE;
  }

  /**
   * Appends the redacted stack trace, if the event has an exception.
   *
   * @param event the event
   * @param toAppendTo the output
   */
  @Override
  public void format(LogEvent event, StringBuilder toAppendTo) {
    Throwable thrown = event.getThrown();
    if (thrown == null) {
      return;
    }
    StringWriter out = new StringWriter();
    try (PrintWriter writer = new PrintWriter(out)) {
      thrown.printStackTrace(writer);
    }
    toAppendTo.append(Redactor.global().redact(out.toString()));
  }

  /**
   * Tells the layout that this converter prints the exception.
   *
   * @return true
   */
  @Override
  public boolean handlesThrowable() {
    return true;
  }
}
