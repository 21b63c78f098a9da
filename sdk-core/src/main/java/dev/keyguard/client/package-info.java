/**
 * The request path: {@link dev.keyguard.client.KeyGuardClient}, an immutable HTTPS-only client for
 * one API that applies a managed key per request and retries once with a rotated key when the API
 * rejects the current one; its settings ({@link dev.keyguard.client.HttpsPolicy}, {@link
 * dev.keyguard.client.RetryOptions}, presets for known APIs), the {@link
 * dev.keyguard.client.ApiResponse} it returns, the exceptions it throws, and the redacting {@link
 * dev.keyguard.client.HttpLogger}. Every interceptor of the OkHttp chain is package-private.
 *
 * <p>Where to start: {@link dev.keyguard.client.KeyGuardClient#builder()}.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard.client;

import org.jspecify.annotations.NullMarked;
