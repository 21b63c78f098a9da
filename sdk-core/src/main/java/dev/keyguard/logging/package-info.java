/**
 * Logging that cannot leak a live secret: {@link dev.keyguard.logging.RedactingLogger} wraps any
 * SLF4J logger and passes every message, key-value pair and exception through {@link
 * dev.keyguard.Redactor#global()}. The backend-specific integrations, which redact whole lines in
 * the application's own logging configuration, are in {@code dev.keyguard.logging.logback} and
 * {@code dev.keyguard.logging.log4j}.
 *
 * <p>Where to start: wrap a logger with {@code RedactingLogger}, or configure the integration of
 * the backend the application already uses.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard.logging;

import org.jspecify.annotations.NullMarked;
