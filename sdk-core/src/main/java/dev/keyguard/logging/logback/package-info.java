/**
 * Logback integration: {@link dev.keyguard.logging.logback.RedactingEncoder} (the one-line setup: it
 * redacts each whole formatted line) and the {@code %redactedMsg} / {@code %redactedEx} pattern
 * converters. Needs logback-classic on the application's class path; KeyGuard core does not bring
 * it.
 */
package dev.keyguard.logging.logback;
