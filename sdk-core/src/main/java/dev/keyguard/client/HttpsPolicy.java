package dev.keyguard.client;

import dev.keyguard.auth.AuthScheme;
import dev.keyguard.internal.TrustedCertificates;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Authenticator;
import okhttp3.CertificatePinner;
import okhttp3.ConnectionSpec;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.TlsVersion;
import org.jspecify.annotations.Nullable;

/**
 * The transport rules of a {@link KeyGuardClient}: what may carry a credential and where it may go.
 * Strict by default ({@link #strict()}):
 *
 * <ul>
 *   <li>HTTPS only. The base URL must be https ({@link KeyGuardClient.Builder#build()} fails
 *       otherwise), and any cleartext request, including one sent through {@link
 *       KeyGuardClient#okHttpClient()}, is refused with {@link InsecureTransportException} before a
 *       connection is opened.
 *   <li>TLS 1.2 and 1.3 only, with OkHttp's modern cipher suites; no cleartext connection spec.
 *       Before a credential is written, a network-level guard checks the TLS version and cipher
 *       suite the connection actually negotiated, so a client derived with weaker connection specs
 *       ({@code okHttpClient().newBuilder().connectionSpecs(...)}) still never sends one over TLS
 *       below 1.2 or a NULL, anonymous, export, RC4, DES, 3DES or MD5 suite.
 *   <li>Redirects are followed by KeyGuard, not by OkHttp (at most {@link #maxRedirects()}). A hop
 *       to the base URL's origin (scheme, host and port) is authenticated afresh; a hop to any
 *       other origin is rebuilt from the request as the application made it and carries no
 *       credential at all (no header, query parameter or signature the {@link AuthScheme} adds, no
 *       {@code Authorization} or {@code Cookie} header), and neither does any later hop of the same
 *       call. A hop to another origin whose URL still carries a live secret in any encoded form (in
 *       the path, or under a parameter name the scheme does not use) is refused (fail closed). A
 *       redirect from https to http is refused with {@link InsecureTransportException}, also when a
 *       derived client lets OkHttp follow redirects itself.
 *   <li>Server certificates are checked against the system CAs by default. A private CA is trusted
 *       with {@link Builder#trustCertificates(Path)} (that CA instead of the system CAs) or {@link
 *       Builder#addTrustedCertificates(Path)} (that CA as well as the system CAs), from a PEM file,
 *       PEM bytes or a {@link KeyStore}; pins and the TLS versions apply either way.
 *   <li>Optional certificate pins per host, and an optional proxy (for provider-side IP allowlists;
 *       HTTPS goes through it in a CONNECT tunnel, so the proxy never sees the key).
 * </ul>
 *
 * <p>For tests against a local plain-HTTP server only, {@link
 * Builder#allowLoopbackCleartextForTesting()} permits cleartext to {@code localhost}, {@code
 * 127.0.0.0/8} and {@code ::1}; the name is meant to stand out in review. Nothing else relaxes the
 * rules.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * HttpsPolicy policy = HttpsPolicy.builder()
 *     .addTrustedCertificates(Path.of("/etc/ssl/private-ca.pem"))
 *     .pin("api.example.com", "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
 *     .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("egress.internal", 3128)))
 *     .build();
 * }</pre>
 */
public final class HttpsPolicy {

