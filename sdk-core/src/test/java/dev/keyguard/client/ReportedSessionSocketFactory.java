package dev.keyguard.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.security.Principal;
import java.security.cert.Certificate;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Wraps a socket factory so that every TLS session reports a given protocol version and cipher
 * suite, while the real handshake (TLS 1.3 or 1.2 with the JDK's suites) carries the bytes. The JDK
 * refuses to negotiate TLS 1.1 or a weak suite (see {@code jdk.tls.disabledAlgorithms}), and {@link
 * Tls11OnlyServer} never completes a handshake, so this is how a test shows what KeyGuard does once
 * OkHttp has a connection with such parameters: OkHttp takes the connection's {@code Handshake}
 * from {@link SSLSocket#getSession()}, which is what this replaces.
 */
final class ReportedSessionSocketFactory extends SSLSocketFactory {

  private final SSLSocketFactory delegate;
  private final String protocol;
  private final String cipherSuite;

  ReportedSessionSocketFactory(SSLSocketFactory delegate, String protocol, String cipherSuite) {
    this.delegate = delegate;
    this.protocol = protocol;
    this.cipherSuite = cipherSuite;
  }

  private Socket wrap(Socket s) {
    return new ReportingSocket((SSLSocket) s);
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose)
      throws IOException {
    return wrap(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return wrap(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return wrap(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return wrap(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return wrap(delegate.createSocket(address, port, localAddress, localPort));
  }

  /** Delegates everything to the real socket but the session's protocol and cipher suite. */
  private final class ReportingSocket extends SSLSocket {
    private final SSLSocket s;

    ReportingSocket(SSLSocket s) {
      this.s = s;
    }

    @Override
    public SSLSession getSession() {
      return new ReportedSession(s.getSession());
    }

    @Override
    public SSLSession getHandshakeSession() {
      SSLSession session = s.getHandshakeSession();
      return session == null ? null : new ReportedSession(session);
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return s.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
      return s.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
      s.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
      return s.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
      return s.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
      s.setEnabledProtocols(protocols);
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener l) {
      s.addHandshakeCompletedListener(l);
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener l) {
      s.removeHandshakeCompletedListener(l);
    }

    @Override
    public void startHandshake() throws IOException {
      s.startHandshake();
    }

    @Override
    public void setUseClientMode(boolean mode) {
      s.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
      return s.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
      s.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
      return s.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
      s.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
      return s.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
      s.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
      return s.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
      return s.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
      s.setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
      return s.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
      return s.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(
        BiFunction<SSLSocket, List<String>, String> selector) {
      s.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
      return s.getHandshakeApplicationProtocolSelector();
    }

    @Override
    public InputStream getInputStream() throws IOException {
      return s.getInputStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      return s.getOutputStream();
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      s.connect(endpoint, timeout);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
      s.bind(local);
    }

    @Override
    public InetAddress getInetAddress() {
      return s.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
      return s.getLocalAddress();
    }

    @Override
    public int getPort() {
      return s.getPort();
    }

    @Override
    public int getLocalPort() {
      return s.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
      return s.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
      return s.getLocalSocketAddress();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
      s.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
      return s.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
      s.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
      return s.getSoLinger();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
      s.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
      return s.getSoTimeout();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
      s.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
      return s.getKeepAlive();
    }

    @Override
    public void close() throws IOException {
      s.close();
    }

    @Override
    public void shutdownInput() throws IOException {
      s.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
      s.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
      return s.isConnected();
    }

    @Override
    public boolean isBound() {
      return s.isBound();
    }

    @Override
    public boolean isClosed() {
      return s.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
      return s.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
      return s.isOutputShutdown();
    }

    @Override
    public String toString() {
      return "ReportingSocket[" + s + "]";
    }
  }

  /** The real session, but for the protocol and cipher suite it reports. */
  private final class ReportedSession implements SSLSession {
    private final SSLSession s;

    ReportedSession(SSLSession s) {
      this.s = s;
    }

    @Override
    public String getProtocol() {
      return protocol;
    }

    @Override
    public String getCipherSuite() {
      return cipherSuite;
    }

    @Override
    public byte[] getId() {
      return s.getId();
    }

    @Override
    public SSLSessionContext getSessionContext() {
      return s.getSessionContext();
    }

    @Override
    public long getCreationTime() {
      return s.getCreationTime();
    }

    @Override
    public long getLastAccessedTime() {
      return s.getLastAccessedTime();
    }

    @Override
    public void invalidate() {
      s.invalidate();
    }

    @Override
    public boolean isValid() {
      return s.isValid();
    }

    @Override
    public void putValue(String name, Object value) {
      s.putValue(name, value);
    }

    @Override
    public Object getValue(String name) {
      return s.getValue(name);
    }

    @Override
    public void removeValue(String name) {
      s.removeValue(name);
    }

    @Override
    public String[] getValueNames() {
      return s.getValueNames();
    }

    @Override
    public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
      return s.getPeerCertificates();
    }

    @Override
    public Certificate[] getLocalCertificates() {
      return s.getLocalCertificates();
    }

    @Override
    public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
      return s.getPeerPrincipal();
    }

    @Override
    public Principal getLocalPrincipal() {
      return s.getLocalPrincipal();
    }

    @Override
    public String getPeerHost() {
      return s.getPeerHost();
    }

    @Override
    public int getPeerPort() {
      return s.getPeerPort();
    }

    @Override
    public int getPacketBufferSize() {
      return s.getPacketBufferSize();
    }

    @Override
    public int getApplicationBufferSize() {
      return s.getApplicationBufferSize();
    }
  }
}
