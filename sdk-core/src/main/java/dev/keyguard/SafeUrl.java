package dev.keyguard;

import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A URL as KeyGuard prints it: never with the values of credential query parameters, never with
 * user info, never with a live secret value anywhere.
 */
final class SafeUrl {

  static final String MASK = "[REDACTED]";

  private SafeUrl() {}

  /**
   * Renders a URL for a message or a log line.
   *
   * @param url the URL
   * @param credentialQueryNames lower-case query parameter names whose values are masked
   * @return the printable URL
   */
  static String of(HttpUrl url, Set<String> credentialQueryNames) {
    HttpUrl.Builder b = url.newBuilder().username("").password("").fragment(null);
    for (String name : url.queryParameterNames()) {
      if (credentialQueryNames.contains(name.toLowerCase(Locale.ROOT))) {
        int count = url.queryParameterValues(name).size();
        b.removeAllQueryParameters(name);
        for (int i = 0; i < count; i++) {
          b.addQueryParameter(name, MASK);
        }
      }
    }
    // a masked name may have been reordered; that is fine for a message
    return Redactor.global().redact(b.build().toString().replace("%5BREDACTED%5D", MASK));
  }
}