  /** TLS 1.3 and 1.2 with OkHttp's modern cipher suites; never cleartext. */
  static final ConnectionSpec TLS_1_2_OR_LATER =
      new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS)
          .tlsVersions(TlsVersion.TLS_1_3, TlsVersion.TLS_1_2)
          .build();

  private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private static final HttpsPolicy STRICT = builder().build();

  private final int maxRedirects;
  private final Map<String, List<String>> pins;
  private final @Nullable CertificatePinner certificatePinner;
  private final @Nullable Proxy proxy;
  private final @Nullable Authenticator proxyAuthenticator;
  private final boolean loopbackCleartextForTesting;
  private final boolean trustsSystemCertificates;
  private final List<X509Certificate> trustedCertificates;
  // both null while the trust is the default: the OkHttp client's own socket factory stays
  private final @Nullable X509TrustManager trustManager;
  private final @Nullable SSLSocketFactory sslSocketFactory;

  private HttpsPolicy(Builder b) {
    this.maxRedirects = b.maxRedirects;
    Map<String, List<String>> copy = new LinkedHashMap<>();
    b.pins.forEach((host, list) -> copy.put(host, List.copyOf(list)));
    this.pins = Collections.unmodifiableMap(copy);
    if (pins.isEmpty()) {
      this.certificatePinner = null;
    } else {
      CertificatePinner.Builder pinner = new CertificatePinner.Builder();
      pins.forEach((host, list) -> pinner.add(host, list.toArray(new String[0])));
      this.certificatePinner = pinner.build();
    }
    this.proxy = b.proxy;
    this.proxyAuthenticator = b.proxyAuthenticator;
    this.loopbackCleartextForTesting = b.loopbackCleartextForTesting;
    this.trustsSystemCertificates = b.trustsSystemCertificates;
    this.trustedCertificates = List.copyOf(b.trustedCertificates);
    if (trustsSystemCertificates && trustedCertificates.isEmpty()) {
      this.trustManager = null;
      this.sslSocketFactory = null;
    } else {
      this.trustManager =
          TrustedCertificates.trustManager(trustedCertificates, trustsSystemCertificates);
      this.sslSocketFactory = TrustedCertificates.sslContext(trustManager).getSocketFactory();
    }
  }

  /**
   * The strict policy: HTTPS only, TLS 1.2+, at most 5 redirects, no pins, no proxy.
   *
   * @return the strict policy
   */
  public static HttpsPolicy strict() {
    return STRICT;
  }

  /**
   * Starts a policy from the strict defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this policy's settings, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxRedirects = maxRedirects;
    pins.forEach((host, list) -> b.pins.put(host, new ArrayList<>(list)));
    b.proxy = proxy;
    b.proxyAuthenticator = proxyAuthenticator;
    b.loopbackCleartextForTesting = loopbackCleartextForTesting;
    b.trustsSystemCertificates = trustsSystemCertificates;
    b.trustedCertificates.addAll(trustedCertificates);
    return b;
  }

  /**
   * The most redirects one call follows; 0 means redirects are returned to the caller unfollowed.
   *
   * @return the redirect limit
   */
  public int maxRedirects() {
    return maxRedirects;
  }

  /**
   * The certificate pins per host pattern, as given to {@link Builder#pin(String, String...)}.
   *
   * @return an unmodifiable map, empty if nothing is pinned
   */
  public Map<String, List<String>> certificatePins() {
    return pins;
  }

  /**
   * The proxy all requests go through.
   *
   * @return the proxy, if one was set
   */
  public Optional<Proxy> proxy() {
    return Optional.ofNullable(proxy);
  }

  /**
   * Tells whether server certificates issued by the system CAs (the JDK's {@code cacerts}, or the
   * {@code javax.net.ssl.trustStore}) are trusted: true unless {@link
   * Builder#trustCertificates(Path)} or one of its overloads replaced them.
   *
   * @return whether the system CAs are trusted
   */
  public boolean trustsSystemCertificates() {
    return trustsSystemCertificates;
  }

  /**
   * The certificates trusted besides the system CAs, or instead of them if {@link
   * #trustsSystemCertificates()} is false.
   *
   * @return an unmodifiable list, empty if none were given
   */
  public List<X509Certificate> trustedCertificates() {
    return trustedCertificates;
  }

  /**
   * Tells whether cleartext to loopback addresses is allowed (tests only).
   *
   * @return true if {@link Builder#allowLoopbackCleartextForTesting()} was called
   */
  public boolean allowsLoopbackCleartextForTesting() {
    return loopbackCleartextForTesting;
  }

  /**
   * Tells whether a URL may be requested under this policy: https always; http only to a loopback
   * host ({@code localhost}, 127.0.0.0/8, {@code ::1}, never resolved through DNS), and only when
   * {@link Builder#allowLoopbackCleartextForTesting()} is on.
   *
   * @param url the URL
   * @return whether the policy allows it
   */
  public boolean permits(HttpUrl url) {
    return url.isHttps() || (loopbackCleartextForTesting && isLoopbackHost(url.host()));
  }

  /**
   * Installs this policy's connection-level rules on an OkHttp client builder, for a component that
   * calls an HTTPS endpoint of its own under the same rules as {@link KeyGuardClient} (a secret
   * store's API, as {@code keyguard-vault} does): TLS 1.2 or 1.3 only, the trusted certificates
   * (with or without the system CAs), the certificate pins, the proxy; with the testing switch,
   * cleartext too and {@code localhost} resolved to loopback addresses only.
   *
   * <p>The URL rule is the caller's: refuse a URL for which {@link #permits(HttpUrl)} is false
   * before building a request. Redirects, timeouts and interceptors are left as they are; a client
   * that sends a credential should also turn redirects off.
   *
   * @param builder the builder to configure
   * @return the same builder
   */
  public OkHttpClient.Builder configure(OkHttpClient.Builder builder) {
    Objects.requireNonNull(builder, "builder");
    applyTo(builder, Dns.SYSTEM);
    return builder;
  }

  /** Installs the connection-level rules on a client builder, over the caller's DNS. */
  void applyTo(OkHttpClient.Builder builder, Dns callerDns) {
    List<ConnectionSpec> specs = new ArrayList<>();
    specs.add(TLS_1_2_OR_LATER);
    if (loopbackCleartextForTesting) {
      // the interceptor still refuses every cleartext URL whose host is not a loopback literal
      specs.add(ConnectionSpec.CLEARTEXT);
      builder.dns(loopbackOnlyLocalhost(callerDns));
    }
    builder.connectionSpecs(specs);
    if (sslSocketFactory != null) {
      builder.sslSocketFactory(sslSocketFactory, trustManager);
    }
    if (certificatePinner != null) {
      builder.certificatePinner(certificatePinner);
    }
    if (proxy != null) {
      builder.proxy(proxy);
    }
    if (proxyAuthenticator != null) {
      builder.proxyAuthenticator(proxyAuthenticator);
    }
  }

  /**
   * Whether a host is {@code localhost}, an IPv4 literal in 127.0.0.0/8, or {@code ::1}. Never
   * consults DNS.
   */
  static boolean isLoopbackHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (!IPV4_LITERAL.matcher(h).matches() && !h.contains(":")) {
      return false;
    }
    try {
      // a literal: parsed, not resolved
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Resolves {@code localhost} to loopback addresses only, whatever the hosts file says. */
  private static Dns loopbackOnlyLocalhost(Dns delegate) {
    return hostname -> {
      List<InetAddress> addresses = delegate.lookup(hostname);
      if (!hostname.equalsIgnoreCase("localhost")) {
        return addresses;
      }
      List<InetAddress> loopback = new ArrayList<>();
      for (InetAddress a : addresses) {
        if (a.isLoopbackAddress()) {
          loopback.add(a);
        }
      }
      if (loopback.isEmpty()) {
        throw new UnknownHostException("localhost does not resolve to a loopback address");
      }
      return loopback;
    };
  }

  /** Shows the settings; pins are shown, they are public. */
  @Override
  public String toString() {
    return "HttpsPolicy[maxRedirects="
        + maxRedirects
        + ", pins="
        + pins
        + ", proxy="
        + (proxy == null ? "none" : proxy)
        + (trustManager == null ? "" : ", trust=" + describeTrust())
        + (loopbackCleartextForTesting ? ", LOOPBACK CLEARTEXT ALLOWED FOR TESTING" : "")
        + "]";
  }

  private String describeTrust() {
    int n = trustedCertificates.size();
    String certificates = n + (n == 1 ? " certificate" : " certificates");
    return trustsSystemCertificates ? "system CAs + " + certificates : certificates + " only";
  }

  /**
   * Builds an {@link HttpsPolicy}, following the {@linkplain dev.keyguard.client builder rules}.
   * The trust settings are one set, which starts as the system CAs: {@code trustCertificates}
   * replaces the whole set (last call wins), {@code addTrustedCertificates} adds to it (as {@link
   * #pin(String, String...)} does), {@link #trustSystemCertificates()} restores the default.
   */
  public static final class Builder {
    private int maxRedirects = 5;
    private final Map<String, List<String>> pins = new LinkedHashMap<>();
    private @Nullable Proxy proxy;
    private @Nullable Authenticator proxyAuthenticator;
    private boolean loopbackCleartextForTesting;
    private boolean trustsSystemCertificates = true;
    private final List<X509Certificate> trustedCertificates = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the most redirects one call follows (default 5). With 0, a 3xx response is returned to
     * the caller unfollowed. One more than the limit fails the call.
     *
     * @param maxRedirects 0 to 20
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxRedirects(int maxRedirects) {
      if (maxRedirects < 0 || maxRedirects > 20) {
        throw new IllegalArgumentException("maxRedirects must be 0 to 20, was " + maxRedirects);
      }
      this.maxRedirects = maxRedirects;
      return this;
    }

    /**
     * Pins the certificates of a host: a connection is refused unless its certificate chain holds a
     * public key with one of the given hashes. Pin a backup key too, so rotation at the provider
     * does not lock you out. Calling again for the same host adds pins.
     *
     * @param hostPattern a host name, or {@code *.example.com} / {@code **.example.com}
     * @param pins hashes as {@code sha256/<base64>}, at least one
     * @return this builder
     * @throws IllegalArgumentException if the pattern or a pin is malformed
     */
    public Builder pin(String hostPattern, String... pins) {
      Objects.requireNonNull(hostPattern, "hostPattern");
      Objects.requireNonNull(pins, "pins");
      if (pins.length == 0) {
        throw new IllegalArgumentException(
            "pin " + hostPattern + ": give at least one sha256/ pin");
      }
      // validates pattern and pins now, not at build()
      new CertificatePinner.Builder().add(hostPattern, pins).build();
      this.pins.computeIfAbsent(hostPattern, h -> new ArrayList<>()).addAll(List.of(pins));
      return this;
    }

    /**
     * Sends every request through a proxy. HTTPS requests are tunnelled (CONNECT), so the proxy
     * sees the host name but not the key.
     *
     * @param proxy the proxy; {@link Proxy#NO_PROXY} forces direct connections
     * @return this builder
     */
    public Builder proxy(Proxy proxy) {
      this.proxy = Objects.requireNonNull(proxy, "proxy");
      return this;
    }

    /**
     * Answers a proxy's 407 challenge (proxy credentials are the caller's, not a managed key).
     *
     * @param proxyAuthenticator the authenticator
     * @return this builder
     */
    public Builder proxyAuthenticator(Authenticator proxyAuthenticator) {
      this.proxyAuthenticator = Objects.requireNonNull(proxyAuthenticator, "proxyAuthenticator");
      return this;
    }

    /**
     * <b>For tests only:</b> allows plain http to {@code localhost}, {@code 127.0.0.0/8} and {@code
     * ::1}, so a test can use a local plain-HTTP server. Every other cleartext URL is still
     * refused, {@code localhost} is resolved to loopback addresses only, and a redirect from https
     * to http is still refused. Never call this in production code.
     *
     * @return this builder
     */
    public Builder allowLoopbackCleartextForTesting() {
      this.loopbackCleartextForTesting = true;
      return this;
    }

    /**
     * Trusts only the certificates of a PEM file (a private CA, or a bundle of several), and no
     * longer the system CAs: a server whose chain does not lead to one of them is refused, even one
     * with a publicly trusted certificate. Replaces what earlier trust calls set (last call wins).
     * Pins, the TLS versions and the host-name check still apply.
     *
     * <p>The file is read and checked now: it must hold one or more {@code -----BEGIN
     * CERTIFICATE-----} blocks (text between blocks, as in CA bundles, is ignored) and nothing
     * else; a private key block is refused. Error messages name the file and the block, never its
     * content. A later change of the file has no effect on the built policy.
     *
     * <p>With trusted certificates, the policy sets the SSL socket factory of the client's OkHttp
     * client; one given to {@link KeyGuardClient.Builder#okHttpClient(okhttp3.OkHttpClient)} with a
     * socket factory of its own (a client certificate) loses it: configure the trust on that client
     * instead.
     *
     * @param pemFile the PEM file, such as {@code /etc/ssl/private-ca.pem}
     * @return this builder
     * @throws IllegalArgumentException if the file is missing or unreadable, holds no certificate,
     *     holds a private key or a block of another kind, or a block that is not an X.509
     *     certificate
     */
    public Builder trustCertificates(Path pemFile) {
      Objects.requireNonNull(pemFile, "pemFile");
      return trustOnly(TrustedCertificates.fromPemFile(pemFile, "trustCertificates"));
    }

    /**
     * Trusts only the certificates of PEM text instead of the system CAs; see {@link
     * #trustCertificates(Path)}. The bytes are parsed now; later changes to the array have no
     * effect.
     *
     * @param pem PEM text: one or more {@code CERTIFICATE} blocks
     * @return this builder
     * @throws IllegalArgumentException as {@link #trustCertificates(Path)} does
     */
    public Builder trustCertificates(byte[] pem) {
      Objects.requireNonNull(pem, "pem");
      return trustOnly(TrustedCertificates.fromPem(pem.clone(), "trustCertificates"));
    }

    /**
     * Trusts only the trusted certificate entries of a key store (as {@code keytool -importcert}
     * makes them) instead of the system CAs; see {@link #trustCertificates(Path)}. Key entries are
     * not trusted. The entries are read now.
     *
     * @param trustStore a loaded key store
     * @return this builder
     * @throws IllegalArgumentException if the store is not loaded or has no trusted certificate
     *     entry
     */
    public Builder trustCertificates(KeyStore trustStore) {
      Objects.requireNonNull(trustStore, "trustStore");
      return trustOnly(TrustedCertificates.fromKeyStore(trustStore, "trustCertificates"));
    }

    /**
     * Trusts the certificates of a PEM file as well as those already trusted: the system CAs by
     * default, or the certificates an earlier {@link #trustCertificates(Path)} set. Adds to the
     * trust set; the file is read and checked as for {@link #trustCertificates(Path)}.
     *
     * @param pemFile the PEM file
     * @return this builder
     * @throws IllegalArgumentException as {@link #trustCertificates(Path)} does
     */
    public Builder addTrustedCertificates(Path pemFile) {
      Objects.requireNonNull(pemFile, "pemFile");
      trustedCertificates.addAll(
          TrustedCertificates.fromPemFile(pemFile, "addTrustedCertificates"));
      return this;
    }

    /**
     * Trusts the certificates of PEM text as well as those already trusted; see {@link
     * #addTrustedCertificates(Path)}.
     *
     * @param pem PEM text: one or more {@code CERTIFICATE} blocks
     * @return this builder
     * @throws IllegalArgumentException as {@link #trustCertificates(Path)} does
     */
    public Builder addTrustedCertificates(byte[] pem) {
      Objects.requireNonNull(pem, "pem");
      trustedCertificates.addAll(
          TrustedCertificates.fromPem(pem.clone(), "addTrustedCertificates"));
      return this;
    }

    /**
     * Trusts the trusted certificate entries of a key store as well as those already trusted; see
     * {@link #addTrustedCertificates(Path)} and {@link #trustCertificates(KeyStore)}.
     *
     * @param trustStore a loaded key store
     * @return this builder
     * @throws IllegalArgumentException as {@link #trustCertificates(KeyStore)} does
     */
    public Builder addTrustedCertificates(KeyStore trustStore) {
      Objects.requireNonNull(trustStore, "trustStore");
      trustedCertificates.addAll(
          TrustedCertificates.fromKeyStore(trustStore, "addTrustedCertificates"));
      return this;
    }

    /**
     * Trusts the system CAs only, the default: undoes earlier {@code trustCertificates} and {@code
     * addTrustedCertificates} calls (for a variant made with {@link HttpsPolicy#toBuilder()}).
     *
     * @return this builder
     */
    public Builder trustSystemCertificates() {
      trustsSystemCertificates = true;
      trustedCertificates.clear();
      return this;
    }

    private Builder trustOnly(List<X509Certificate> certificates) {
      trustsSystemCertificates = false;
      trustedCertificates.clear();
      trustedCertificates.addAll(certificates);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     */
    public HttpsPolicy build() {
      return new HttpsPolicy(this);
    }
  }
}
