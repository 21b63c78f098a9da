package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which negotiated cipher suites the transport guard refuses, by their standard names. */
class TransportGuardCipherSuiteTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "TLS_RSA_WITH_NULL_SHA256",
        "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
        "SSL_NULL_WITH_NULL_NULL",
        "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
        "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
        "SSL_RSA_EXPORT_WITH_RC4_40_MD5",
        "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        "SSL_RSA_WITH_DES_CBC_SHA",
        "TLS_DHE_RSA_WITH_DES40_CBC_SHA",
        "SSL_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_RSA_WITH_RC4_128_MD5"
      })
  void isBroken_whenNullAnonExportRc4DesOr3desOrMd5_isTrue(String suite) {
    assertThat(TransportGuardInterceptor.isBroken(suite)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "TLS_AES_128_GCM_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
      })
  void isBroken_whenAModernSuite_isFalse(String suite) {
    assertThat(TransportGuardInterceptor.isBroken(suite)).isFalse();
  }
}
