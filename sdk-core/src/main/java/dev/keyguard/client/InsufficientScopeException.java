package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import org.jspecify.annotations.Nullable;

/**
 * No key of the client may call a route: none has the scope the route requires, or the route is
 * unmapped and the client's {@link UnmappedRoutes} policy (or a sensitive path prefix of its
 * preset) refuses it. Thrown before anything is sent. Add a key with the scope, or map the route.
 *
 * <p>{@link #isRetryable()} is {@code false}.
 */
public class InsufficientScopeException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /** The route the request matched. */
  private final @Nullable String route;

  /** The scope that route requires. */
  private final @Nullable String requiredScope;

  /**
   * Creates the exception.
   *
   * @param message what was refused and what to do next; never a secret value
   * @param route the route template refused, such as {@code POST /api/v3/order}; null for an
   *     unmapped request
   * @param requiredScope the scope it requires; null for an unmapped request
   */
  public InsufficientScopeException(
      String message, @Nullable String route, @Nullable String requiredScope) {
    super(message, null, null, null, false);
    this.route = route;
    this.requiredScope = requiredScope;
  }

  /**
   * The route refused, as {@code METHOD template}.
   *
   * @return the route, or null for a request that matched no route
   */
  public @Nullable String route() {
    return route;
  }

  /**
   * The scope the route requires.
   *
   * @return the scope, or null for a request that matched no route
   */
  public @Nullable String requiredScope() {
    return requiredScope;
  }
}
