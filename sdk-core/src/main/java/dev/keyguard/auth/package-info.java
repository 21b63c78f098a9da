/**
 * How a credential is put on a request: {@link dev.keyguard.auth.AuthScheme}, the one-method
 * extension point, and {@link dev.keyguard.auth.AuthSchemes}, the factory of the built-in schemes
 * (header, bearer token, query parameter, Binance and Kraken HMAC signatures, Coinbase JWT). The
 * implementations are package-private.
 *
 * <p>Where to start: pick a scheme from {@link dev.keyguard.auth.AuthSchemes} and pass it to the
 * {@link dev.keyguard.client.KeyGuardClient} builder; implement {@link
 * dev.keyguard.auth.AuthScheme} only for a scheme that is not there.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard.auth;

import org.jspecify.annotations.NullMarked;
