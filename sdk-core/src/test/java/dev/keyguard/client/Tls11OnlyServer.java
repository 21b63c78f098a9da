package dev.keyguard.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A TLS server that speaks only TLS 1.1, at the byte level: it reads the client's ClientHello and
 * answers with a ServerHello that selects TLS 1.1 (0x0302). The JDK cannot serve TLS 1.1 any more
 * (it is in {@code jdk.tls.disabledAlgorithms}), so this is what a legacy server looks like on the
 * wire up to the point where a client must refuse. It also reports the versions the client offered.
 * Serves one connection.
 */
final class Tls11OnlyServer implements AutoCloseable {

  static final int TLS_1_1 = 0x0302;

  private final ServerSocket serverSocket;
  private final CompletableFuture<List<Integer>> offeredVersions = new CompletableFuture<>();
  private final Thread thread;

  Tls11OnlyServer() throws IOException {
    serverSocket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    thread = new Thread(this::serveOne, "tls11-only-server");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return serverSocket.getLocalPort();
  }

  /** The protocol versions the client offered (supported_versions, else the legacy version). */
  CompletableFuture<List<Integer>> offeredVersions() {
    return offeredVersions;
  }

  private void serveOne() {
    try (Socket socket = serverSocket.accept()) {
      socket.setSoTimeout(5_000);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] header = new byte[5];
      in.readFully(header);
      if (header[0] != 0x16) {
        throw new IOException("not a TLS handshake record");
      }
      int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
      byte[] record = new byte[length];
      in.readFully(record);
      ByteBuffer hello = ByteBuffer.wrap(record);
      byte[] sessionId = parseClientHello(hello);
      OutputStream out = socket.getOutputStream();
      out.write(serverHello(sessionId));
      out.flush();
      // wait for the client's alert and close
      while (in.read() != -1) {
        // drain
      }
    } catch (IOException | RuntimeException e) {
      offeredVersions.completeExceptionally(e);
    }
  }

  private byte[] parseClientHello(ByteBuffer b) throws IOException {
    if (b.get() != 0x01) {
      throw new IOException("not a ClientHello");
    }
    b.position(b.position() + 3); // handshake length
    int legacyVersion = b.getShort() & 0xffff;
    b.position(b.position() + 32); // random
    byte[] sessionId = new byte[b.get() & 0xff];
    b.get(sessionId);
    b.position(b.position() + (b.getShort() & 0xffff)); // cipher suites
    b.position(b.position() + (b.get() & 0xff)); // compression methods
    List<Integer> versions = new ArrayList<>();
    if (b.remaining() >= 2) {
      int end = b.position() + (b.getShort() & 0xffff);
      while (b.position() < end) {
        int type = b.getShort() & 0xffff;
        int len = b.getShort() & 0xffff;
        if (type == 0x002b) { // supported_versions
          int listLen = b.get() & 0xff;
          for (int i = 0; i < listLen / 2; i++) {
            versions.add(b.getShort() & 0xffff);
          }
        } else {
          b.position(b.position() + len);
        }
      }
    }
    if (versions.isEmpty()) {
      versions.add(legacyVersion);
    }
    offeredVersions.complete(versions);
    return sessionId;
  }

  private static byte[] serverHello(byte[] sessionId) {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + sessionId.length + 2 + 1);
    body.putShort((short) TLS_1_1);
    body.put(random);
    body.put((byte) sessionId.length).put(sessionId);
    body.putShort((short) 0xC013); // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    body.put((byte) 0); // no compression, no extensions
    int bodyLength = body.position();
    ByteBuffer record = ByteBuffer.allocate(5 + 4 + bodyLength);
    record.put((byte) 0x16).putShort((short) TLS_1_1).putShort((short) (4 + bodyLength));
    record.put((byte) 0x02).put((byte) 0).putShort((short) bodyLength);
    record.put(body.array(), 0, bodyLength);
    return record.array();
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
  }
}
