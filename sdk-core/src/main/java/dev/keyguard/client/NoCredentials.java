package dev.keyguard.client;

/**
 * Request tag set by the HTTPS policy on a redirect hop that left the base URL's origin: the
 * authenticator must send that hop, and every later hop of the call, without a credential.
 */
enum NoCredentials {
  /** The one instance. */
  LEFT_ORIGIN
}
