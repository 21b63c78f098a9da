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
    int start = firstSegmentStart(path);
    if (start < path.length()) {
      int from = start;
      while (true) {
        int end = segmentEnd(path, from);
        if (isDotSegment(path, from, end)) {
          throw new IllegalArgumentException("path must not contain '.' or '..' segments");
        }
        if (end == path.length()) {
          break;
        }
        from = end + 1;
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
    checkPath(path);
    return appendChecked(baseUrl, path, queryParameters);
  }

  /** As {@link #resolve} for a path {@link #checkPath} has accepted already. */
  static HttpUrl appendChecked(HttpUrl baseUrl, String path, Map<String, ?> queryParameters) {
    Objects.requireNonNull(queryParameters, "queryParameters");
    HttpUrl.Builder b = baseUrl.newBuilder();
    // the segments between slashes, without split: "" has none, "a/" ends with an empty one
    int start = firstSegmentStart(path);
    if (start < path.length()) {
      int from = start;
      while (true) {
        int end = segmentEnd(path, from);
        b.addEncodedPathSegment(
            from == 0 && end == path.length() ? path : path.substring(from, end));
        if (end == path.length()) {
          break;
        }
        from = end + 1;
      }
    }
    if (!queryParameters.isEmpty()) {
      for (Map.Entry<String, ?> e : queryParameters.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("query parameter names and values must not be null");
        }
        b.addQueryParameter(e.getKey(), String.valueOf(e.getValue()));
      }
    }
    return b.build();
  }

  /** Where the first segment starts: after one leading slash. */
  private static int firstSegmentStart(String path) {
    return path.startsWith("/") ? 1 : 0;
  }

  private static int segmentEnd(String path, int from) {
    int slash = path.indexOf('/', from);
    return slash < 0 ? path.length() : slash;
  }

  /** Whether {@code path[from, end)} is {@code .} or {@code ..}, each dot plain or {@code %2e}. */
  private static boolean isDotSegment(String path, int from, int end) {
    int dots = 0;
    for (int i = from; i < end; ) {
      if (path.charAt(i) == '.') {
        i++;
      } else if (end - i >= 3 && path.startsWith("%2", i) && (path.charAt(i + 2) | 0x20) == 'e') {
        i += 3;
      } else {
        return false;
      }
      if (++dots > 2) {
        return false;
      }
    }
    return dots > 0;
  }
}
