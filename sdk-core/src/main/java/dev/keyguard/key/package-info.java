/**
 * The key path: a {@link dev.keyguard.key.KeyProvider} (the SPI a backend implements: fetch a key
 * by id, blocking, called off the request path) and the {@link dev.keyguard.key.KeyManager} that
 * keeps each key fresh in the background and hands out one {@link dev.keyguard.key.ManagedKey} per
 * key id, with {@link dev.keyguard.key.KeyEvent}s for loads, rotations, failures and rejections.
 * The refresh machinery (state, schedule, single flight, rejection rounds) is package-private.
 *
 * <p>Where to start: {@link dev.keyguard.key.KeyManager#builder()}; to add a backend, implement
 * {@link dev.keyguard.key.KeyProvider}.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard.key;

import org.jspecify.annotations.NullMarked;
