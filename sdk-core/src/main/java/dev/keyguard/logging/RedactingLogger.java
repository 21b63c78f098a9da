package dev.keyguard.logging;

import dev.keyguard.RedactedThrowable;
import dev.keyguard.Redactor;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.DefaultLoggingEvent;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.DefaultLoggingEventBuilder;
import org.slf4j.spi.LocationAwareLogger;
import org.slf4j.spi.LoggingEventAware;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * An SLF4J {@link Logger} that scrubs every message before the logging backend sees it: the
 * message is formatted with its arguments, passed through the {@link Redactor}, and handed to the
 * wrapped logger as plain text; key-value pairs of the fluent API are redacted too; an exception
 * is replaced by a {@link RedactedThrowable} copy if its chain holds anything to redact. Works
 * with any SLF4J backend.
 *
 * <pre>{@code
 * private static final Logger log = RedactingLogger.getLogger(OrderService.class);
 * log.info("calling with key {}", apiKey);   // calling with key [REDACTED:sha256:3f2a9c1b]
 * }</pre>
 *
 * <p>Cost per enabled line: the formatting SLF4J would do anyway, plus one {@link
 * Redactor#redact(CharSequence)} pass (a few microseconds for a 1 KiB line, see {@code
 * bench/README.md}); disabled levels cost one {@code isXxxEnabled} check, as usual. Caller
 * location ({@code %C}, {@code %L}) is preserved on Logback and other backends that implement
 * {@link LocationAwareLogger} or {@link LoggingEventAware}, for the classic and the fluent API.
 * Messages reach the backend pre-formatted, so a backend that keeps the pattern and arguments
 * apart (for structured output) sees only the redacted text.
 *
 * <p>Thread-safe if the wrapped logger is.
 */
public final class RedactingLogger implements Logger {

  /** Logback and others skip frames of this class to find the caller. */
  private static final String FQCN = RedactingLogger.class.getName();

  private final Logger delegate;
  private final Redactor redactor;

  private RedactingLogger(Logger delegate, Redactor redactor) {
    this.delegate = delegate;
    this.redactor = redactor;
  }

  /**
   * A redacting logger named after a class, using {@link Redactor#global()}.
   *
   * @param type the class
   * @return the logger
   */
  public static Logger getLogger(Class<?> type) {
    return wrap(LoggerFactory.getLogger(type));
  }

  /**
   * A redacting logger with a name, using {@link Redactor#global()}.
   *
   * @param name the logger name
   * @return the logger
   */
  public static Logger getLogger(String name) {
    return wrap(LoggerFactory.getLogger(name));
  }

  /**
   * Wraps a logger, using {@link Redactor#global()}. Wrapping a redacting logger returns it.
   *
   * @param logger the logger to wrap
   * @return the redacting logger
   */
  public static Logger wrap(Logger logger) {
    return wrap(logger, Redactor.global());
  }

  /**
   * Wraps a logger with a given redactor.
   *
   * @param logger the logger to wrap
   * @param redactor the redactor
   * @return the redacting logger
   */
  public static Logger wrap(Logger logger, Redactor redactor) {
    Objects.requireNonNull(logger, "logger");
    Objects.requireNonNull(redactor, "redactor");
    if (logger instanceof RedactingLogger r && r.redactor == redactor) {
      return r;
    }
    return new RedactingLogger(logger, redactor);
  }

