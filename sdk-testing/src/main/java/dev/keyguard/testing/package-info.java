/**
 * Test fixtures for applications and backends built on KeyGuard: {@link
 * dev.keyguard.testing.InMemoryKeyProviderForTesting} (rotate, fail and count fetches), {@link
 * dev.keyguard.testing.FakeClock} (the fake {@link dev.keyguard.TimeSource}) and {@link
 * dev.keyguard.testing.FakeScheduler} for refresh tests without sleeping, {@link
 * dev.keyguard.testing.TestSecrets} for values generated at run time, {@link
 * dev.keyguard.testing.SecretLeakAssertions}, and {@link dev.keyguard.testing.CanaryExtension}, the
 * suite-wide JUnit extension that fails a test whose output shows a live canary secret.
 *
 * <p>Where to start: register the canary extension for the whole suite (a {@code
 * META-INF/services/org.junit.jupiter.api.extension.Extension} file naming it, with {@code
 * junit.jupiter.extensions.autodetection.enabled=true}), and build key managers on the in-memory
 * provider and the fake clock and scheduler.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard.testing;

import org.jspecify.annotations.NullMarked;
