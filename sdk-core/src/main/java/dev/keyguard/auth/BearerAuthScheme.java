package dev.keyguard.auth;

import dev.keyguard.VersionedCredential;
import java.util.Set;
import okhttp3.Request;

/** Sends the API key as a bearer token: {@code Authorization: Bearer <key>}. */
final class BearerAuthScheme implements AuthScheme {

  static final BearerAuthScheme INSTANCE = new BearerAuthScheme();

  private BearerAuthScheme() {}

  @Override
  public Request apply(Request request, VersionedCredential credential) {
    String key = AuthSupport.headerSafeApiKey(credential, "Authorization: Bearer");
    return request.newBuilder().header("Authorization", "Bearer " + key).build();
  }

  @Override
  public Set<String> headerNames() {
    return Set.of("authorization");
  }

  @Override
  public String toString() {
    return "BearerAuthScheme";
  }
}