  @Override
  public String getName() {
    return delegate.getName();
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

  private void logArgs(Level level, Marker marker, String format, Object[] arguments) {
    Throwable t = MessageFormatter.getThrowableCandidate(arguments);
    Object[] args = t == null ? arguments : MessageFormatter.trimmedCopy(arguments);
    log(level, marker, format, args, t);
  }

  private void log(Level level, Marker marker, String format, Object[] arguments, Throwable t) {
    String message = MessageFormatter.basicArrayFormat(format, arguments);
    forward(level, marker == null ? List.of() : List.of(marker), message, List.of(), t, FQCN);
  }

  private void forward(
      Level level,
      List<Marker> markers,
      String message,
      List<KeyValuePair> keyValues,
      Throwable throwable,
      String boundary) {
    Prepared p = prepare(level, markers, message, keyValues, throwable, boundary);
    // the backend is called from this class's frames only, so that it finds the caller
    if (p.event != null) {
      ((LoggingEventAware) delegate).log(p.event);
    } else if (delegate instanceof LocationAwareLogger located) {
      located.log(p.marker, boundary, level.toInt(), p.message, null, p.cause);
    } else {
      p.fallback(delegate, level).log(p.message);
    }
  }

  /** What to hand to the backend, computed before the frames that call it. */
  private record Prepared(
      DefaultLoggingEvent event, String message, Throwable cause, Marker marker, List<Marker> markers) {
    LoggingEventBuilder fallback(Logger delegate, Level level) {
      LoggingEventBuilder builder = delegate.atLevel(level).setCause(cause);
      for (Marker m : markers) {
        builder = builder.addMarker(m);
      }
      return builder;
    }
  }

  private Prepared prepare(
      Level level,
      List<Marker> markers,
      String message,
      List<KeyValuePair> keyValues,
      Throwable throwable,
      String boundary) {
    Throwable cause = RedactedThrowable.protect(throwable, redactor);
    Marker first = markers.isEmpty() ? null : markers.get(0);
    if (delegate instanceof LoggingEventAware) {
      DefaultLoggingEvent event = new DefaultLoggingEvent(level, delegate);
      event.setMessage(redactor.redact(message));
      markers.forEach(event::addMarker);
      for (KeyValuePair kv : keyValues) {
        event.addKeyValue(kv.key, kv.value == null ? null : redactor.redact(String.valueOf(kv.value)));
      }
      event.setThrowable(cause);
      event.setCallerBoundary(boundary);
      return new Prepared(event, null, cause, first, markers);
    }
    StringBuilder text = new StringBuilder();
    for (KeyValuePair kv : keyValues) {
      text.append(kv.key).append('=').append(kv.value).append(' ');
    }
    return new Prepared(null, redactor.redact(text.append(message)), cause, first, markers);
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
  public void trace(String msg) {
    if (delegate.isTraceEnabled()) {
      log(Level.TRACE, null, msg, null, null);
    }
  }

  @Override
  public void trace(String format, Object arg) {
    if (delegate.isTraceEnabled()) {
      logArgs(Level.TRACE, null, format, new Object[] {arg});
    }
  }

  @Override
  public void trace(String format, Object arg1, Object arg2) {
    if (delegate.isTraceEnabled()) {
      logArgs(Level.TRACE, null, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void trace(String format, Object... arguments) {
    if (delegate.isTraceEnabled()) {
      logArgs(Level.TRACE, null, format, arguments);
    }
  }

  @Override
  public void trace(String msg, Throwable t) {
    if (delegate.isTraceEnabled()) {
      log(Level.TRACE, null, msg, null, t);
    }
  }

  @Override
  public void trace(Marker marker, String msg) {
    if (delegate.isTraceEnabled(marker)) {
      log(Level.TRACE, marker, msg, null, null);
    }
  }

  @Override
  public void trace(Marker marker, String format, Object arg) {
    if (delegate.isTraceEnabled(marker)) {
      logArgs(Level.TRACE, marker, format, new Object[] {arg});
    }
  }

  @Override
  public void trace(Marker marker, String format, Object arg1, Object arg2) {
    if (delegate.isTraceEnabled(marker)) {
      logArgs(Level.TRACE, marker, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void trace(Marker marker, String format, Object... arguments) {
    if (delegate.isTraceEnabled(marker)) {
      logArgs(Level.TRACE, marker, format, arguments);
    }
  }

  @Override
  public void trace(Marker marker, String msg, Throwable t) {
    if (delegate.isTraceEnabled(marker)) {
      log(Level.TRACE, marker, msg, null, t);
    }
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
  public void debug(String msg) {
    if (delegate.isDebugEnabled()) {
      log(Level.DEBUG, null, msg, null, null);
    }
  }

  @Override
  public void debug(String format, Object arg) {
    if (delegate.isDebugEnabled()) {
      logArgs(Level.DEBUG, null, format, new Object[] {arg});
    }
  }

  @Override
  public void debug(String format, Object arg1, Object arg2) {
    if (delegate.isDebugEnabled()) {
      logArgs(Level.DEBUG, null, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void debug(String format, Object... arguments) {
    if (delegate.isDebugEnabled()) {
      logArgs(Level.DEBUG, null, format, arguments);
    }
  }

  @Override
  public void debug(String msg, Throwable t) {
    if (delegate.isDebugEnabled()) {
      log(Level.DEBUG, null, msg, null, t);
    }
  }

  @Override
  public void debug(Marker marker, String msg) {
    if (delegate.isDebugEnabled(marker)) {
      log(Level.DEBUG, marker, msg, null, null);
    }
  }

  @Override
  public void debug(Marker marker, String format, Object arg) {
    if (delegate.isDebugEnabled(marker)) {
      logArgs(Level.DEBUG, marker, format, new Object[] {arg});
    }
  }

  @Override
  public void debug(Marker marker, String format, Object arg1, Object arg2) {
    if (delegate.isDebugEnabled(marker)) {
      logArgs(Level.DEBUG, marker, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void debug(Marker marker, String format, Object... arguments) {
    if (delegate.isDebugEnabled(marker)) {
      logArgs(Level.DEBUG, marker, format, arguments);
    }
  }

  @Override
  public void debug(Marker marker, String msg, Throwable t) {
    if (delegate.isDebugEnabled(marker)) {
      log(Level.DEBUG, marker, msg, null, t);
    }
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
  public void info(String msg) {
    if (delegate.isInfoEnabled()) {
      log(Level.INFO, null, msg, null, null);
    }
  }

  @Override
  public void info(String format, Object arg) {
    if (delegate.isInfoEnabled()) {
      logArgs(Level.INFO, null, format, new Object[] {arg});
    }
  }

  @Override
  public void info(String format, Object arg1, Object arg2) {
    if (delegate.isInfoEnabled()) {
      logArgs(Level.INFO, null, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void info(String format, Object... arguments) {
    if (delegate.isInfoEnabled()) {
      logArgs(Level.INFO, null, format, arguments);
    }
  }

  @Override
  public void info(String msg, Throwable t) {
    if (delegate.isInfoEnabled()) {
      log(Level.INFO, null, msg, null, t);
    }
  }

  @Override
  public void info(Marker marker, String msg) {
    if (delegate.isInfoEnabled(marker)) {
      log(Level.INFO, marker, msg, null, null);
    }
  }

  @Override
  public void info(Marker marker, String format, Object arg) {
    if (delegate.isInfoEnabled(marker)) {
      logArgs(Level.INFO, marker, format, new Object[] {arg});
    }
  }

  @Override
  public void info(Marker marker, String format, Object arg1, Object arg2) {
    if (delegate.isInfoEnabled(marker)) {
      logArgs(Level.INFO, marker, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void info(Marker marker, String format, Object... arguments) {
    if (delegate.isInfoEnabled(marker)) {
      logArgs(Level.INFO, marker, format, arguments);
    }
  }

  @Override
  public void info(Marker marker, String msg, Throwable t) {
    if (delegate.isInfoEnabled(marker)) {
      log(Level.INFO, marker, msg, null, t);
    }
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
  public void warn(String msg) {
    if (delegate.isWarnEnabled()) {
      log(Level.WARN, null, msg, null, null);
    }
  }

  @Override
  public void warn(String format, Object arg) {
    if (delegate.isWarnEnabled()) {
      logArgs(Level.WARN, null, format, new Object[] {arg});
    }
  }

  @Override
  public void warn(String format, Object arg1, Object arg2) {
    if (delegate.isWarnEnabled()) {
      logArgs(Level.WARN, null, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void warn(String format, Object... arguments) {
    if (delegate.isWarnEnabled()) {
      logArgs(Level.WARN, null, format, arguments);
    }
  }

  @Override
  public void warn(String msg, Throwable t) {
    if (delegate.isWarnEnabled()) {
      log(Level.WARN, null, msg, null, t);
    }
  }

  @Override
  public void warn(Marker marker, String msg) {
    if (delegate.isWarnEnabled(marker)) {
      log(Level.WARN, marker, msg, null, null);
    }
  }

  @Override
  public void warn(Marker marker, String format, Object arg) {
    if (delegate.isWarnEnabled(marker)) {
      logArgs(Level.WARN, marker, format, new Object[] {arg});
    }
  }

  @Override
  public void warn(Marker marker, String format, Object arg1, Object arg2) {
    if (delegate.isWarnEnabled(marker)) {
      logArgs(Level.WARN, marker, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void warn(Marker marker, String format, Object... arguments) {
    if (delegate.isWarnEnabled(marker)) {
      logArgs(Level.WARN, marker, format, arguments);
    }
  }

  @Override
  public void warn(Marker marker, String msg, Throwable t) {
    if (delegate.isWarnEnabled(marker)) {
      log(Level.WARN, marker, msg, null, t);
    }
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
  public void error(String msg) {
    if (delegate.isErrorEnabled()) {
      log(Level.ERROR, null, msg, null, null);
    }
  }

  @Override
  public void error(String format, Object arg) {
    if (delegate.isErrorEnabled()) {
      logArgs(Level.ERROR, null, format, new Object[] {arg});
    }
  }

  @Override
  public void error(String format, Object arg1, Object arg2) {
    if (delegate.isErrorEnabled()) {
      logArgs(Level.ERROR, null, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void error(String format, Object... arguments) {
    if (delegate.isErrorEnabled()) {
      logArgs(Level.ERROR, null, format, arguments);
    }
  }

  @Override
  public void error(String msg, Throwable t) {
    if (delegate.isErrorEnabled()) {
      log(Level.ERROR, null, msg, null, t);
    }
  }

  @Override
  public void error(Marker marker, String msg) {
    if (delegate.isErrorEnabled(marker)) {
      log(Level.ERROR, marker, msg, null, null);
    }
  }

  @Override
  public void error(Marker marker, String format, Object arg) {
    if (delegate.isErrorEnabled(marker)) {
      logArgs(Level.ERROR, marker, format, new Object[] {arg});
    }
  }

  @Override
  public void error(Marker marker, String format, Object arg1, Object arg2) {
    if (delegate.isErrorEnabled(marker)) {
      logArgs(Level.ERROR, marker, format, new Object[] {arg1, arg2});
    }
  }

  @Override
  public void error(Marker marker, String format, Object... arguments) {
    if (delegate.isErrorEnabled(marker)) {
      logArgs(Level.ERROR, marker, format, arguments);
    }
  }

  @Override
  public void error(Marker marker, String msg, Throwable t) {
    if (delegate.isErrorEnabled(marker)) {
      log(Level.ERROR, marker, msg, null, t);
    }
  }

  /**
   * The fluent API: every public {@code log} method is overridden here, so that this class is
   * the caller boundary backends look for.
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
      String message =
          MessageFormatter.basicArrayFormat(loggingEvent.getMessage(), loggingEvent.getArgumentArray());
      List<Marker> markers = loggingEvent.getMarkers() == null ? List.of() : loggingEvent.getMarkers();
      List<KeyValuePair> keyValues =
          loggingEvent.getKeyValuePairs() == null ? List.of() : loggingEvent.getKeyValuePairs();
      Level level = loggingEvent.getLevel();
      Prepared p = prepare(level, markers, message, keyValues, loggingEvent.getThrowable(), boundary);
      // the backend is called from this class's frames only, so that it finds the caller
      if (p.event != null) {
        ((LoggingEventAware) delegate).log(p.event);
      } else if (delegate instanceof LocationAwareLogger located) {
        located.log(p.marker, boundary, level.toInt(), p.message, null, p.cause);
      } else {
        p.fallback(delegate, level).log(p.message);
      }
    }
  }
}
