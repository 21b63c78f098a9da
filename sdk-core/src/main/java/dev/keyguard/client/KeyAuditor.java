package dev.keyguard.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.ManagedKey;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key hygiene audit of one client: for each key, one request to the preset's audit endpoint,
 * signed with that key like any other request, read into {@link KeyPermissions} and compared with
 * what the routes the key is used for need. Findings are logged at WARN and reported to the key's
 * listeners; a failing endpoint is logged with its status only (never the body).
 */
final class KeyAuditor {

  private static final Logger log = LoggerFactory.getLogger(KeyGuardClient.class);

  /** The most of an audit answer that is read. */
  private static final long MAX_BODY = 64 * 1024;

  private final ClientSettings settings;
  private final KeyAudit audit;
  private final Map<KeyId, KeyAuditResult> results = new ConcurrentHashMap<>();

  /** Versions audited or being audited, as "key id/version". */
  private final Set<String> started = ConcurrentHashMap.newKeySet();

  private volatile @Nullable OkHttpClient okHttp;

  KeyAuditor(ClientSettings settings, KeyAudit audit) {
    this.settings = settings;
    this.audit = audit;
  }

  /** Called once the client's OkHttp client is assembled. */
  void attach(OkHttpClient client) {
    this.okHttp = client;
  }

  List<KeyAuditResult> results() {
    return List.copyOf(results.values());
  }

  /** Audits every key now (blocking); in {@code REFUSE_TO_START} mode, throws on a finding. */
  List<KeyAuditResult> auditAll() {
    KeySelector selector = settings.selector();
    List<KeyAuditResult> out = new ArrayList<>();
    for (int slot = 0; slot < selector.keyCount(); slot++) {
      ManagedKey key = selector.key(slot);
      VersionedCredential credential = key.current();
      started.add(key.keyId() + "/" + credential.version());
      out.add(auditNow(slot, credential.version()));
    }
    if (settings.access().auditMode == KeyAuditMode.REFUSE_TO_START) {
      for (KeyAuditResult r : out) {
        if (r.hasFinding()) {
          throw new KeyHygieneException(
              "The key hygiene audit refuses to start: key '"
                  + r.keyId()
                  + "' version "
                  + r.version()
                  + " "
                  + describe(r)
                  + ". Fix the key at the API provider, or audit with KeyAuditMode.WARN.",
              r.keyId(),
              out);
        }
      }
    }
    return out;
  }

  /** A request met a version not seen before: audit it in the background, once. */
  void onNewVersion(int slot, VersionedCredential credential) {
    ManagedKey key = settings.selector().key(slot);
    if (!started.add(key.keyId() + "/" + credential.version())) {
      return;
    }
    OkHttpClient client = okHttp;
    if (client == null) {
      return;
    }
    client
        .newCall(request(slot))
        .enqueue(
            new Callback() {
              @Override
              public void onResponse(Call call, Response response) {
                try (response) {
                  record(slot, credential.version(), read(response), null);
                } catch (IOException | RuntimeException e) {
                  record(slot, credential.version(), null, failureOf(e));
                }
              }

              @Override
              public void onFailure(Call call, IOException e) {
                record(slot, credential.version(), null, failureOf(e));
              }
            });
  }

  private KeyAuditResult auditNow(int slot, String version) {
    OkHttpClient client = okHttp;
    if (client == null) {
      throw new IllegalStateException("the client is not assembled yet");
    }
    try (Response response = client.newCall(request(slot)).execute()) {
      return record(slot, version, read(response), null);
    } catch (IOException | RuntimeException e) {
      return record(slot, version, null, failureOf(e));
    }
  }

  private Request request(int slot) {
    return new Request.Builder()
        .url(RequestUrls.resolve(settings.baseUrl(), audit.route().template(), Map.of()))
        .get()
        .tag(ForcedKey.class, new ForcedKey(slot))
        .build();
  }

