/**
 * The key providers that need no backend service: environment variables, system properties, files
 * (Kubernetes and Docker secret mounts, agent-written files) and {@link
 * dev.keyguard.provider.ChainKeyProvider}, which asks several providers in order. Each parses a raw
 * value or a JSON document into a {@link dev.keyguard.VersionedCredential} with a {@link
 * dev.keyguard.CredentialFieldMapping}. Backend providers (AWS Secrets Manager, Azure Key Vault,
 * Vault / OpenBao) live in their own artifacts.
 *
 * <p>Where to start: {@link dev.keyguard.provider.FileKeyProvider} for mounted secrets, or the
 * environment provider for local development, and hand it to the builder of a {@link
 * dev.keyguard.key.KeyManager}.
 *
 * <p>Every type and member of this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.keyguard.provider;

import org.jspecify.annotations.NullMarked;
