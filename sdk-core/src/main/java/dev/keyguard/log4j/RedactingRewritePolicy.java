package dev.keyguard.log4j;

import dev.keyguard.RedactedThrowable;
import dev.keyguard.Redactor;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.rewrite.RewritePolicy;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;

/**
 * A Log4j 2 rewrite policy that replaces each event's message with its redacted formatted text
 * and its exception with a {@link RedactedThrowable} copy when the chain holds anything to
 * redact, using {@link Redactor#global()}. Every appender behind the {@code Rewrite} appender sees
 * only the scrubbed event.
 *
 * <pre>{@code
 * <Appenders>
 *   <Console name="Console"><PatternLayout pattern="%d %-5level %logger - %msg%n"/></Console>
 *   <Rewrite name="Redacted"><KeyGuardRedaction/><AppenderRef ref="Console"/></Rewrite>
 * </Appenders>
 * <Loggers><Root level="info"><AppenderRef ref="Redacted"/></Root></Loggers>
 * }</pre>
 *
 * <p>Cost per event: one redaction pass over the formatted message; an event with nothing to
 * redact is passed on as it is. Structured message parameters are dropped from rewritten events
 * (the message becomes plain text). Thread-safe.
 */
@Plugin(
    name = "KeyGuardRedaction",
    category = Core.CATEGORY_NAME,
    elementType = "rewritePolicy",
    printObject = true)
public final class RedactingRewritePolicy implements RewritePolicy {

  private static final RedactingRewritePolicy INSTANCE = new RedactingRewritePolicy();

  private RedactingRewritePolicy() {}

  /**
   * The plugin factory Log4j calls for {@code <KeyGuardRedaction/>}.
   *
   * @return the policy
   */
  @PluginFactory
  public static RedactingRewritePolicy createPolicy() {
    return INSTANCE;
  }

  /**
   * Returns the event with its message and exception redacted, or the same event if nothing in
   * it needs redacting.
   *
   * @param source the event
   * @return the event to append
   */
  @Override
  public LogEvent rewrite(LogEvent source) {
    Redactor redactor = Redactor.global();
    String formatted = source.getMessage() == null ? null : source.getMessage().getFormattedMessage();
    String redacted = redactor.redact(formatted);
    Throwable thrown = source.getThrown();
    Throwable safe = RedactedThrowable.protect(thrown, redactor);
    if (redacted == formatted && safe == thrown) {
      return source;
    }
    Log4jLogEvent.Builder builder = new Log4jLogEvent.Builder(source);
    if (redacted != formatted) {
      builder.setMessage(new SimpleMessage(redacted));
    }
    if (safe != thrown) {
      builder.setThrown(safe).setThrownProxy(null);
    }
    return builder.build();
  }

  /** Returns the plugin name. */
  @Override
  public String toString() {
    return "KeyGuardRedaction";
  }
}
