package dev.keyguard.client;

import dev.keyguard.Redactor;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import okhttp3.HttpUrl;

/**
 * A URL as KeyGuard prints it, in exception messages and in log lines (its own and the {@link
 * HttpLogger}'s): the one rendering, so that no URL reaches a message or a log unredacted. Never
 * with user info or a fragment, never with the value of a query parameter the caller does not let
 * through, and every live secret anywhere in what is left (host, path, parameter names and shown
 * values) replaced by {@link Redactor#global()}.
 */
final class SafeUrl {

  /** The mask of a credential query value in an exception message. */
  static final String MASK = "[REDACTED]";

  private SafeUrl() {}

  /**
   * Renders a URL for an exception message or one of KeyGuard's own log lines: query values show
   * unless the name is one the auth scheme uses or one of {@link
   * HttpLogger#ALWAYS_REDACTED_QUERY_PARAMETERS}; a live secret anywhere (path, another parameter)
   * is scrubbed as by {@link #render}.
   *
   * @param url the URL
   * @param credentialQueryNames lower-case query parameter names whose values are masked
   * @return the printable URL
   */
  static String of(HttpUrl url, Set<String> credentialQueryNames) {
    return render(
        url,
        name -> {
          String lower = name.toLowerCase(Locale.ROOT);
          return !credentialQueryNames.contains(lower)
              && !HttpLogger.ALWAYS_REDACTED_QUERY_PARAMETERS.contains(lower);
        },
        MASK);
  }

  /**
   * Renders scheme, host, port (unless the default), encoded path and query, without user info or
   * fragment; parameters keep their order, a value shows only if {@code showsValue} accepts the
   * parameter's name, otherwise it prints as {@code mask}. Names and shown values are encoded as
   * OkHttp encodes a query component (space as {@code %20}). The result is passed through {@link
   * Redactor#global()} as a whole, so a live secret in the path, in a parameter name or in a shown
   * value prints as its marker.
   *
   * @param url the URL
   * @param showsValue decides, by the decoded parameter name, whether its value shows
   * @param mask what a hidden value prints as
   * @return the rendered, redacted URL
   */
  static String render(HttpUrl url, Predicate<String> showsValue, String mask) {
    StringBuilder b = new StringBuilder(url.scheme()).append("://");
    String host = url.host();
    b.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host);
    if (url.port() != HttpUrl.defaultPort(url.scheme())) {
      b.append(':').append(url.port());
    }
    b.append(url.encodedPath());
    for (int i = 0; i < url.querySize(); i++) {
      String name = url.queryParameterName(i);
      String value = url.queryParameterValue(i);
      b.append(i == 0 ? '?' : '&').append(encodeQueryComponent(name));
      if (value != null) {
        b.append('=').append(showsValue.test(name) ? encodeQueryComponent(value) : mask);
      }
    }
    return Redactor.global().redact(b);
  }

  /**
   * Whether any part of the URL holds something {@link Redactor#global()} would redact (a live
   * secret in any form it knows, or a credential of a well-known shape): the URL as OkHttp writes
   * it, and each decoded part (user info, host, path segments, query names and values, fragment),
   * so one more level of percent-encoding does not hide a value.
   *
   * @param url the URL
   * @return true if the URL carries a secret
   */
  static boolean carriesLiveSecret(HttpUrl url) {
    Redactor redactor = Redactor.global();
    List<String> parts = new ArrayList<>();
    parts.add(url.toString());
    parts.add(url.username());
    parts.add(url.password());
    parts.add(url.host());
    parts.addAll(url.pathSegments());
    for (int i = 0; i < url.querySize(); i++) {
      parts.add(url.queryParameterName(i));
      parts.add(url.queryParameterValue(i));
    }
    parts.add(url.fragment());
    for (String part : parts) {
      if (part != null && !part.isEmpty() && !redactor.redact(part).equals(part)) {
        return true;
      }
    }
    return false;
  }

  /** As OkHttp encodes a query component: the URLEncoder set, space as %20. */
  private static String encodeQueryComponent(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
