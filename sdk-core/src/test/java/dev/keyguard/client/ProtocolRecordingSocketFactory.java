package dev.keyguard.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Wraps a socket factory so that every socket starts with TLS 1.1 enabled, and records the sockets:
 * whatever protocols remain enabled afterwards were chosen by the client's connection spec, not by
 * the factory or the JDK defaults.
 */
final class ProtocolRecordingSocketFactory extends SSLSocketFactory {

  private final SSLSocketFactory delegate;
  final List<SSLSocket> sockets = new CopyOnWriteArrayList<>();

  ProtocolRecordingSocketFactory(SSLSocketFactory delegate) {
    this.delegate = delegate;
  }

  private Socket record(Socket s) {
    SSLSocket ssl = (SSLSocket) s;
    ssl.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2", "TLSv1.1"});
    sockets.add(ssl);
    return ssl;
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
    return record(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return record(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return record(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return record(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return record(delegate.createSocket(address, port, localAddress, localPort));
  }
}
