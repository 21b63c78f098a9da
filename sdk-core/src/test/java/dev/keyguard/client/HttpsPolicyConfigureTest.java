package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.TlsVersion;
import org.junit.jupiter.api.Test;

/** The public form of the policy, for components that call an endpoint of their own. */
class HttpsPolicyConfigureTest {

  @Test
  void configure_strict_allowsOnlyTls12And13AndNoCleartext() {
    OkHttpClient client = HttpsPolicy.strict().configure(new OkHttpClient.Builder()).build();

    assertThat(client.connectionSpecs()).doesNotContain(ConnectionSpec.CLEARTEXT);
    assertThat(client.connectionSpecs())
        .allSatisfy(
            spec ->
                assertThat(spec.tlsVersions())
                    .containsOnly(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3));
  }

  @Test
  void configure_withTheTestingSwitch_addsCleartextForLoopbackOnly() {
    HttpsPolicy testing = HttpsPolicy.builder().allowLoopbackCleartextForTesting().build();

    OkHttpClient client = testing.configure(new OkHttpClient.Builder()).build();

    assertThat(client.connectionSpecs()).contains(ConnectionSpec.CLEARTEXT);
    assertThat(testing.permits(HttpUrl.get("http://127.0.0.1:8200/v1/sys/health"))).isTrue();
    assertThat(testing.permits(HttpUrl.get("http://localhost:8200/"))).isTrue();
    assertThat(testing.permits(HttpUrl.get("http://vault.example.com:8200/"))).isFalse();
    assertThat(testing.permits(HttpUrl.get("http://127.0.0.1.example.com/"))).isFalse();
  }

  @Test
  void permits_strict_isHttpsOnly() {
    assertThat(HttpsPolicy.strict().permits(HttpUrl.get("https://vault.example.com/"))).isTrue();
    assertThat(HttpsPolicy.strict().permits(HttpUrl.get("http://127.0.0.1/"))).isFalse();
  }
}
