package dev.keyguard.examples;

import javax.net.ssl.SSLContext;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * The TLS material of the demo, generated in memory at start: a throw-away certificate authority
 * and one server certificate it signed for {@code localhost} and {@code 127.0.0.1}. Both demo
 * servers present that certificate; the demo client trusts exactly that authority (and nothing
 * else: not the JDK's CAs, and certainly not "trust all").
 */
final class DemoCertificates {

  private final HeldCertificate authority;
  private final HandshakeCertificates server;

  private DemoCertificates(HeldCertificate authority, HandshakeCertificates server) {
    this.authority = authority;
    this.server = server;
  }

  /** Generates a new authority and server certificate (ECDSA P-256, valid for a day). */
  static DemoCertificates generate() {
    HeldCertificate authority =
        new HeldCertificate.Builder()
            .certificateAuthority(0)
            .commonName("KeyGuard demo CA (generated at start)")
            .build();
    HeldCertificate serverCertificate =
        new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .signedBy(authority)
            .build();
    HandshakeCertificates server =
        new HandshakeCertificates.Builder()
            .heldCertificate(serverCertificate, authority.certificate())
            .build();
    return new DemoCertificates(authority, server);
  }

  /** The servers' TLS context. */
  SSLContext serverContext() {
    return server.sslContext();
  }

  /** What a client needs to trust the demo servers: the generated authority only. */
  HandshakeCertificates clientTrust() {
    return new HandshakeCertificates.Builder()
        .addTrustedCertificate(authority.certificate())
        .build();
  }
}
