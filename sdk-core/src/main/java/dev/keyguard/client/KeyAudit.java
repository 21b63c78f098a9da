package dev.keyguard.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.function.Function;

/**
 * How an API reports the permissions of the key that signs a request: the route to call (one
 * request, signed like any other) and how to read its JSON answer into {@link KeyPermissions}.
 * Built into the presets that have such an endpoint (Binance, Coinbase Advanced Trade).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class KeyAudit {

  private final Route route;
  private final Function<JsonNode, KeyPermissions> reader;
  private final String documentation;

  private KeyAudit(Route route, Function<JsonNode, KeyPermissions> reader, String documentation) {
    this.route = route;
    this.reader = reader;
    this.documentation = documentation;
  }

  /**
   * Creates an audit.
   *
   * @param route the endpoint, a GET without path variables, such as {@code GET
   *     /sapi/v1/account/apiRestrictions}
   * @param reader reads the JSON answer; throws (any runtime exception) on a shape it does not know
   * @param documentation the public page that documents the endpoint
   * @return the audit
   * @throws IllegalArgumentException if the route is not a GET or has a path variable
   */
  public static KeyAudit of(
      Route route, Function<JsonNode, KeyPermissions> reader, String documentation) {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(reader, "reader");
    Objects.requireNonNull(documentation, "documentation");
    if (!route.method().equals("GET") || route.template().contains("{")) {
      throw new IllegalArgumentException(
          "an audit route is a GET without path variables, was " + route);
    }
    return new KeyAudit(route, reader, documentation);
  }

  /**
   * The endpoint called.
   *
   * @return the route
   */
  public Route route() {
    return route;
  }

  /**
   * The public page that documents the endpoint.
   *
   * @return the URL
   */
  public String documentation() {
    return documentation;
  }

  /**
   * Reads an answer.
   *
   * @param body the JSON answer
   * @return the permissions
   * @throws RuntimeException if the answer does not have the documented shape
   */
  public KeyPermissions read(JsonNode body) {
    return Objects.requireNonNull(reader.apply(body), "the audit reader returned null");
  }

  /** Returns the route and the documentation link. */
  @Override
  public String toString() {
    return "KeyAudit[" + route + ", docs=" + documentation + "]";
  }
}
