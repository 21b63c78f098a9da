package dev.keyguard.key;

import dev.keyguard.CredentialRequirement;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the users of one key need from its credentials: every {@link CredentialRequirement}
 * registered with it, as an immutable value. Requirements only accumulate (a key shared by a header
 * client and a signing client must satisfy both).
 */
final class Requirements {

  static final Requirements NONE = new Requirements(List.of());

  private final List<CredentialRequirement> all;

  private Requirements(List<CredentialRequirement> all) {
    this.all = all;
  }

  /** These and {@code requirement}; this same value if it is already among them. */
  Requirements with(CredentialRequirement requirement) {
    if (all.contains(requirement)) {
      return this;
    }
    List<CredentialRequirement> next = new ArrayList<>(all);
    next.add(requirement);
    return new Requirements(List.copyOf(next));
  }

  /** Checks {@code c} against every requirement; throws for the first it does not meet. */
  void check(VersionedCredential c) {
    for (CredentialRequirement r : all) {
      r.check(c);
    }
  }

  /** The exception for the first requirement {@code c} does not meet, or null if it meets all. */
  @Nullable MalformedSecretException unmetBy(VersionedCredential c) {
    try {
      check(c);
      return null;
    } catch (MalformedSecretException e) {
      return e;
    }
  }

  /** The credentials that meet every requirement, in order. */
  List<VersionedCredential> meeting(List<VersionedCredential> credentials) {
    List<VersionedCredential> out = new ArrayList<>();
    for (VersionedCredential c : credentials) {
      boolean meets = true;
      for (CredentialRequirement r : all) {
        meets &= r.isMetBy(c);
      }
      if (meets) {
        out.add(c);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "Requirements" + all;
  }
}
