package dev.keyguard.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.KeyId;
import dev.keyguard.client.InsecureTransportException;
import dev.keyguard.testing.ExceptionTextAssertions;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * No Secrets Manager call goes out in cleartext, whatever set the endpoint: {@code
 * endpointOverride(...)} is checked as it is set; a {@code clientCustomizer} or a caller's own
 * client with an http endpoint is refused at {@code build()}; a request that an interceptor (or an
 * endpoint provider, or {@code AWS_ENDPOINT_URL}) turns into http is refused before it is sent.
 */
class AwsCleartextRefusalTest {

  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("keyguard-test", "not-a-secret"));

  private final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anHttpEndpointSetByTheCustomizer_isRefusedAtBuild() {
    assertThatThrownBy(
            () ->
                AwsSecretsManagerKeyProvider.builder()
                    .region(Region.EU_WEST_1)
                    .credentialsProvider(CREDENTIALS)
                    .clientCustomizer(
                        b -> b.endpointOverride(URI.create("http://secrets.example.com:8080")))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("http://secrets.example.com:8080")
        .hasMessageContaining("cleartext")
        .hasMessageContaining("clientCustomizer");
  }

  @Test
  void anHttpsEndpointSetByTheCustomizer_isAccepted() {
    AwsSecretsManagerKeyProvider provider =
        AwsSecretsManagerKeyProvider.builder()
            .region(Region.EU_WEST_1)
            .credentialsProvider(CREDENTIALS)
            .clientCustomizer(
                b -> b.endpointOverride(URI.create("https://vpce-1.secretsmanager.example")))
            .build();
    provider.close();
  }

  @Test
  void aCallersClientWithAnHttpEndpoint_isRefusedAtBuild() {
    try (SecretsManagerClient own =
        SecretsManagerClient.builder()
            .region(Region.EU_WEST_1)
            .credentialsProvider(CREDENTIALS)
            .endpointOverride(URI.create("http://10.1.2.3:4566"))
            .build()) {
      assertThatThrownBy(() -> AwsSecretsManagerKeyProvider.builder().client(own).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("passed in")
          .hasMessageContaining("http://10.1.2.3:4566");
    }
  }

  @Test
  void aRequestTurnedIntoCleartextAfterBuild_isRefusedBeforeAByteIsSent() {
    // an interceptor that rewrites the request stands for anything that routes it at run time
    ExecutionInterceptor downgrade =
        new ExecutionInterceptor() {
          @Override
          public SdkHttpRequest modifyHttpRequest(
              Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            return context.httpRequest().toBuilder().protocol("http").host("lan-proxy").build();
          }
        };
    // the HTTP client records every request handed to it: the one place a sent request must pass
    AtomicInteger handedToHttp = new AtomicInteger();
    SdkHttpClient real = UrlConnectionHttpClient.create();
    SdkHttpClient recording =
        new SdkHttpClient() {
          @Override
          public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            handedToHttp.incrementAndGet();
            return real.prepareRequest(request);
          }

          @Override
          public void close() {
            real.close();
          }
        };
    try (AwsSecretsManagerKeyProvider provider =
        AwsSecretsManagerKeyProvider.builder()
            .region(Region.EU_WEST_1)
            .credentialsProvider(CREDENTIALS)
            .endpointOverride(URI.create("http://127.0.0.1:" + server.getPort()))
            .apiCallTimeout(Duration.ofSeconds(5))
            .clientCustomizer(
                b ->
                    b.httpClientBuilder(defaults -> recording)
                        .overrideConfiguration(o -> o.addExecutionInterceptor(downgrade)))
            .build()) {

      InsecureTransportException e =
          catchThrowableOfType(
              InsecureTransportException.class, () -> provider.fetch(KeyId.of("market-data")));

      assertThat(e.getMessage())
          .contains("http://lan-proxy")
          .contains("cleartext")
          .contains("GetSecretValue for key 'market-data'");
      assertThat(e.isRetryable()).isFalse();
      ExceptionTextAssertions.assertNoRepeatedText(e);
      assertThat(handedToHttp).as("requests handed to the HTTP client").hasValue(0);
      assertThat(server.getRequestCount()).isZero();
    }
  }
}
