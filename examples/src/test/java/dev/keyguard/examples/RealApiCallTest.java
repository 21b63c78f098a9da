package dev.keyguard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.Secret;
import dev.keyguard.client.ApiPreset;
import dev.keyguard.client.ApiPresets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real-API mode against the demo's local HTTPS server standing in for the API: the Token
 * Metrics preset (header {@code x-api-key}) with its base URL pointed at 127.0.0.1. Proves the
 * printing path (status, rate-limit headers, body excerpt, errors) without the network.
 */
class RealApiCallTest {

  private DemoCertificates certificates;
  private DemoMarketDataServer server;
  private OkHttpClient trusting;
  private ApiPreset localPreset;

  @BeforeEach
  void start() throws Exception {
    certificates = DemoCertificates.generate();
    server = DemoMarketDataServer.start(certificates, "/v2");
    HandshakeCertificates trust = certificates.clientTrust();
    trusting =
        new OkHttpClient.Builder()
            .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
            .build();
    localPreset = ApiPresets.TOKEN_METRICS.toBuilder().baseUrl(server.origin() + "/v2").build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void run_whenApiAcceptsTheKey_printsStatusRateLimitHeadersAndBodyAndExitsZero() {
    String key = DemoTest.generatedKey();
    server.acceptOnly(key.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    int status =
        RealApiCall.run(
            new RealApiOptions(false, localPreset, "TM_KEY", "/price", Map.of("symbol", "ETH")),
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            Map.of("TM_KEY", key),
            trusting);

    String output = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(output); // for the surefire report
    assertThat(status).as(output).isZero();
    assertThat(output)
        .contains("GET " + server.origin() + "/v2/price?symbol=ETH")
        .contains("key from $TM_KEY, " + Secret.of(key).fingerprint())
        .contains("HTTP 200")
        .containsIgnoringCase("x-ratelimit-limit: 30")
        .contains("body: {\"symbol\":\"ETH\",\"priceUsd\":3412.07}");
    LeakScan.forms(key).forEach(form -> assertThat(output).doesNotContain(form));
  }

  @Test
  void run_whenApiRejectsTheKey_printsTheRejectionAndExitsOne() {
    server.acceptOnly(DemoTest.generatedKey().getBytes(StandardCharsets.UTF_8));
    String wrongKey = DemoTest.generatedKey();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    int status =
        RealApiCall.run(
            new RealApiOptions(false, localPreset, "TM_KEY", "/price", Map.of()),
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            Map.of("TM_KEY", wrongKey),
            trusting);

    String output = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(output); // for the surefire report
    assertThat(status).as(output).isEqualTo(1);
    assertThat(output)
        .contains("KeyRejectedException")
        .contains("HTTP 401")
        .contains("body: {\"error\":\"invalid or missing API key\"}");
    LeakScan.forms(wrongKey).forEach(form -> assertThat(output).doesNotContain(form));
  }
}
