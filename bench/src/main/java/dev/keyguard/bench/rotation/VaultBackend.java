package dev.keyguard.bench.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.vault.VaultAuthentication;
import dev.keyguard.vault.VaultKeyProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

/**
 * Vault on a real OpenBao dev server ({@link OpenBaoProcess}, HTTPS with the dev CA). Each key is a
 * KV v2 secret {@code secret/bench/rotation-XXXX} with the API key in field {@code apiKey}; a
 * rotation writes a new version with the root token. KeyGuard reads it with {@code
 * VaultKeyProvider} (token authentication, the dev CA as {@code caCertificate}). Backend calls are
 * counted at the server, in its file audit log: the {@code request} entries with operation {@code
 * read} on {@code secret/data/<path>} or {@code secret/metadata/<path>} (the rotations are {@code
 * update}s and not counted; token lookups and renewals are not reads of the key and not counted).
 * No anchor: Vault has no caching client of its own to compare with.
 */
final class VaultBackend implements Backend {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final OpenBaoProcess bao;

  private VaultBackend(OpenBaoProcess bao) {
    this.bao = bao;
  }

  static VaultBackend start() throws IOException, InterruptedException {
    return new VaultBackend(OpenBaoProcess.start());
  }

  @Override
  public String name() {
    return "Vault (OpenBao 2.7.2)";
  }

  @Override
  public String callsCounted() {
    return "KV v2 reads of the secret (data + metadata), counted in OpenBao's file audit log";
  }

  @Override
  public String createKey(String value) {
    String keyId = "rotation-" + RotationUnderLoad.randomValue().substring(3, 11);
    rotate(keyId, value);
    return keyId;
  }

  @Override
  public void rotate(String keyId, String value) {
    try {
      bao.put(path(keyId), JSON.writeValueAsString(Map.of("data", Map.of("apiKey", value))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public KeyProvider provider(String keyId) {
    return VaultKeyProvider.builder()
        .address(bao.address())
        .caCertificate(bao.caFile())
        .authentication(VaultAuthentication.token(bao.rootToken()))
        .key(keyId, "secret", path(keyId))
        .build();
  }

  @Override
  public long backendCalls(String keyId) {
    String data = "secret/data/" + path(keyId);
    String metadata = "secret/metadata/" + path(keyId);
    long n = 0;
    try (BufferedReader r = Files.newBufferedReader(bao.auditLog(), StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode entry = JSON.readTree(line);
        JsonNode request = entry.path("request");
        String path = request.path("path").asText();
        if (entry.path("type").asText().equals("request")
            && request.path("operation").asText().equals("read")
            && (path.equals(data) || path.equals(metadata))) {
          n++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the OpenBao audit log", e);
    }
    return n;
  }

  @Override
  public void close() {
    bao.close();
  }

  private static String path(String keyId) {
    return "bench/" + keyId;
  }
}
