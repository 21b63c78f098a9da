package dev.keyguard.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import reactor.core.publisher.Mono;

/** The real SDK pieces the tests point at the emulator. */
final class AzureTestSupport {

  private AzureTestSupport() {}

  /** A static token, as a test's stand-in for Entra ID; records the scopes it was asked for. */
  static final class StaticTokenCredential implements TokenCredential {
    private final String token;
    final List<String> scopes = new CopyOnWriteArrayList<>();

    StaticTokenCredential(String token) {
      this.token = token;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      scopes.addAll(request.getScopes());
      return Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
    }

    @Override
    public String toString() {
      return "StaticTokenCredential";
    }
  }

  /**
   * KeyGuard's rule that no text is written twice in an exception chain: the mapped exception's
   * message repeats no 48-character run of its cause's message. (main's {@code
   * ExceptionTextAssertions.assertNoRepeatedText} in keyguard-testing checks the same, and more; it
   * came after this branch started: use it once merged.)
   */
  static void assertNoRepeatedText(Throwable mapped) {
    Throwable cause = mapped.getCause();
    if (cause == null || cause.getMessage() == null || mapped.getMessage() == null) {
      return;
    }
    String inner = cause.getMessage().strip();
    for (int start = 0; start + 48 <= inner.length(); start++) {
      if (mapped.getMessage().contains(inner.substring(start, start + 48))) {
        throw new AssertionError(
            mapped.getClass().getName()
                + " repeats 48 characters of its cause's message at index "
                + start
                + " of the cause's message");
      }
    }
  }

  /** The SDK's Netty client, trusting the emulator's certificate and nothing else. */
  static HttpClient httpClient(KeyVaultEmulator emulator) {
    SslContext ssl;
    try {
      ssl = SslContextBuilder.forClient().trustManager(emulator.trustManager()).build();
    } catch (SSLException e) {
      throw new UncheckedIOException(e);
    }
    reactor.netty.http.client.HttpClient netty =
        reactor.netty.http.client.HttpClient.create().secure(spec -> spec.sslContext(ssl));
    return new NettyAsyncHttpClientBuilder(netty)
        .connectTimeout(Duration.ofSeconds(2))
        .responseTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * A clock for the emulator that moves one second per reading, from now: Key Vault stamps versions
   * in whole seconds, and versions set in the same second could not be told apart by their creation
   * time (in a real vault rotations are further apart).
   */
  static Supplier<Instant> oneSecondPerWrite() {
    AtomicLong seconds = new AtomicLong(Instant.now().getEpochSecond());
    return () -> Instant.ofEpochSecond(seconds.incrementAndGet());
  }

  /** Two quick SDK retries, so a test of a failing vault does not wait on the default backoff. */
  static RetryOptions quickRetries() {
    return new RetryOptions(new FixedDelayOptions(2, Duration.ofMillis(20)));
  }

  /** The provider's builder on the emulator, with a token for {@code role}. */
  static AzureKeyVaultKeyProvider.Builder provider(
      KeyVaultEmulator emulator, KeyVaultEmulator.Role role) {
    return AzureKeyVaultKeyProvider.builder()
        .vaultUrl(emulator.vaultUrl())
        .credential(new StaticTokenCredential(emulator.issueToken(role)))
        .httpClient(httpClient(emulator))
        .retryOptions(quickRetries())
        .disableChallengeResourceVerificationForTesting();
  }

  /**
   * A SecretClient with the Secrets Officer role, for the tests to set up secrets. Its log options
   * are set explicitly (HEADERS): the test JVM runs with AZURE_HTTP_LOG_DETAIL_LEVEL at
   * BODY_AND_HEADERS, which would otherwise make this client log the values it sets.
   */
  static SecretClient admin(KeyVaultEmulator emulator) {
    return new SecretClientBuilder()
        .vaultUrl(emulator.vaultUrl())
        .credential(
            new StaticTokenCredential(emulator.issueToken(KeyVaultEmulator.Role.SECRETS_OFFICER)))
        .httpClient(httpClient(emulator))
        .httpLogOptions(new HttpLogOptions().setLogLevel(HttpLogDetailLevel.HEADERS))
        .retryOptions(quickRetries())
        .disableChallengeResourceVerification()
        .buildClient();
  }
}
