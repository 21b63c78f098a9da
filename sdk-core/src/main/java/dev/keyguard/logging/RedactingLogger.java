package dev.keyguard.logging;

import dev.keyguard.RedactedThrowable;
import dev.keyguard.Redactor;
import java.io.ObjectStreamException;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.DefaultLoggingEvent;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.DefaultLoggingEventBuilder;
import org.slf4j.spi.LocationAwareLogger;
import org.slf4j.spi.LoggingEventAware;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * An SLF4J {@link Logger} that scrubs every message before the logging backend sees it: the message
 * is formatted with its arguments, passed through {@link Redactor#global()} (the one redactor
 * KeyGuard uses), and handed to the wrapped logger as plain text; key-value pairs of the fluent API
 * are redacted too; an exception is replaced by a {@link RedactedThrowable} copy if its chain holds
 * anything to redact. Works with any SLF4J backend.
 *
 * <pre>{@code
 * private static final Logger log = RedactingLogger.getLogger(OrderService.class);
 * log.info("calling with key {}", apiKey);   // calling with key [REDACTED:fp:3f2a9c1b07d4]
 * }</pre>
 *
 * <p>Cost per enabled line: the formatting SLF4J would do anyway, plus one {@link
 * Redactor#redact(CharSequence)} pass (a few microseconds for a 1 KiB line, see {@code
 * bench/README.md}); disabled levels cost one {@code isXxxEnabled} check, as usual. Caller location
 * ({@code %C}, {@code %M}, {@code %L}) is preserved on Logback and other backends that implement
 * {@link LocationAwareLogger} or {@link LoggingEventAware}, for the classic and the fluent API.
 * Messages reach the backend pre-formatted, so a backend that keeps the pattern and arguments apart
 * (for structured output) sees only the redacted text. As in SLF4J, a trailing {@link Throwable}
 * argument that no placeholder takes is the event's exception, in the classic and the fluent API
 * alike.
 *
 * <p>Thread-safe if the wrapped logger is. Serializable as SLF4J loggers are, by name: it
 * deserializes as a redacting logger of the same name.
 */
public final class RedactingLogger extends AbstractLogger {

  // How it works: AbstractLogger checks the level and separates a trailing throwable for every
  // classic method, then calls handleNormalizedLoggingCall; the fluent API arrives through
  // RedactingEventBuilder. Both end in forward(), which redacts and hands the event to the
  // backend. A backend finds the caller as the first frame below the boundary class it is given:
  // AbstractLogger for the classic methods, RedactingEventBuilder for the fluent ones.

  private static final long serialVersionUID = 1L;

  /** The classic methods are AbstractLogger's: the application's frame is right below them. */
  private static final String CLASSIC_BOUNDARY = AbstractLogger.class.getName();

  private final transient Logger delegate;

  private RedactingLogger(Logger delegate) {
    this.delegate = delegate;
    this.name = delegate.getName();
  }

  /**
   * A redacting logger named after a class.
   *
   * @param type the class
   * @return the logger
   */
  public static Logger getLogger(Class<?> type) {
    return wrap(LoggerFactory.getLogger(type));
  }

  /**
   * A redacting logger with a name.
   *
   * @param name the logger name
   * @return the logger
   */
  public static Logger getLogger(String name) {
    return wrap(LoggerFactory.getLogger(name));
  }

  /**
   * Wraps a logger. Wrapping a redacting logger returns it.
   *
   * @param logger the logger to wrap
   * @return the redacting logger
   */
  public static Logger wrap(Logger logger) {
    Objects.requireNonNull(logger, "logger");
    return logger instanceof RedactingLogger ? logger : new RedactingLogger(logger);
  }

  @Override
  public boolean isTraceEnabled() {
    return delegate.isTraceEnabled();
  }

  @Override
  public boolean isTraceEnabled(Marker marker) {
    return delegate.isTraceEnabled(marker);
  }

  @Override
  public boolean isDebugEnabled() {
    return delegate.isDebugEnabled();
  }

  @Override
  public boolean isDebugEnabled(Marker marker) {
    return delegate.isDebugEnabled(marker);
  }

  @Override
  public boolean isInfoEnabled() {
    return delegate.isInfoEnabled();
  }

  @Override
  public boolean isInfoEnabled(Marker marker) {
    return delegate.isInfoEnabled(marker);
  }

  @Override
  public boolean isWarnEnabled() {
    return delegate.isWarnEnabled();
  }

  @Override
  public boolean isWarnEnabled(Marker marker) {
    return delegate.isWarnEnabled(marker);
  }

  @Override
  public boolean isErrorEnabled() {
    return delegate.isErrorEnabled();
  }

  @Override
  public boolean isErrorEnabled(Marker marker) {
    return delegate.isErrorEnabled(marker);
  }

