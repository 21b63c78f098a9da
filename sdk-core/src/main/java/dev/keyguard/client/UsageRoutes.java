package dev.keyguard.client;

import dev.keyguard.Redactor;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import okhttp3.HttpUrl;

/**
 * Maps a request to the usage monitor's bounded set of route labels ({@code GET /coins/{id}}): the
 * declared {@link Route}s first (the client's route table, from its preset, and the usage options'
 * own), matched by {@link RouteTable} inside the URL text without allocating; then templates
 * derived from undeclared paths (ids, numbers and long tokens become {@code {id}}, the result
 * redacted), up to a bound; then one {@code (other)} route per method. Thread-safe; indexes are
 * stable for the life of the client.
 */
final class UsageRoutes {

  static final String OTHER = "(other)";
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "*");
  private static final int MAX_LABEL = 120;

  private final String basePath;
  private final RouteTable<String> declared;
  private final int declaredCount;
  private final int maxLearned;
  private final AtomicReferenceArray<String> labels;
  private final ConcurrentHashMap<String, Integer> learned = new ConcurrentHashMap<>();
  private final AtomicInteger learnedCount = new AtomicInteger();

  /**
   * @throws IllegalStateException if a usage route overlaps a route of the client's table with
   *     neither more specific (the message names both)
   */
  UsageRoutes(
      HttpUrl baseUrl, RouteTable<?> clientRoutes, List<Route> usageRoutes, int maxLearned) {
    String p = baseUrl.encodedPath();
    this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    RouteTable.Builder<String> b = RouteTable.builder();
    for (Route r : clientRoutes.asMap().keySet()) {
      b.put(r, r.toString());
    }
    for (Route r : usageRoutes) {
      b.put(r, r.toString());
    }
    this.declared = b.build();
    this.declaredCount = declared.size();
    this.maxLearned = maxLearned;
    this.labels = new AtomicReferenceArray<>(capacity());
    for (int i = 0; i < declaredCount; i++) {
      labels.set(i, declared.valueAt(i));
    }
    for (int m = 0; m < METHODS.size(); m++) {
      labels.set(overflowIndex(m), METHODS.get(m) + " " + OTHER);
    }
  }

  /** How many routes there can be: declared, learned, and one overflow per method. */
  int capacity() {
    return declaredCount + maxLearned + METHODS.size();
  }

  /** The label of a route index that {@link #index} returned. */
  String label(int index) {
    String l = labels.get(index);
    return l != null ? l : OTHER;
  }

  /** The index of a declared route, or -1. */
  int declaredIndex(Route route) {
    for (int i = 0; i < declaredCount; i++) {
      if (declared.routeAt(i).equals(route)) {
        return i;
      }
    }
    return -1;
  }

  /** The route of a request; allocation-free when a declared template matches. */
  int index(String method, HttpUrl url) {
    String s = url.toString(); // OkHttp keeps the text: no copy
    int len = s.length();
    int pathStart = s.indexOf('/', url.scheme().length() + 3);
    if (pathStart < 0) {
      pathStart = len;
    }
    int pathEnd = queryStart(s, pathStart);
    int rel = pathStart;
    int bl = basePath.length();
    if (bl > 0
        && s.startsWith(basePath, pathStart)
        && (pathStart + bl == pathEnd || s.charAt(pathStart + bl) == '/')) {
      rel = pathStart + bl;
    }
    int i = rel == pathEnd ? -1 : declared.indexOf(method, s, rel, pathEnd);
    if (i >= 0) {
      return i;
    }
    return learnedIndex(method, s.substring(rel, pathEnd));
  }

  /** Where the query or fragment starts, or the end. */
  private static int queryStart(String s, int from) {
    int q = s.indexOf('?', from);
    int f = s.indexOf('#', from);
    if (q < 0) {
      return f < 0 ? s.length() : f;
    }
    return f < 0 ? q : Math.min(q, f);
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
      int index = declaredCount + n;
      labels.set(index, label);
      learned.put(label, index);
      learnedCount.set(n + 1);
      return index;
    }
  }

  private int overflowIndex(int methodIndex) {
    return declaredCount + maxLearned + methodIndex;
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
}
