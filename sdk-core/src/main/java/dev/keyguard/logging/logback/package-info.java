/**
 * Logback integration: {@link dev.keyguard.logging.logback.RedactingEncoder} (the one-line setup:
 * it redacts each whole formatted line) and the {@code %redactedMsg} / {@code %redactedEx} pattern
 * converters. With the encoder, every format modifier of the pattern cuts text that is already
 * redacted; a pattern that would cut or rewrite raw text ({@code %replace}, a maximum width inside
 * a composite) is refused at start. Needs logback-classic on the application's class path; KeyGuard
 * core does not bring it.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard.logging.logback;

import org.jspecify.annotations.NullMarked;
