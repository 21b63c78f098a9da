package dev.keyguard.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;

/**
 * {@code DefaultAzureCredential}, when {@code azure-identity} (an optional dependency) is on the
 * class path.
 */
final class DefaultCredential {

  private DefaultCredential() {}

  static TokenCredential create() {
    try {
      Class.forName(
          "com.azure.identity.DefaultAzureCredentialBuilder",
          false,
          DefaultCredential.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "no credential(...) was given and com.azure:azure-identity is not on the class path:"
              + " add azure-identity for DefaultAzureCredential (environment, workload or managed"
              + " identity, Azure CLI), or pass a TokenCredential");
    }
    return Identity.create();
  }

  /** Loaded only once azure-identity is known to be there. */
  private static final class Identity {
    static TokenCredential create() {
      return new DefaultAzureCredentialBuilder().build();
    }
  }
}
