/**
 * The request path: {@link dev.keyguard.client.KeyGuardClient} sends {@link
 * dev.keyguard.client.ApiRequest}s over an OkHttp chain that enforces the {@link
 * dev.keyguard.client.HttpsPolicy}, retries throttled calls ({@link
 * dev.keyguard.client.RetryOptions}), applies the managed key with its {@link
 * dev.keyguard.auth.AuthScheme}, retries once with a rotated key on a rejection ({@link
 * dev.keyguard.client.RejectionRule}) and logs with nothing secret in it ({@link
 * dev.keyguard.client.HttpLogger}). Every interceptor and helper is package-private.
 *
 * <p>Where to start: {@link dev.keyguard.client.KeyGuardClient#builder()}. Every type and member of
 * this package is non-null unless annotated {@code @Nullable}.
 *
 * <h2>Builders</h2>
 *
 * One rule for every builder in this package ({@code KeyGuardClient.Builder}, {@code
 * ApiRequest.Builder}, {@code HttpsPolicy.Builder}, {@code RetryOptions.Builder}, {@code
 * ApiPreset.Builder}, {@code HttpLogger.Builder}):
 *
 * <ul>
 *   <li><b>Last call wins.</b> Calling a setter again replaces what the earlier call set, without
 *       an error; a setter that takes several values ({@code rejectionStatuses(int...)}, {@code
 *       retryStatuses(int...)}, {@code allowedHeaders(Collection)}) replaces the whole set. Only
 *       methods that say they add ({@code HttpLogger.Builder.allowHeader}, {@code
 *       allowQueryParameter}, {@code authScheme}; {@code HttpsPolicy.Builder.pin}, as OkHttp's
 *       {@code CertificatePinner.Builder.add}; {@code HttpsPolicy.Builder.addTrustedCertificates})
 *       add to what is there.
 *   <li><b>Each setting is checked when it is set</b>: a bad value fails at once with an {@link
 *       java.lang.IllegalArgumentException} (or {@link java.lang.NullPointerException} for null)
 *       that names the setting.
 *   <li><b>{@code build()} checks the combination</b>: a missing required setting or settings that
 *       conflict fail with an {@link java.lang.IllegalStateException} naming them.
 *   <li>Built objects are immutable; {@code toBuilder()} returns a new builder holding their
 *       settings, to derive a variant. Builders are not thread-safe.
 * </ul>
 */
@NullMarked
package dev.keyguard.client;

import org.jspecify.annotations.NullMarked;
