package dev.keyguard.auth;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.VersionedCredential;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the API key as a query parameter. Supported because some APIs accept nothing else, but the
 * key then travels in the URL, which proxies, servers and CDNs write to their access logs: the
 * first scheme created for each parameter name logs one warning.
 */
final class QueryParameterAuthScheme implements AuthScheme {

  private static final Logger LOG = LoggerFactory.getLogger(QueryParameterAuthScheme.class);

  /** Parameter names already warned about in this JVM. */
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private final String name;
  private final PreparedValue prepared = new PreparedValue();

  QueryParameterAuthScheme(String name) {
    this.name = name;
    if (WARNED.add(name)) {
      LOG.warn(
          "API key sent as query parameter '{}': the key becomes part of the URL, which proxies,"
              + " servers and CDNs may write to their logs. KeyGuard redacts this parameter from"
              + " its own logs and errors; prefer a header scheme if the API offers one.",
          name);
    }
  }

  @Override
  public Request apply(Request request, VersionedCredential credential) {
    String encoded = prepared.get(credential);
    if (encoded == null) {
      // encoded once per version as HttpUrl would encode it (a query component)
      String key = credential.apiKey().value(InsecureSecretAccess.get());
      encoded =
          prepared.put(
              credential,
              new HttpUrl.Builder()
                  .scheme("https")
                  .host("localhost")
                  .addQueryParameter("k", key)
                  .build()
                  .encodedQuery()
                  .substring(2));
    }
    return request
        .newBuilder()
        .url(request.url().newBuilder().setEncodedQueryParameter(name, encoded).build())
        .build();
  }

  @Override
  public Set<String> queryParameterNames() {
    return Set.of(name);
  }

  @Override
  public String toString() {
    return "QueryParameterAuthScheme[" + name + "]";
  }
}
