package dev.keyguard.logging.log4j;

import dev.keyguard.RedactedThrowable;
import dev.keyguard.Redactor;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.rewrite.RewritePolicy;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.impl.ContextDataFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.message.SimpleMessage;
import org.apache.logging.log4j.util.ReadOnlyStringMap;
import org.apache.logging.log4j.util.StringMap;
import org.jspecify.annotations.Nullable;

/**
 * A Log4j 2 rewrite policy that replaces each event's message with its redacted formatted text and
 * its exception with a {@link RedactedThrowable} copy when the chain holds anything to redact,
 * using {@link Redactor#global()}. Every appender behind the {@code Rewrite} appender sees only the
 * scrubbed event.
 *
 * <pre>{@code
 * <Appenders>
 *   <Console name="Console"><PatternLayout pattern="%d %-5level %logger - %msg%n"/></Console>
 *   <Rewrite name="Redacted"><KeyGuardRedaction/><AppenderRef ref="Console"/></Rewrite>
 * </Appenders>
 * <Loggers><Root level="info"><AppenderRef ref="Redacted"/></Root></Loggers>
 * }</pre>
 *
 * <p>The message parameters (which some layouts print on their own) and the context data (MDC /
 * {@code ThreadContext}) values are checked too: a parameter holding something to redact makes the
 * message plain redacted text, and context values are redacted one by one.
 *
 * <p>Cost per event: one redaction pass over the formatted message, each parameter and each context
 * value; an event with nothing to redact is passed on as it is. Structured message parameters are
 * dropped from rewritten events (the message becomes plain text). Thread-safe.
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
   * Returns the event with its message and exception redacted, or the same event if nothing in it
   * needs redacting.
   *
   * @param source the event
   * @return the event to append
   */
  @Override
  public LogEvent rewrite(LogEvent source) {
    Redactor redactor = Redactor.global();
    Message message = source.getMessage();
    String formatted = message == null ? null : message.getFormattedMessage();
    String redacted = formatted == null ? null : redactor.redact(formatted);
    // a layout may print the parameters themselves (JsonTemplateLayout), including unused ones
    boolean replaceMessage =
        !Objects.equals(redacted, formatted) || !parametersClean(message, redactor);
    Throwable thrown = source.getThrown();
    Throwable safe = RedactedThrowable.protect(thrown, redactor);
    StringMap data = redactedContextData(source.getContextData(), redactor);
    if (!replaceMessage && safe == thrown && data == null) {
      return source;
    }
    Log4jLogEvent.Builder builder = new Log4jLogEvent.Builder(source);
    if (replaceMessage) {
      builder.setMessage(new SimpleMessage(redacted));
    }
    if (safe != thrown) {
      clearThrownProxy(builder.setThrown(safe));
    }
    if (data != null) {
      builder.setContextData(data);
    }
    return builder.build();
  }

  /**
   * Drops the thrown proxy the builder copied from the source event: Log4j before 2.24 copies it,
   * and a layout printing {@code %ex} reads the proxy (built from the original exception, secret
   * and all) rather than the redacted throwable. Log4j 2.24 deprecated the setter and made it a
   * no-op, as the proxy is derived from the throwable there; the call stays for the older versions
   * an application may bring.
   */
  @SuppressWarnings("deprecation")
  private static void clearThrownProxy(Log4jLogEvent.Builder builder) {
    builder.setThrownProxy(null);
  }

  private static boolean parametersClean(@Nullable Message message, Redactor redactor) {
    Object[] parameters = message == null ? null : message.getParameters();
    if (parameters == null) {
      return true;
    }
    for (Object parameter : parameters) {
      if (parameter == null) {
        continue;
      }
      String text;
      try {
        text = String.valueOf(parameter);
      } catch (RuntimeException e) {
        return false;
      }
      if (!redactor.redact(text).equals(text)) {
        return false;
      }
    }
    return true;
  }

  /** A redacted copy of the context data (MDC), or null if nothing in it changes. */
  private static @Nullable StringMap redactedContextData(
      @Nullable ReadOnlyStringMap data, Redactor redactor) {
    if (data == null || data.isEmpty()) {
      return null;
    }
    Map<String, String> changed = new HashMap<>();
    data.forEach(
        (key, value) -> {
          if (value != null) {
            String text = String.valueOf(value);
            String scrubbed = redactor.redact(text);
            if (!scrubbed.equals(text)) {
              changed.put(key, scrubbed);
            }
          }
        });
    if (changed.isEmpty()) {
      return null;
    }
    StringMap copy = ContextDataFactory.createContextData(data.size());
    data.forEach(
        (key, value) -> copy.putValue(key, changed.containsKey(key) ? changed.get(key) : value));
    return copy;
  }

  @Override
  public String toString() {
    return "KeyGuardRedaction";
  }
}