  @Override
  public LoggingEventBuilder makeLoggingEventBuilder(Level level) {
    return new RedactingEventBuilder(level);
  }

  /** Returns the wrapped logger's name. */
  @Override
  public String toString() {
    return "RedactingLogger[" + getName() + "]";
  }

  /**
   * The class the classic methods are declared in, so that backends look below it for the caller.
   *
   * @return the name of {@link AbstractLogger}
   */
  @Override
  protected String getFullyQualifiedCallerName() {
    return CLASSIC_BOUNDARY;
  }

  /**
   * Every classic method ends here, with the level already checked.
   *
   * @param level the level
   * @param marker the marker, or null
   * @param messagePattern the message pattern
   * @param arguments the arguments, or null
   * @param throwable the exception, or null
   */
  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String messagePattern, Object[] arguments, Throwable throwable) {
    List<Marker> markers = marker == null ? List.of() : List.of(marker);
    forward(level, markers, messagePattern, arguments, List.of(), throwable, CLASSIC_BOUNDARY);
  }

  /**
   * Deserializes as a redacting logger of the same name (never as the plain logger that {@link
   * AbstractLogger} would resolve to).
   *
   * @return the redacting logger
   * @throws ObjectStreamException never
   */
  @Override
  protected Object readResolve() throws ObjectStreamException {
    return getLogger(getName());
  }

  private void forward(
      Level level,
      List<Marker> markers,
      String pattern,
      Object[] arguments,
      List<KeyValuePair> keyValues,
      Throwable throwable,
      String boundary) {
    Object[] args = arguments;
    Throwable t = throwable;
    if (t == null) {
      // AbstractLogger separates it for the varargs methods only; the fluent API not at all
      t = MessageFormatter.getThrowableCandidate(arguments);
      args = t == null ? arguments : MessageFormatter.trimmedCopy(arguments);
    }
    String message = MessageFormatter.basicArrayFormat(pattern, args);
    Redactor redactor = Redactor.global();
    Throwable cause = RedactedThrowable.protect(t);
    if (delegate instanceof LoggingEventAware aware) {
      DefaultLoggingEvent event = new DefaultLoggingEvent(level, delegate);
      event.setMessage(redactor.redact(message));
      markers.forEach(event::addMarker);
      for (KeyValuePair kv : keyValues) {
        Object v = kv.value;
        event.addKeyValue(kv.key, v == null ? null : redactor.redact(String.valueOf(v)));
      }
      event.setThrowable(cause);
      event.setCallerBoundary(boundary);
      aware.log(event);
      return;
    }
    StringBuilder text = new StringBuilder();
    for (KeyValuePair kv : keyValues) {
      text.append(kv.key).append('=').append(kv.value).append(' ');
    }
    String redacted = redactor.redact(text.append(message));
    if (delegate instanceof LocationAwareLogger located) {
      Marker first = markers.isEmpty() ? null : markers.get(0);
      located.log(first, boundary, level.toInt(), redacted, null, cause);
    } else {
      LoggingEventBuilder builder = delegate.atLevel(level).setCause(cause);
      for (Marker m : markers) {
        builder = builder.addMarker(m);
      }
      builder.log(redacted);
    }
  }

  /**
   * The fluent API: every public {@code log} method is overridden here, so that this class is the
   * caller boundary backends look for.
   */
  private final class RedactingEventBuilder extends DefaultLoggingEventBuilder {
    private final String boundary = RedactingEventBuilder.class.getName();

    RedactingEventBuilder(Level level) {
      super(RedactingLogger.this, level);
    }

    @Override
    public void log() {
      emit();
    }

    @Override
    public void log(String message) {
      loggingEvent.setMessage(message);
      emit();
    }

    @Override
    public void log(String message, Object arg) {
      loggingEvent.setMessage(message);
      loggingEvent.addArgument(arg);
      emit();
    }

    @Override
    public void log(String message, Object arg1, Object arg2) {
      loggingEvent.setMessage(message);
      loggingEvent.addArgument(arg1);
      loggingEvent.addArgument(arg2);
      emit();
    }

    @Override
    public void log(String message, Object... args) {
      loggingEvent.setMessage(message);
      loggingEvent.addArguments(args);
      emit();
    }

    @Override
    public void log(Supplier<String> messageSupplier) {
      loggingEvent.setMessage(messageSupplier == null ? null : messageSupplier.get());
      emit();
    }

    private void emit() {
      List<Marker> markers = loggingEvent.getMarkers();
      List<KeyValuePair> keyValues = loggingEvent.getKeyValuePairs();
      forward(
          loggingEvent.getLevel(),
          markers == null ? List.of() : markers,
          loggingEvent.getMessage(),
          loggingEvent.getArgumentArray(),
          keyValues == null ? List.of() : keyValues,
          loggingEvent.getThrowable(),
          boundary);
    }
  }
}
