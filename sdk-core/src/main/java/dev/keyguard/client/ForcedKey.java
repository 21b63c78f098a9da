package dev.keyguard.client;

/**
 * Request tag with which the key audit makes the authenticator sign with one given key (by its
 * position among the client's keys) instead of choosing by route.
 */
record ForcedKey(int slot) {}
