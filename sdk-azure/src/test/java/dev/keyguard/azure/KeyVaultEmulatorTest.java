package dev.keyguard.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulator against the Key Vault REST specification (2025-07-01) and its worked examples in
 * {@code Azure/azure-rest-api-specs}: {@code SetSecret-example.json}, {@code
 * GetSecret-example.json}, {@code GetSecretVersions-example.json}, {@code
 * GetDeletedSecret-example.json} (2025-07-01), {@code UpdateSecret-example.json} and {@code
 * DeleteSecret-example.json} (2026-04-01: not stored for 2025-07-01, same operations and shapes).
 * Raw HTTP, so what is checked is the wire format the SDK reads, not the SDK.
 */
class KeyVaultEmulatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String V = "?api-version=" + KeyVaultEmulator.API_VERSION;

  private static KeyVaultEmulator emulator;
  private static HttpClient http;
  private static String officer;

  @BeforeAll
  static void start() throws IOException {
    emulator = KeyVaultEmulator.start();
    http =
        HttpClient.newBuilder()
            .sslContext(
                new HandshakeCertificates.Builder()
                    .addTrustedCertificate(emulator.certificate())
                    .build()
                    .sslContext())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    officer = emulator.issueToken(KeyVaultEmulator.Role.SECRETS_OFFICER);
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  private record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

  private static Reply call(String method, String pathAndQuery, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(emulator.vaultUrl() + pathAndQuery))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = r.body().isEmpty() ? null : JSON.readTree(r.body());
    return new Reply(r.statusCode(), json, r);
  }

  private static String setBody(String value) {
    return JSON.createObjectNode().put("value", value).toString();
  }

  private static String versionOf(JsonNode bundle) {
    String id = bundle.get("id").asText();
    return id.substring(id.lastIndexOf('/') + 1);
  }

  @Test
  void aRequestWithoutToken_getsTheServiceChallenge() throws Exception {
    Reply r = call("GET", "/secrets/anything" + V, null, null);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.raw().headers().firstValue("WWW-Authenticate"))
        .contains(
            "Bearer authorization=\"https://login.microsoftonline.com/"
                + KeyVaultEmulator.TENANT
                + "\", resource=\"https://vault.azure.net\"");
    assertThat(r.body().at("/error/code").asText()).isEqualTo("Unauthorized");
    assertThat(r.body().at("/error/message").asText()).startsWith("AKV10000");
  }

  @Test
  void anUnknownToken_isUnauthorizedWithTheChallenge() throws Exception {
    Reply r = call("GET", "/secrets/anything" + V, TestSecrets.randomValue(), null);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.raw().headers().firstValue("WWW-Authenticate"))
        .contains(KeyVaultEmulator.CHALLENGE);
  }

  @Test
  void apiVersion_isRequiredAndChecked() throws Exception {
    Reply missing = call("GET", "/secrets/anything", officer, null);
    Reply unknown = call("GET", "/secrets/anything?api-version=1999-01-01", officer, null);

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body().at("/error/code").asText()).isEqualTo("BadParameter");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().at("/error/message").asText()).contains("1999-01-01");
  }

  @Test
  void setSecret_answersAsTheSetSecretExample_andEachSetIsANewVersion() throws Exception {
    String value = TestSecrets.randomValue();
    Reply first = call("PUT", "/secrets/crpsecret" + V, officer, setBody(value));
    Reply second = call("PUT", "/secrets/crpsecret" + V, officer, setBody(value));

    assertThat(first.status()).isEqualTo(200);
    JsonNode b = second.body();
    assertThat(fieldNames(b)).containsExactly("value", "id", "attributes", "previousVersion");
    assertThat(b.get("value").asText()).isEqualTo(value);
    assertThat(b.get("id").asText())
        .matches(emulator.vaultUrl().replace(".", "\\.") + "/secrets/crpsecret/[0-9a-f]{32}");
    assertThat(versionOf(b)).isNotEqualTo(versionOf(first.body()));
    assertThat(b.get("previousVersion").asText()).isEqualTo(versionOf(first.body()));
    JsonNode a = b.get("attributes");
    assertThat(a.get("enabled").asBoolean()).isTrue();
    assertThat(a.get("created").isIntegralNumber()).isTrue();
    assertThat(a.get("updated").asLong()).isEqualTo(a.get("created").asLong());
    assertThat(a.get("recoveryLevel").asText()).isEqualTo("Recoverable+Purgeable");
  }

  @Test
  void setSecret_refusesANameOutsideTheSpecPattern() throws Exception {
    Reply r = call("PUT", "/secrets/coingecko.pro" + V, officer, setBody("x"));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().at("/error/code").asText()).isEqualTo("BadParameter");
  }

  @Test
  void getSecret_byVersionAndLatest_answersAsTheGetSecretExample() throws Exception {
    Reply v1 =
        call("PUT", "/secrets/mysecretname" + V, officer, setBody(TestSecrets.randomValue()));
    String value2 = TestSecrets.randomValue();
    Reply v2 = call("PUT", "/secrets/mysecretname" + V, officer, setBody(value2));

    Reply byVersion =
        call("GET", "/secrets/mysecretname/" + versionOf(v1.body()) + V, officer, null);
    Reply latestSlash = call("GET", "/secrets/mysecretname/" + V, officer, null);
    Reply latest = call("GET", "/secrets/MYSECRETNAME" + V, officer, null);

    assertThat(byVersion.status()).isEqualTo(200);
    assertThat(byVersion.body().get("id")).isEqualTo(v1.body().get("id"));
    assertThat(fieldNames(byVersion.body())).containsExactly("value", "id", "attributes");
    assertThat(latestSlash.body().get("value").asText()).isEqualTo(value2);
    assertThat(latest.body().get("id")).isEqualTo(v2.body().get("id"));
  }

  @Test
  void getSecret_ofAMissingSecret_isSecretNotFound() throws Exception {
    Reply r = call("GET", "/secrets/nothing-here" + V, officer, null);

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().at("/error/code").asText()).isEqualTo("SecretNotFound");
    assertThat(r.body().at("/error/message").asText()).contains("nothing-here");
  }

  @Test
  void getSecretVersions_pagesWithAnAbsoluteNextLink_asTheExample() throws Exception {
    for (int i = 0; i < 3; i++) {
      call(
          "PUT",
          "/secrets/listsecretversionstest" + V,
          officer,
          setBody(TestSecrets.randomValue()));
    }
    List<JsonNode> items = new ArrayList<>();
    String next = "/secrets/listsecretversionstest/versions" + V + "&maxresults=1";
    int pages = 0;
    while (next != null) {
      Reply page = call("GET", next, officer, null);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body().get("value")).hasSize(1);
      page.body().get("value").forEach(items::add);
      JsonNode link = page.body().get("nextLink");
      next = link.isNull() ? null : link.asText().substring(emulator.vaultUrl().length());
      if (next != null) {
        assertThat(link.asText())
            .startsWith(
                emulator.vaultUrl() + "/secrets/listsecretversionstest/versions?api-version=")
            .contains("$skiptoken=")
            .contains("maxresults=1");
      }
      pages++;
    }

    assertThat(pages).isEqualTo(3);
    assertThat(items).hasSize(3);
    for (JsonNode item : items) {
      assertThat(fieldNames(item)).containsExactly("id", "attributes");
      assertThat(item.get("id").asText()).matches(".*/secrets/listsecretversionstest/[0-9a-f]{32}");
    }
  }

  @Test
  void maxresults_outsideOneTo25_isABadParameter() throws Exception {
    call("PUT", "/secrets/paged" + V, officer, setBody("x"));

    assertThat(
            call("GET", "/secrets/paged/versions" + V + "&maxresults=26", officer, null).status())
        .isEqualTo(400);
  }

  @Test
  void updateSecret_changesAttributesContentTypeAndTags_asTheUpdateExample() throws Exception {
    Reply set = call("PUT", "/secrets/updated" + V, officer, setBody(TestSecrets.randomValue()));
    String patch =
        "{\"tags\":{\"mytag\":\"myvalue\"},\"contentType\":\"myContentType\","
            + "\"attributes\":{\"enabled\":true,\"exp\":4102444800}}";

    Reply r = call("PATCH", "/secrets/updated/" + versionOf(set.body()) + V, officer, patch);

    assertThat(r.status()).isEqualTo(200);
    assertThat(fieldNames(r.body())).containsExactly("id", "contentType", "attributes", "tags");
    assertThat(r.body().get("contentType").asText()).isEqualTo("myContentType");
    assertThat(r.body().get("tags")).isEqualTo(JSON.valueToTree(Map.of("mytag", "myvalue")));
    assertThat(r.body().at("/attributes/exp").asLong()).isEqualTo(4102444800L);
  }

  @Test
  void aDisabledVersion_isForbiddenWithSecretDisabled() throws Exception {
    Reply set = call("PUT", "/secrets/disabled" + V, officer, setBody(TestSecrets.randomValue()));
    call(
        "PATCH",
        "/secrets/disabled/" + versionOf(set.body()) + V,
        officer,
        "{\"attributes\":{\"enabled\":false}}");

    Reply r = call("GET", "/secrets/disabled" + V, officer, null);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().at("/error/code").asText()).isEqualTo("Forbidden");
    assertThat(r.body().at("/error/message").asText())
        .isEqualTo("Operation get is not allowed on a disabled secret.");
    assertThat(r.body().at("/error/innererror/code").asText()).isEqualTo("SecretDisabled");
  }

  @Test
  void expiredAndNotYetValidVersions_areStillServed_likeTheService() throws Exception {
    call(
        "PUT",
        "/secrets/dated" + V,
        officer,
        "{\"value\":\"" + TestSecrets.randomHex(8) + "\",\"attributes\":{\"exp\":1000}}");

    assertThat(call("GET", "/secrets/dated" + V, officer, null).status()).isEqualTo(200);
  }

  @Test
  void anOperationTheRoleLacks_isForbiddenByRbac_namingTheDataAction() throws Exception {
    call("PUT", "/secrets/rbac" + V, officer, setBody(TestSecrets.randomValue()));
    String reader = emulator.issueToken(KeyVaultEmulator.Role.READER);

    Reply r = call("GET", "/secrets/rbac" + V, reader, null);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body().at("/error/code").asText()).isEqualTo("Forbidden");
    assertThat(r.body().at("/error/innererror/code").asText()).isEqualTo("ForbiddenByRbac");
    assertThat(r.body().at("/error/message").asText())
        .contains("Microsoft.KeyVault/vaults/secrets/getSecret/action");
    assertThat(call("GET", "/secrets/rbac/versions" + V, reader, null).status()).isEqualTo(200);
  }

  @Test
  void delete_isASoftDelete_asTheDeleteAndGetDeletedExamples() throws Exception {
    call("PUT", "/secrets/GetDeletedSecretTest" + V, officer, setBody(TestSecrets.randomValue()));

    Reply deleted = call("DELETE", "/secrets/GetDeletedSecretTest" + V, officer, null);

    assertThat(deleted.status()).isEqualTo(200);
    assertThat(fieldNames(deleted.body()))
        .containsExactlyInAnyOrder(
            "recoveryId", "deletedDate", "scheduledPurgeDate", "id", "attributes");
    assertThat(deleted.body().get("recoveryId").asText())
        .isEqualTo(emulator.vaultUrl() + "/deletedsecrets/GetDeletedSecretTest");
    assertThat(deleted.body().get("scheduledPurgeDate").asLong())
        .isGreaterThan(deleted.body().get("deletedDate").asLong());
    assertThat(call("GET", "/secrets/GetDeletedSecretTest" + V, officer, null).status())
        .isEqualTo(404);
    assertThat(
            call("PUT", "/secrets/GetDeletedSecretTest" + V, officer, setBody("x"))
                .body()
                .at("/error/code")
                .asText())
        .isEqualTo("Conflict");
    assertThat(call("GET", "/deletedsecrets/GetDeletedSecretTest" + V, officer, null).status())
        .isEqualTo(200);
    assertThat(
            call("POST", "/deletedsecrets/GetDeletedSecretTest/recover" + V, officer, null)
                .status())
        .isEqualTo(200);
    assertThat(call("GET", "/secrets/GetDeletedSecretTest" + V, officer, null).status())
        .isEqualTo(200);
  }

  @Test
  void throttling_answers429WithRetryAfter() throws Exception {
    emulator.throttleNext(1, Duration.ofSeconds(3));

    Reply r = call("GET", "/secrets/anything" + V, officer, null);

    assertThat(r.status()).isEqualTo(429);
    assertThat(r.raw().headers().firstValue("Retry-After")).contains("3");
    assertThat(r.body().at("/error/code").asText()).isEqualTo("Throttled");
    assertThat(call("GET", "/secrets/anything" + V, officer, null).status()).isEqualTo(404);
  }

  @Test
  void stop_refusesConnections_andRestart_comesBackOnTheSamePortWithTheSecrets() throws Exception {
    String value = TestSecrets.randomValue();
    call("PUT", "/secrets/survivor" + V, officer, setBody(value));

    emulator.stop();
    assertThatThrownBy(() -> call("GET", "/secrets/survivor" + V, officer, null))
        .isInstanceOf(ConnectException.class);
    emulator.restart();

    assertThat(call("GET", "/secrets/survivor" + V, officer, null).body().get("value").asText())
        .isEqualTo(value);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