  /** The permissions in a 2xx answer; throws with the status otherwise. The body is never shown. */
  private KeyPermissions read(Response response) throws IOException {
    if (!response.isSuccessful()) {
      throw new AuditFailure("HTTP " + response.code());
    }
    ResponseBody body = response.body();
    String text = body.source().request(MAX_BODY + 1) ? null : body.string();
    if (text == null) {
      throw new AuditFailure("answer larger than " + MAX_BODY + " bytes");
    }
    JsonNode node;
    try {
      node = settings.objectMapper().readTree(text);
    } catch (IOException e) {
      throw new AuditFailure("answer is not JSON");
    }
    try {
      return audit.read(node);
    } catch (RuntimeException e) {
      throw new AuditFailure(
          "answer does not have the documented shape (" + audit.documentation() + ")");
    }
  }

  private static String failureOf(Throwable e) {
    if (e instanceof AuditFailure f) {
      return f.reason;
    }
    if (e instanceof KeyGuardIOException k && k.getCause() instanceof KeyGuardException cause) {
      if (cause instanceof KeyRejectedException rejected && rejected.status().isPresent()) {
        return "HTTP " + rejected.status().getAsInt() + " (the API rejected the key)";
      }
      return cause.getClass().getSimpleName();
    }
    return e.getClass().getSimpleName();
  }

  private KeyAuditResult record(
      int slot, String version, @Nullable KeyPermissions permissions, @Nullable String failure) {
    KeySelector selector = settings.selector();
    ManagedKey key = selector.key(slot);
    Instant now = settings.time().now();
    Set<String> unneeded = new LinkedHashSet<>();
    boolean notIpRestricted = false;
    if (permissions != null) {
      List<String> served = selector.scopesServedBy(slot);
      for (String scope : permissions.scopes()) {
        if (settings.access().sensitiveScopes.contains(scope) && !served.contains(scope)) {
          unneeded.add(scope);
        }
      }
      notIpRestricted = permissions.ipRestriction() == KeyPermissions.IpRestriction.UNRESTRICTED;
    }
    KeyAuditResult result =
        new KeyAuditResult(
            key.keyId(), version, now, permissions, unneeded, notIpRestricted, failure);
    results.put(key.keyId(), result);
    if (failure != null) {
      log.warn(
          "Key hygiene audit of key '{}' version {} failed: {} ({})",
          key.keyId(),
          version,
          failure,
          audit.route());
    } else if (result.hasFinding()) {
      log.warn("Key hygiene audit: key '{}' version {} {}", key.keyId(), version, describe(result));
    }
    if (!unneeded.isEmpty()) {
      report(key, new KeyEvent.KeyTooPowerful(key.keyId(), now, version, unneeded));
    }
    if (notIpRestricted) {
      report(key, new KeyEvent.KeyNotIpRestricted(key.keyId(), now, version));
    }
    return result;
  }

  private static void report(ManagedKey key, KeyEvent event) {
    try {
      key.report(event);
    } catch (RuntimeException e) {
      log.warn(
          "Reporting {} for key '{}' failed: {}",
          event.getClass().getSimpleName(),
          key.keyId(),
          e.getClass().getSimpleName());
    }
  }

  private static String describe(KeyAuditResult r) {
    List<String> parts = new ArrayList<>();
    if (r.failure() != null) {
      parts.add("could not be audited (" + r.failure() + ")");
    }
    if (!r.unneededScopes().isEmpty()) {
      parts.add("holds permissions no route of it needs: " + r.unneededScopes());
    }
    if (r.notIpRestricted()) {
      parts.add("is not restricted to a list of IP addresses");
    }
    return String.join("; ", parts);
  }

  /** Why an audit answer was not used; the message names the status or shape, never the body. */
  private static final class AuditFailure extends IOException {
    private static final long serialVersionUID = 1L;

    final String reason;

    AuditFailure(String reason) {
      super(reason);
      this.reason = reason;
    }
  }
}
