package dev.keyguard.auth;

import dev.keyguard.VersionedCredential;
import java.util.Locale;
import java.util.Set;
import okhttp3.Request;

/** Sends the API key as the value of one header: {@code x-api-key: <key>}. */
final class HeaderAuthScheme implements AuthScheme {

  private final String name;
  private final Set<String> headerNames;
  private final PreparedValue prepared = new PreparedValue();

  HeaderAuthScheme(String name) {
    this.name = name;
    this.headerNames = Set.of(name.toLowerCase(Locale.ROOT));
  }

  @Override
  public Request apply(Request request, VersionedCredential credential) {
    String key = prepared.get(credential);
    if (key == null) {
      key = prepared.put(credential, AuthSupport.headerSafeApiKey(credential, "header " + name));
    }
    return request.newBuilder().header(name, key).build();
  }

  @Override
  public Set<String> headerNames() {
    return headerNames;
  }

  @Override
  public String toString() {
    return "HeaderAuthScheme[" + name + "]";
  }
}
