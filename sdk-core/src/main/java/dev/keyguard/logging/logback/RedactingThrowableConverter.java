package dev.keyguard.logging.logback;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.keyguard.Redactor;

/**
 * A Logback pattern converter that writes the stack trace (messages of every cause and suppressed
 * exception included) passed through {@link Redactor#global()}. Declare it once and use {@code
 * %redactedEx} in place of {@code %ex}:
 *
 * <pre>{@code
 * <conversionRule conversionWord="redactedEx"
 *                 class="dev.keyguard.logging.logback.RedactingThrowableConverter"/>
 * }</pre>
 *
 * <p>Without any {@code %ex}-style word in the pattern, Logback appends {@code %ex} itself,
 * unredacted: include {@code %redactedEx} (or use {@link RedactingEncoder}). Thread-safe.
 */
public class RedactingThrowableConverter extends ThrowableProxyConverter {

  /** Creates the converter; Logback instantiates it. */
  public RedactingThrowableConverter() {}

  /**
   * Formats the throwable as {@code %ex} does, then redacts it.
   *
   * @param proxy the throwable
   * @return the redacted stack trace
   */
  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return Redactor.global().redact(super.throwableProxyToString(proxy));
  }
}
