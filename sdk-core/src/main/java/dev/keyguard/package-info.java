/**
 * The vocabulary every other KeyGuard package speaks: {@link dev.keyguard.Secret} (a secret value
 * that never prints and is reached only through the greppable {@link
 * dev.keyguard.InsecureSecretAccess} token), {@link dev.keyguard.KeyId}, {@link
 * dev.keyguard.VersionedCredential} (one version of a key as a backend returned it), {@link
 * dev.keyguard.CredentialFieldMapping}, the process-wide {@link dev.keyguard.Redactor} with {@link
 * dev.keyguard.RedactedThrowable}, the one {@link dev.keyguard.TimeSource}, and the unchecked
 * exception tree rooted at {@link dev.keyguard.KeyGuardException}.
 *
 * <p>Where to start: an application usually names only {@code Secret}, {@code KeyId} and the
 * exceptions from here; keys come from {@link dev.keyguard.key.KeyManager}, requests go out through
 * {@link dev.keyguard.client.KeyGuardClient}.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard;

import org.jspecify.annotations.NullMarked;
