/**
 * Log4j 2 integration: the {@code KeyGuardRedaction} rewrite policy (message and exception chain
 * redacted before any appender sees the event) and the {@code %redactedMsg} pattern converter.
 * Needs log4j-core on the application's class path; KeyGuard core does not bring it. Both are found
 * through the plugin index compiled into the KeyGuard jar: no {@code packages} attribute is needed.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard.logging.log4j;

import org.jspecify.annotations.NullMarked;
