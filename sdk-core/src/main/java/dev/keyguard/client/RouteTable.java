package dev.keyguard.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An immutable map from {@link Route}s to values (a required scope, a metric label), looked up by a
 * request's method and path.
 *
 * <p>A request matches at most one route: when two templates of one method match the same path, one
 * must be strictly more specific (literal where the other has a variable, such as {@code
 * /orders/historical/batch} and {@code /orders/historical/{order_id}}), and the more specific one
 * wins. Two templates that could match the same path with neither more specific ({@code
 * /orders/{id}} and {@code /orders/{order_id}}, or {@code /a/{x}} and {@code /{y}/b}) make {@link
 * Builder#build()} fail, naming both.
 *
 * <pre>{@code
 * RouteTable<String> scopes = RouteTable.<String>builder()
 *     .put(Route.parse("GET /api/v3/depth"), "NONE")
 *     .put(Route.parse("POST /api/v3/order"), "TRADE")
 *     .build();
 * scopes.lookup("POST", "/api/v3/order"); // "TRADE"
 * scopes.lookup("GET", "/api/v3/unknown"); // null: not mapped
 * }</pre>
 *
 * <p>Lookups neither allocate nor use regular expressions: the routes of each method are scanned
 * most specific first. Instances are immutable and thread-safe.
 *
 * @param <V> the value type
 */
public final class RouteTable<V> {

  private static final RouteTable<?> EMPTY = new RouteTable<>(new LinkedHashMap<>());

  private final Map<Route, V> asMap;

  /** Every route, grouped by method, each group most specific first. */
  private final Route[] routes;

  private final Object[] values;

  /** The distinct methods, and where each one's group starts and ends in {@link #routes}. */
  private final String[] methods;

  private final int[] groupStart;
  private final int[] groupEnd;

  private RouteTable(LinkedHashMap<Route, V> entries) {
    this.asMap = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    List<Route> sorted = new ArrayList<>(entries.keySet());
    sorted.sort(
        Comparator.comparing(Route::method)
            .thenComparing(Comparator.comparingInt(Route::literalCount).reversed())
            .thenComparing(Route::template));
    this.routes = sorted.toArray(new Route[0]);
    this.values = new Object[routes.length];
    List<String> ms = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < routes.length; i++) {
      values[i] = entries.get(routes[i]);
      if (ms.isEmpty() || !ms.get(ms.size() - 1).equals(routes[i].method())) {
        ms.add(routes[i].method());
        starts.add(i);
      }
    }
    this.methods = ms.toArray(new String[0]);
    this.groupStart = new int[methods.length];
    this.groupEnd = new int[methods.length];
    for (int m = 0; m < methods.length; m++) {
      groupStart[m] = starts.get(m);
      groupEnd[m] = m + 1 < methods.length ? starts.get(m + 1) : routes.length;
    }
  }

  /**
   * Starts a table.
   *
   * @param <V> the value type
   * @return an empty builder
   */
  public static <V> Builder<V> builder() {
    return new Builder<>();
  }

  /**
   * The table without routes.
   *
   * @param <V> the value type
   * @return the empty table
   */
  @SuppressWarnings("unchecked") // holds no value, so it is a table of any value type
  public static <V> RouteTable<V> empty() {
    return (RouteTable<V>) EMPTY;
  }

  /**
   * Returns a builder holding this table's routes, to add or override some.
   *
   * @return a new builder
   */
  public Builder<V> toBuilder() {
    Builder<V> b = new Builder<>();
    b.entries.putAll(asMap);
    return b;
  }

  /**
   * The route a request matches.
   *
   * @param method the request's HTTP method, upper-case
   * @param path the request's encoded path relative to the base URL, starting with {@code /}
   * @return the most specific matching route, or null if none matches
   */
  public @Nullable Route match(String method, String path) {
    int i = indexOf(method, path, 0);
    return i < 0 ? null : routes[i];
  }

  /**
   * The value of the route a request matches.
   *
   * @param method the request's HTTP method, upper-case
   * @param path the request's encoded path relative to the base URL, starting with {@code /}
   * @return the value, or null if no route matches
   */
  public @Nullable V lookup(String method, String path) {
    int i = indexOf(method, path, 0);
    return i < 0 ? null : valueAt(i);
  }

  /**
   * The value of a route, found by equality (not by matching).
   *
   * @param route the route
   * @return its value, or null if the table does not hold it
   */
  public @Nullable V get(Route route) {
    return asMap.get(Objects.requireNonNull(route, "route"));
  }

  /**
   * Every route and its value, in the order they were put.
   *
   * @return an unmodifiable map
   */
  public Map<Route, V> asMap() {
    return asMap;
  }

  /**
   * The number of routes.
   *
   * @return the size
   */
  public int size() {
    return routes.length;
  }

  /**
   * Tells whether the table holds no route.
   *
   * @return true if empty
   */
  public boolean isEmpty() {
    return routes.length == 0;
  }

  /**
   * Returns a table of the same routes with each value mapped.
   *
   * @param mapper maps a value; must not return null
   * @param <W> the new value type
   * @return the new table
   */
  public <W> RouteTable<W> map(Function<? super V, ? extends W> mapper) {
    Objects.requireNonNull(mapper, "mapper");
    LinkedHashMap<Route, W> out = new LinkedHashMap<>();
    asMap.forEach((r, v) -> out.put(r, Objects.requireNonNull(mapper.apply(v), "mapped value")));
    return new RouteTable<>(out);
  }

  /**
   * The position of the matching route (for {@link #routeAt} and {@link #valueAt}), or -1; reads
   * {@code path} from {@code from} on.
   */
  int indexOf(String method, String path, int from) {
    return indexOf(method, path, from, path.length());
  }

  /**
   * As {@link #indexOf(String, String, int)}, for the path between {@code from} and {@code end}.
   */
  int indexOf(String method, String path, int from, int end) {
    for (int m = 0; m < methods.length; m++) {
      if (methods[m].equals(method)) {
        for (int i = groupStart[m]; i < groupEnd[m]; i++) {
          if (routes[i].matchesPath(path, from, end)) {
            return i;
          }
        }
        return -1;
      }
    }
    return -1;
  }

  Route routeAt(int index) {
    return routes[index];
  }

  @SuppressWarnings("unchecked") // values[i] was put as the V of routes[i]
  V valueAt(int index) {
    return (V) values[index];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RouteTable<?> t && asMap.equals(t.asMap);
  }

  @Override
  public int hashCode() {
    return asMap.hashCode();
  }

  /** Returns the routes and values. */
  @Override
  public String toString() {
    return "RouteTable" + asMap;
  }

  /**
   * Builds a {@link RouteTable}. Putting a route equal to one already held replaces its value;
   * overlaps are checked by {@link #build()}. Not thread-safe.
   *
   * @param <V> the value type
   */
  public static final class Builder<V> {
    private final LinkedHashMap<Route, V> entries = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Maps a route to a value, replacing the value of an equal route.
     *
     * @param route the route
     * @param value the value
     * @return this builder
     */
    public Builder<V> put(Route route, V value) {
      entries.put(Objects.requireNonNull(route, "route"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Maps a route written {@code "METHOD /template"} to a value; see {@link Route#parse(String)}.
     *
     * @param route the method and template
     * @param value the value
     * @return this builder
     * @throws IllegalArgumentException if the route is invalid
     */
    public Builder<V> put(String route, V value) {
      return put(Route.parse(route), value);
    }

    /**
     * Puts every route of a table, replacing the values of equal routes.
     *
     * @param table the table
     * @return this builder
     */
    public Builder<V> putAll(RouteTable<? extends V> table) {
      Objects.requireNonNull(table, "table");
      table.asMap().forEach(this::put);
      return this;
    }

    /**
     * Removes a route.
     *
     * @param route the route
     * @return this builder
     */
    public Builder<V> remove(Route route) {
      entries.remove(Objects.requireNonNull(route, "route"));
      return this;
    }

    /**
     * Builds the table.
     *
     * @return the table
     * @throws IllegalStateException if two routes of one method could match the same path and
     *     neither is more specific; the message names both
     */
    public RouteTable<V> build() {
      List<Route> all = new ArrayList<>(entries.keySet());
      for (int i = 0; i < all.size(); i++) {
        for (int j = i + 1; j < all.size(); j++) {
          Route a = all.get(i);
          Route b = all.get(j);
          if (a.method().equals(b.method()) && a.pathsIntersect(b)) {
            boolean aWithinB = a.pathsWithin(b);
            boolean bWithinA = b.pathsWithin(a);
            if (aWithinB == bWithinA) {
              throw new IllegalStateException(
                  "routes '"
                      + a
                      + "' and '"
                      + b
                      + "' overlap: "
                      + (aWithinB
                          ? "they match the same paths"
                          : "some path matches both and neither is more specific")
                      + "; remove one, or make one literal where the other has a variable");
            }
          }
        }
      }
      return new RouteTable<>(entries);
    }
  }
}
