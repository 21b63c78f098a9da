package dev.keyguard.client;

import dev.keyguard.KeyId;
import dev.keyguard.key.ManagedKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The least-privilege and environment settings of a client as its builder collects them: the extra
 * keys, configured scopes per key id, the preset's route table with the caller's overrides, the
 * unmapped-route policy, the endpoint environment and the key audit. Mutable on the builder side;
 * {@link ClientSettings} keeps a {@link #copy()}.
 */
final class KeyAccess {

  final List<ManagedKey> extraKeys = new ArrayList<>();
  final Map<KeyId, Set<String>> keyScopes = new LinkedHashMap<>();
  RouteTable<String> presetRoutes = RouteTable.empty();
  final Map<Route, String> overrides = new LinkedHashMap<>();
  List<String> vocabulary = List.of();
  @Nullable String publicScope;
  Set<String> sensitiveScopes = Set.of();
  List<String> sensitivePrefixes = List.of();
  UnmappedRoutes unmapped = UnmappedRoutes.LEAST_PRIVILEGED_KEY;
  @Nullable String endpointEnvironment;
  Map<String, HttpUrl> presetEndpoints = Map.of();
  @Nullable KeyAudit audit;
  KeyAuditMode auditMode = KeyAuditMode.OFF;

  KeyAccess copy() {
    KeyAccess c = new KeyAccess();
    c.extraKeys.addAll(extraKeys);
    keyScopes.forEach((k, v) -> c.keyScopes.put(k, Set.copyOf(v)));
    c.presetRoutes = presetRoutes;
    c.overrides.putAll(overrides);
    c.vocabulary = vocabulary;
    c.publicScope = publicScope;
    c.sensitiveScopes = sensitiveScopes;
    c.sensitivePrefixes = sensitivePrefixes;
    c.unmapped = unmapped;
    c.endpointEnvironment = endpointEnvironment;
    c.presetEndpoints = presetEndpoints;
    c.audit = audit;
    c.auditMode = auditMode;
    return c;
  }

  void applyPreset(ApiPreset preset) {
    presetRoutes = preset.routes();
    vocabulary = preset.scopes();
    publicScope = preset.publicScope().orElse(null);
    sensitiveScopes = preset.sensitiveScopes();
    sensitivePrefixes = preset.sensitivePathPrefixes();
    presetEndpoints = preset.endpoints();
    audit = preset.keyAudit().orElse(null);
  }

  /**
   * The preset's routes with the caller's overrides.
   *
   * @throws IllegalStateException if two routes overlap
   */
  RouteTable<String> routes() {
    RouteTable.Builder<String> b = presetRoutes.toBuilder();
    overrides.forEach(b::put);
    return b.build();
  }

  /** The vocabulary: the preset's, or (without one) every scope name the settings use. */
  List<String> effectiveVocabulary() {
    if (!vocabulary.isEmpty()) {
      return vocabulary;
    }
    Set<String> all = new LinkedHashSet<>(overrides.values());
    keyScopes.values().forEach(all::addAll);
    return List.copyOf(all);
  }

  /**
   * Checks every scope name against the preset's vocabulary.
   *
   * @throws IllegalStateException naming the unknown scope and the known ones
   */
  void checkScopes(List<ManagedKey> keys) {
    Set<KeyId> ids = new LinkedHashSet<>();
    for (ManagedKey k : keys) {
      if (!ids.add(k.keyId())) {
        throw new IllegalStateException(
            "key '" + k.keyId() + "' is given twice; give each managed key once");
      }
    }
    for (KeyId id : keyScopes.keySet()) {
      if (!ids.contains(id)) {
        throw new IllegalStateException(
            "keyScopes names key '" + id + "', which is not a key of this client; keys: " + ids);
      }
    }
    if (vocabulary.isEmpty()) {
      return;
    }
    for (Map.Entry<Route, String> e : overrides.entrySet()) {
      known(e.getValue(), "route " + e.getKey());
    }
    for (Map.Entry<KeyId, Set<String>> e : keyScopes.entrySet()) {
      for (String scope : e.getValue()) {
        known(scope, "keyScopes of '" + e.getKey() + "'");
      }
    }
  }

  private void known(String scope, String where) {
    if (!vocabulary.contains(scope)) {
      throw new IllegalStateException(
          where
              + ": scope "
              + scope
              + " is not a scope of the preset; known scopes: "
              + String.join(", ", vocabulary));
    }
  }

  /** The endpoint's environment: the one set, or the preset's whose base URL has this origin. */
  @Nullable String endpointEnvironment(HttpUrl baseUrl) {
    if (endpointEnvironment != null) {
      return endpointEnvironment;
    }
    for (Map.Entry<String, HttpUrl> e : presetEndpoints.entrySet()) {
      HttpUrl u = e.getValue();
      if (u.scheme().equals(baseUrl.scheme())
          && u.host().equals(baseUrl.host())
          && u.port() == baseUrl.port()) {
        return e.getKey();
      }
    }
    return null;
  }
}
