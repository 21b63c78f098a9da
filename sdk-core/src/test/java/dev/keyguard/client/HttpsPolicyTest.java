package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpsPolicyTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "LOCALHOST",
        "127.0.0.1",
        "127.255.0.9",
        "::1",
        "[::1]",
        "0:0:0:0:0:0:0:1"
      })
  void isLoopbackHost_whenLoopback_isTrue(String host) {
    assertThat(HttpsPolicy.isLoopbackHost(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "128.0.0.1",
        "10.0.0.1",
        "0.0.0.0",
        "::2",
        "example.com",
        "localhost.example.com",
        "127.0.0.1.nip.io",
        "localhost.",
        "::ffff:8.8.8.8"
      })
  void isLoopbackHost_whenNotLoopback_isFalse(String host) {
    assertThat(HttpsPolicy.isLoopbackHost(host)).isFalse();
  }

  @Test
  void strict_permitsHttpsOnly() {
    HttpsPolicy strict = HttpsPolicy.strict();

    assertThat(strict.permits(HttpUrl.get("https://api.example.com/"))).isTrue();
    assertThat(strict.permits(HttpUrl.get("http://api.example.com/"))).isFalse();
    assertThat(strict.permits(HttpUrl.get("http://127.0.0.1/"))).isFalse();
    assertThat(strict.allowsLoopbackCleartextForTesting()).isFalse();
    assertThat(strict.maxRedirects()).isEqualTo(5);
  }

  @Test
  void testingSwitch_permitsHttpToLoopbackOnly() {
    HttpsPolicy testing = HttpsPolicy.builder().allowLoopbackCleartextForTesting().build();

    assertThat(testing.permits(HttpUrl.get("http://127.0.0.1:8080/"))).isTrue();
    assertThat(testing.permits(HttpUrl.get("http://localhost/"))).isTrue();
    assertThat(testing.permits(HttpUrl.get("http://192.168.1.1/"))).isFalse();
    assertThat(testing.toString()).contains("LOOPBACK CLEARTEXT ALLOWED FOR TESTING");
  }

  @Test
  void testingSwitch_resolvesLocalhostToLoopbackAddressesOnly() throws Exception {
    OkHttpClient.Builder b = new OkHttpClient.Builder();
    HttpsPolicy.builder()
        .allowLoopbackCleartextForTesting()
        .build()
        .applyTo(
            b,
            hostname ->
                java.util.List.of(
                    java.net.InetAddress.getByAddress(hostname, new byte[] {10, 0, 0, 1})));

    assertThatThrownBy(() -> b.build().dns().lookup("localhost"))
        .isInstanceOf(java.net.UnknownHostException.class);
    assertThat(b.build().dns().lookup("other.example")).hasSize(1);
  }

  @Test
  void pin_whenMalformed_isRejectedWhenSet() {
    assertThatThrownBy(() -> HttpsPolicy.builder().pin("api.example.com", "md5/abc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpsPolicy.builder().pin("api.example.com"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpsPolicy.builder().maxRedirects(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void proxyAndPins_areInstalledOnTheClient_andToBuilderKeepsThem() {
    Proxy proxy =
        new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("egress.internal", 3128));
    String pin = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    HttpsPolicy policy = HttpsPolicy.builder().pin("api.example.com", pin).proxy(proxy).build();
    OkHttpClient.Builder b = new OkHttpClient.Builder();

    policy.toBuilder().build().applyTo(b, okhttp3.Dns.SYSTEM);
    OkHttpClient ok = b.build();

    assertThat(ok.proxy()).isEqualTo(proxy);
    assertThat(ok.certificatePinner().getPins()).hasSize(1);
    assertThat(ok.connectionSpecs()).containsExactly(HttpsPolicy.TLS_1_2_OR_LATER);
    assertThat(policy.certificatePins()).containsKey("api.example.com");
    assertThat(policy.proxy()).contains(proxy);
  }
}
