package dev.keyguard.client;

import java.util.Map;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * Resolves a request's path and query against the base URL, so a path can never change the origin.
 */
final class RequestUrls {

  private RequestUrls() {}

  /**
   * Checks that a path is relative and plain.
   *
   * @return the path
   * @throws IllegalArgumentException if the path is absolute, holds a query, a fragment or a {@code
   *     .} / {@code ..} segment
   */
  static String checkPath(String path) {
    Objects.requireNonNull(path, "path");
    if (path.contains("://") || path.startsWith("//")) {
      throw new IllegalArgumentException(
          "path must be relative to the client's base URL, not an absolute URL");
    }
    if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "path must not contain '?' or '#'; pass query parameters in the map");
    }
    for (String segment : segments(path)) {
      String dots = segment.replace("%2e", ".").replace("%2E", ".");
      if (dots.equals(".") || dots.equals("..")) {
        throw new IllegalArgumentException("path must not contain '.' or '..' segments");
      }
    }
    return path;
  }

  /**
   * The path appended to the base URL's path ({@code https://api.example.com/v2} + {@code /price}
   * gives {@code /v2/price}), then the query parameters in iteration order.
   *
   * @throws IllegalArgumentException as {@link #checkPath(String)}, or if a parameter name or value
   *     is null
   */
  static HttpUrl resolve(HttpUrl baseUrl, String path, Map<String, ?> queryParameters) {
    Objects.requireNonNull(queryParameters, "queryParameters");
    HttpUrl.Builder b = baseUrl.newBuilder();
    for (String segment : segments(checkPath(path))) {
      b.addEncodedPathSegment(segment);
    }
    for (Map.Entry<String, ?> e : queryParameters.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException("query parameter names and values must not be null");
      }
      b.addQueryParameter(e.getKey(), String.valueOf(e.getValue()));
    }
    return b.build();
  }

  private static String[] segments(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }
}
