/**
 * Implementation details of KeyGuard core: <b>not API</b>. The module does not export this package
 * (only Jackson may reflect into it, to create the refusing serializer), its types may change or
 * disappear in any release, and nothing outside {@code dev.keyguard.core} may use them. It holds
 * the multi-pattern matcher behind the redactor, the known-formats net, the encoded forms of a
 * secret, DER and EC key helpers, and the serializer that refuses secret-bearing types.
 */
@NullMarked
package dev.keyguard.internal;

import org.jspecify.annotations.NullMarked;
