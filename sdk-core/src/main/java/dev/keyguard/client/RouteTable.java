package dev.keyguard.client;

import dev.keyguard.Redactor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import okhttp3.HttpUrl;

/**
 * Maps a request to a bounded set of route labels ({@code GET /coins/{id}}): the declared
 * templates first, matched without allocating; then templates derived from undeclared paths (ids,
 * numbers and long tokens become {@code {id}}, the result redacted), up to a bound; then one
 * {@code (other)} route per method. Thread-safe; indexes are stable for the life of the table.
 *
 * <p>A minimal matcher of the usage monitor's own until the route table of the client (issue 13's
 * {@code Route}) is there to reuse.
 */
final class RouteTable {

  static final String OTHER = "(other)";
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "*");
  private static final int MAX_LABEL = 120;

  private final String basePath;
  private final Template[] templates;
  private final int maxLearned;
  private final AtomicReferenceArray<String> labels;
  private final ConcurrentHashMap<String, Integer> learned = new ConcurrentHashMap<>();
  private final AtomicInteger learnedCount = new AtomicInteger();

  RouteTable(HttpUrl baseUrl, List<String> declared, int maxLearned) {
    String p = baseUrl.encodedPath();
    this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    this.templates = new Template[declared.size()];
    this.maxLearned = maxLearned;
    this.labels = new AtomicReferenceArray<>(capacity());
    for (int i = 0; i < templates.length; i++) {
      templates[i] = Template.parse(declared.get(i));
      labels.set(i, templates[i].label);
    }
    for (int m = 0; m < METHODS.size(); m++) {
      labels.set(overflowIndex(m), METHODS.get(m) + " " + OTHER);
    }
  }

  /** How many routes there can be: declared, learned, and one overflow per method. */
  int capacity() {
    return templates.length + maxLearned + METHODS.size();
  }

  /** The label of a route index that {@link #index} returned. */
  String label(int index) {
    String l = labels.get(index);
    return l != null ? l : OTHER;
  }

  /** The index of a declared template, or -1. */
  int declaredIndex(String template) {
    for (int i = 0; i < templates.length; i++) {
      if (templates[i].label.equals(template)) {
        return i;
      }
    }
    return -1;
  }

  /** The route of a request; allocation-free when a declared template matches. */
  int index(String method, HttpUrl url) {
    String s = url.toString();
    int schemeEnd = s.indexOf("://");
    int pathStart = s.indexOf('/', schemeEnd + 3);
    int len = s.length();
    if (pathStart < 0) {
      pathStart = len;
    }
    int pathEnd = pathStart;
    while (pathEnd < len && s.charAt(pathEnd) != '?' && s.charAt(pathEnd) != '#') {
      pathEnd++;
    }
    int rel = pathStart;
    int bl = basePath.length();
    if (bl > 0
        && s.startsWith(basePath, pathStart)
        && (pathStart + bl == pathEnd || s.charAt(pathStart + bl) == '/')) {
      rel = pathStart + bl;
    }
    for (int i = 0; i < templates.length; i++) {
      if (templates[i].matches(method, s, rel, pathEnd)) {
        return i;
      }
    }
    return learnedIndex(method, s.substring(rel, pathEnd));
  }

  private int learnedIndex(String method, String path) {
    String label = derive(method, path);
    Integer known = learned.get(label);
    if (known != null) {
      return known;
    }
    int m = METHODS.indexOf(method);
    int overflow = overflowIndex(m < 0 ? METHODS.size() - 1 : m);
    if (learnedCount.get() >= maxLearned) {
      return overflow;
    }
    synchronized (learned) {
      known = learned.get(label);
      if (known != null) {
        return known;
      }
      int n = learnedCount.get();
      if (n >= maxLearned) {
        return overflow;
      }
      int index = templates.length + n;
      labels.set(index, label);
      learned.put(label, index);
      learnedCount.set(n + 1);
      return index;
    }
  }

  private int overflowIndex(int methodIndex) {
    return templates.length + maxLearned + methodIndex;
  }

  /** A template for an undeclared path: id-like segments replaced, secrets redacted, capped. */
  static String derive(String method, String path) {
    StringBuilder sb = new StringBuilder(method.length() + path.length() + 8).append(method);
    sb.append(' ');
    if (path.isEmpty() || path.equals("/")) {
      sb.append('/');
    } else {
      int i = path.charAt(0) == '/' ? 1 : 0;
      while (i <= path.length()) {
        int end = path.indexOf('/', i);
        if (end < 0) {
          end = path.length();
        }
        String seg = path.substring(i, end);
        if (!seg.isEmpty() || end < path.length()) {
          sb.append('/').append(looksLikeId(seg) ? "{id}" : seg);
        }
        i = end + 1;
      }
    }
    String label = Redactor.global().redact(sb.toString());
    return label.length() > MAX_LABEL ? label.substring(0, MAX_LABEL) + "…" : label;
  }

  /** Digits, anything with a digit of 8+ chars, anything of 25+ chars, or percent-encoded. */
  static boolean looksLikeId(String seg) {
    if (seg.isEmpty()) {
      return false;
    }
    if (seg.length() > 24 || seg.indexOf('%') >= 0) {
      return true;
    }
    int digits = 0;
    for (int i = 0; i < seg.length(); i++) {
      char c = seg.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      }
    }
    return digits == seg.length() || (digits > 0 && seg.length() >= 8);
  }

  /** Checks and normalizes a template: {@code METHOD /path}, the method upper case. */
  static String checkTemplate(String template) {
    Objects.requireNonNull(template, "route template");
    return Template.parse(template).label;
  }

  private static final class Template {
    final String label;
    final String method;
    final String[] segments; // null element = a {placeholder}

    private Template(String label, String method, String[] segments) {
      this.label = label;
      this.method = method;
      this.segments = segments;
    }

    static Template parse(String template) {
      String t = template.strip();
      int space = t.indexOf(' ');
      if (space <= 0) {
        throw new IllegalArgumentException(
            "a route template is a method, a space and a path, such as 'GET /coins/{id}'; got '"
                + t
                + "'");
      }
      String method = t.substring(0, space).toUpperCase(Locale.ROOT);
      String path = t.substring(space + 1).strip();
      if (!path.startsWith("/") || path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
        throw new IllegalArgumentException(
            "the path of route template '"
                + t
                + "' must start with / and hold no query or fragment");
      }
      List<String> segs = new ArrayList<>();
      for (String seg : path.substring(1).split("/", -1)) {
        if (seg.isEmpty()) {
          continue;
        }
        boolean placeholder = seg.startsWith("{") && seg.endsWith("}") && seg.length() > 2;
        segs.add(placeholder ? null : seg);
      }
      String normalized = method + " " + (path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
      return new Template(normalized, method, segs.toArray(new String[0]));
    }

    /** Whether the path {@code s[start, end)} (relative to the base path) matches. */
    boolean matches(String requestMethod, String s, int start, int end) {
      if (!method.equals(requestMethod)) {
        return false;
      }
      int pos = start;
      for (String seg : segments) {
        if (pos >= end || s.charAt(pos) != '/') {
          return false;
        }
        pos++;
        int segEnd = s.indexOf('/', pos);
        if (segEnd < 0 || segEnd > end) {
          segEnd = end;
        }
        if (seg == null) {
          if (segEnd == pos) {
            return false;
          }
        } else if (segEnd - pos != seg.length() || !s.regionMatches(pos, seg, 0, seg.length())) {
          return false;
        }
        pos = segEnd;
      }
      return pos == end || (pos == end - 1 && s.charAt(pos) == '/');
    }
  }
}
