package dev.keyguard.client;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint of an API: an HTTP method and a path template such as {@code
 * /api/v3/brokerage/orders/historical/{order_id}}, relative to the client's base URL.
 *
 * <p>A template is a {@code /}-separated list of segments; a segment is either literal text,
 * compared exactly (case-sensitive, as it appears percent-encoded in the URL), or a variable {@code
 * {name}} filling the whole segment, which matches any one non-empty segment. The root template is
 * {@code /}. Templates never hold a query or fragment, an empty segment, a trailing {@code /}, a
 * {@code .} or {@code ..} segment, or the same variable twice.
 *
 * <pre>{@code
 * Route order = Route.of("GET", "/api/v3/brokerage/orders/historical/{order_id}");
 * Route same = Route.parse("GET /api/v3/brokerage/orders/historical/{order_id}");
 * order.matches("GET", "/api/v3/brokerage/orders/historical/8f2c"); // true
 * order.template(); // "/api/v3/brokerage/orders/historical/{order_id}", a safe metric label
 * }</pre>
 *
 * <p>{@link #matches(String, String)} neither allocates nor uses regular expressions, so it is
 * cheap on the request path. Instances are immutable and thread-safe; two routes are equal when
 * their methods and templates are.
 */
public final class Route {

  private final String method;
  private final String template;

  /** The literal segments, with null for a variable; empty for the root template. */
  private final @Nullable String[] segments;

  private final int literalCount;

  private Route(String method, String template, @Nullable String[] segments) {
    this.method = method;
    this.template = template;
    this.segments = segments;
    int literals = 0;
    for (String s : segments) {
      if (s != null) {
        literals++;
      }
    }
    this.literalCount = literals;
  }

  /**
   * Creates a route.
   *
   * @param method the HTTP method, such as {@code GET}; case-insensitive, kept upper-case
   * @param template the path template, starting with {@code /}
   * @return the route
   * @throws IllegalArgumentException if the method is not an HTTP token or the template is not a
   *     valid template (the message says which part and why)
   */
  public static Route of(String method, String template) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(template, "template");
    return new Route(checkMethod(method), template, parseTemplate(template));
  }

  /**
   * Parses {@code "METHOD /template"}, such as {@code "POST /api/v3/order"}: the method, one or
   * more spaces, the template.
   *
   * @param route the method and template
   * @return the route
   * @throws IllegalArgumentException if there is no space, or the method or template is invalid
   */
  public static Route parse(String route) {
    Objects.requireNonNull(route, "route");
    String trimmed = route.strip();
    int space = trimmed.indexOf(' ');
    if (space <= 0) {
      throw new IllegalArgumentException(
          "a route is written 'METHOD /path/template' (such as 'GET /api/v3/order'), was '"
              + route
              + "'");
    }
    return of(trimmed.substring(0, space), trimmed.substring(space + 1).strip());
  }

  /**
   * The HTTP method, upper-case.
   *
   * @return the method
   */
  public String method() {
    return method;
  }

  /**
   * The path template as given, such as {@code /api/v3/order/{orderId}}. It holds no value of a
   * request, so it is a safe label for logs and metrics.
   *
   * @return the template
   */
  public String template() {
    return template;
  }

  /**
   * Tells whether a request matches this route.
   *
   * @param method the request's HTTP method, upper-case as OkHttp gives it
   * @param path the request's encoded path relative to the base URL, starting with {@code /}
   * @return true if the methods are equal and the path matches the template
   */
  public boolean matches(String method, String path) {
    return matches(method, path, 0);
  }

  /**
   * Tells whether a request matches, reading the path from {@code from} on (so a base URL's path
   * prefix need not be cut off, which would allocate).
   */
  boolean matches(String method, String path, int from) {
    return this.method.equals(method) && matchesPath(path, from, path.length());
  }

  /**
   * Whether {@code path} between {@code from} and {@code end} matches the template; no allocation
   * (so the path can be read in place in a whole URL).
   */
  boolean matchesPath(String path, int from, int end) {
    if (segments.length == 0) {
      return end - from == 1 && path.charAt(from) == '/';
    }
    int pos = from;
    for (String literal : segments) {
      if (pos >= end || path.charAt(pos) != '/') {
        return false;
      }
      pos++;
      if (literal != null) {
        if (pos + literal.length() > end || !path.startsWith(literal, pos)) {
          return false;
        }
        pos += literal.length();
        if (pos < end && path.charAt(pos) != '/') {
          return false;
        }
      } else {
        int next = path.indexOf('/', pos);
        int segmentEnd = next < 0 || next > end ? end : next;
        if (segmentEnd == pos) {
          return false; // a variable matches a non-empty segment only
        }
        pos = segmentEnd;
      }
    }
    return pos == end;
  }

  /** The number of literal segments: a more specific template has more. */
  int literalCount() {
    return literalCount;
  }

  /**
   * Whether every path this route's template matches is also matched by {@code other}'s (same
   * number of segments, and {@code other} is a variable wherever the two literals differ or this
   * one is a variable).
   */
  boolean pathsWithin(Route other) {
    if (segments.length != other.segments.length) {
      return false;
    }
    for (int i = 0; i < segments.length; i++) {
      String mine = segments[i];
      String theirs = other.segments[i];
      if (theirs != null && !theirs.equals(mine)) {
        return false;
      }
    }
    return true;
  }

  /** Whether some path matches both templates (methods not compared). */
  boolean pathsIntersect(Route other) {
    if (segments.length != other.segments.length) {
      return false;
    }
    for (int i = 0; i < segments.length; i++) {
      String a = segments[i];
      String b = other.segments[i];
      if (a != null && b != null && !a.equals(b)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Route r && method.equals(r.method) && template.equals(r.template);
  }

  @Override
  public int hashCode() {
    return method.hashCode() * 31 + template.hashCode();
  }

  /** Returns {@code METHOD template}, such as {@code GET /api/v3/order/{orderId}}. */
  @Override
  public String toString() {
    return method + " " + template;
  }

  // ---------------------------------------------------------------------------------- parsing

  private static String checkMethod(String method) {
    if (method.isEmpty()) {
      throw new IllegalArgumentException("a route's HTTP method must not be empty");
    }
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
        throw new IllegalArgumentException(
            "a route's HTTP method has letters only (GET, POST, ...), was '" + method + "'");
      }
    }
    return method.toUpperCase(Locale.ROOT);
  }

  private static @Nullable String[] parseTemplate(String template) {
    if (!template.startsWith("/")) {
      throw bad(template, "it must start with '/'");
    }
    if (template.equals("/")) {
      return new String[0];
    }
    if (template.endsWith("/")) {
      throw bad(template, "it must not end with '/'");
    }
    List<@Nullable String> out = new ArrayList<>();
    Set<String> variables = new HashSet<>();
    int start = 1;
    int index = 1;
    while (start <= template.length()) {
      int slash = template.indexOf('/', start);
      int end = slash < 0 ? template.length() : slash;
      String segment = template.substring(start, end);
      out.add(parseSegment(template, segment, index, variables));
      start = end + 1;
      index++;
    }
    return out.toArray(new String[0]);
  }

  /** The literal text of a segment, or null for a variable. */
  private static @Nullable String parseSegment(
      String template, String segment, int index, Set<String> variables) {
    String where = "segment " + index + " '" + segment + "'";
    if (segment.isEmpty()) {
      throw bad(template, "segment " + index + " is empty ('//')");
    }
    if (segment.startsWith("{")) {
      if (!segment.endsWith("}") || segment.length() < 3) {
        throw bad(template, where + " must be a whole variable such as '{order_id}'");
      }
      String name = segment.substring(1, segment.length() - 1);
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (!(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '-')) {
          throw bad(template, where + ": a variable name has letters, digits, '_' and '-' only");
        }
      }
      if (!variables.add(name)) {
        throw bad(template, "variable '{" + name + "}' appears twice");
      }
      return null;
    }
    if (segment.equals(".") || segment.equals("..")) {
      throw bad(template, where + " is a dot segment");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '{' || c == '}') {
        throw bad(template, where + ": a variable fills a whole segment, such as '{order_id}'");
      }
      if (c == '?' || c == '#') {
        throw bad(template, where + ": a template holds no query or fragment ('" + c + "')");
      }
      if (c <= ' ' || c >= 127) {
        throw bad(template, where + ": only printable ASCII, percent-encoded as in the URL");
      }
    }
    return segment;
  }

  private static IllegalArgumentException bad(String template, String why) {
    return new IllegalArgumentException("invalid route template '" + template + "': " + why);
  }
}
