package dev.keyguard.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for the Kubernetes API server's TokenReview endpoint ({@code POST
 * /apis/authentication.k8s.io/v1/tokenreviews}), so OpenBao's Kubernetes auth method can log a
 * service account in without a cluster. It issues one service-account JWT (RS256, signed with a key
 * made at run time; OpenBao checks it through the review, not the signature) and answers reviews of
 * exactly that token as authenticated for the service account, any other token as not.
 */
final class TokenReviewStub implements AutoCloseable {

  static final String NAMESPACE = "apps";
  static final String SERVICE_ACCOUNT = "market-data";
  static final String UID = "3f1e7c0a-5b52-4c7e-9d34-6a1f0b2c9e11";

  private final HttpServer server;
  private final Secret jwt;
  private final AtomicInteger reviews = new AtomicInteger();

  TokenReviewStub() throws IOException {
    this.jwt = serviceAccountJwt();
    Redactor.global().register(jwt);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/apis/authentication.k8s.io/v1/tokenreviews",
        exchange -> {
          JsonNode review = OpenBaoServer.JSON.readTree(exchange.getRequestBody());
          String token = review.path("spec").path("token").asText("");
          boolean known = token.equals(jwt.value(InsecureSecretAccess.get()));
          reviews.incrementAndGet();
          Map<String, Object> status =
              known
                  ? Map.of(
                      "authenticated",
                      true,
                      "user",
                      Map.of(
                          "username",
                          "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT,
                          "uid",
                          UID,
                          "groups",
                          new String[] {"system:serviceaccounts"}))
                  : Map.of("authenticated", false, "error", "invalid bearer token");
          byte[] body =
              OpenBaoServer.JSON.writeValueAsBytes(
                  Map.of(
                      "apiVersion", "authentication.k8s.io/v1",
                      "kind", "TokenReview",
                      "status", status));
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(201, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /** The Kubernetes host to configure in OpenBao: {@code http://127.0.0.1:PORT}. */
  String host() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The service-account token the stub accepts. */
  Secret jwt() {
    return jwt;
  }

  int reviews() {
    return reviews.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static Secret serviceAccountJwt() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair pair = g.generateKeyPair();
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String header =
          b64.encodeToString(
              "{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
      String claims =
          b64.encodeToString(
              OpenBaoServer.JSON.writeValueAsBytes(
                  Map.of(
                      "iss",
                      "kubernetes/serviceaccount",
                      "sub",
                      "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT,
                      "kubernetes.io/serviceaccount/namespace",
                      NAMESPACE,
                      "kubernetes.io/serviceaccount/secret.name",
                      SERVICE_ACCOUNT + "-token",
                      "kubernetes.io/serviceaccount/service-account.name",
                      SERVICE_ACCOUNT,
                      "kubernetes.io/serviceaccount/service-account.uid",
                      UID)));
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(pair.getPrivate());
      rsa.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
      return Secret.of(header + "." + claims + "." + b64.encodeToString(rsa.sign()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not make the test service-account token", e);
    }
  }
}
