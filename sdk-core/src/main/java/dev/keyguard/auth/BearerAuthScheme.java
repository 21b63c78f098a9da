package dev.keyguard.auth;

import dev.keyguard.VersionedCredential;
import java.util.Set;
import okhttp3.Request;

/** Sends the API key as a bearer token: {@code Authorization: Bearer <key>}. */
final class BearerAuthScheme implements AuthScheme {

  private static final Set<String> HEADER_NAMES = Set.of("authorization");

  private final PreparedValue prepared = new PreparedValue();

  BearerAuthScheme() {}

  @Override
  public Request apply(Request request, VersionedCredential credential) {
    String value = prepared.get(credential);
    if (value == null) {
      String key = AuthSupport.headerSafeApiKey(credential, "Authorization: Bearer");
      value = prepared.put(credential, "Bearer " + key);
    }
    return request.newBuilder().header("Authorization", value).build();
  }

  @Override
  public Set<String> headerNames() {
    return HEADER_NAMES;
  }

  @Override
  public String toString() {
    return "BearerAuthScheme";
  }
}
