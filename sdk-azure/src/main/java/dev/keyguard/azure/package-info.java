/**
 * Azure Key Vault as a KeyGuard key source: {@link dev.keyguard.azure.AzureKeyVaultKeyProvider}
 * reads the newest usable version of a secret through the Azure SDK's {@code SecretClient}
 * (honouring {@code enabled}, {@code notBefore} and {@code expiresOn}), offers the previous enabled
 * version during rotation windows, and maps Key Vault errors to KeyGuard's typed exceptions.
 */
@NullMarked
package dev.keyguard.azure;

import org.jspecify.annotations.NullMarked;
