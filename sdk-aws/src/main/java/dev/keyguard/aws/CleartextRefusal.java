package dev.keyguard.aws;

import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * The last check before a Secrets Manager request leaves: {@code https}, or {@code http} to a
 * loopback address (an emulator). {@code endpointOverride(...)} checks what the builder was given;
 * this catches what else can set the endpoint: a {@code clientCustomizer}, the SDK's {@code
 * AWS_ENDPOINT_URL} / {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} variables and profile settings, or
 * an endpoint provider. It runs after every interceptor has modified the request (SDK {@code
 * beforeTransmission}), and its refusal becomes an {@link
 * dev.keyguard.client.InsecureTransportException}.
 */
final class CleartextRefusal implements ExecutionInterceptor {

  /** Thrown from the SDK's pipeline when a request would go out in cleartext; never retried. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final Set<String> cleartextHostsForTesting;

  CleartextRefusal(Set<String> cleartextHostsForTesting) {
    this.cleartextHostsForTesting = Set.copyOf(cleartextHostsForTesting);
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
    SdkHttpRequest request = context.httpRequest();
    String refusal = refusal(request.protocol(), request.host(), cleartextHostsForTesting);
    if (refusal != null) {
      throw new Refused(
          "refused to call AWS Secrets Manager at "
              + request.protocol()
              + "://"
              + request.host()
              + ":"
              + request.port()
              + ": "
              + refusal);
    }
  }

  /**
   * Why a request to {@code scheme://host} must not be sent, or null if it may: https always, http
   * only to a loopback address or a host allowed for a test.
   */
  static @Nullable String refusal(
      @Nullable String scheme, @Nullable String host, Set<String> cleartextHostsForTesting) {
    String s = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    if (s.equals("https")) {
      return null;
    }
    if (s.equals("http")
        && host != null
        && (isLoopback(host) || cleartextHostsForTesting.contains(host.toLowerCase(Locale.ROOT)))) {
      return null;
    }
    return "secrets would cross the network in cleartext (only https, or http to a loopback"
        + " address for an emulator); check clientCustomizer, AWS_ENDPOINT_URL,"
        + " AWS_ENDPOINT_URL_SECRETS_MANAGER and the profile's endpoint_url";
  }

  /** {@code localhost}, {@code 127.x.x.x} or {@code ::1}, by name: never by what it resolves to. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost")
        || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }
}
