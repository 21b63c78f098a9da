/**
 * HashiCorp Vault and OpenBao as a KeyGuard key source: {@link dev.keyguard.vault.VaultKeyProvider}
 * reads KV v2 (versioned) and KV v1 secrets over the Vault HTTP API, with the token from a {@link
 * dev.keyguard.vault.VaultAuthentication} (token, token file, AppRole, Kubernetes) renewed and
 * replaced as its lease requires.
 */
@NullMarked
package dev.keyguard.vault;

import org.jspecify.annotations.NullMarked;
