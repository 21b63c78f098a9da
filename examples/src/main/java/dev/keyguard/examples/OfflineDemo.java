package dev.keyguard.examples;

import dev.keyguard.EnvironmentMismatchException;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.ApiRequest;
import dev.keyguard.client.ApiResponse;
import dev.keyguard.client.HttpLogger;
import dev.keyguard.client.InsecureTransportException;
import dev.keyguard.client.InsufficientScopeException;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.examples.DemoSummary.Check;
import dev.keyguard.examples.DemoSummary.Guarantee;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.logging.RedactingLogger;
import dev.keyguard.provider.FileKeyProvider;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The offline demo: everything runs in this process on 127.0.0.1, and every claim it makes is
 * checked; {@link #run(PrintStream, Map)} returns what held.
 *
 * <p>While it runs, {@code System.out} and {@code System.err} are routed to the given stream, so
 * that the log lines (slf4j-simple writes to {@code System.out}, see {@code
 * simplelogger.properties}) are part of the output the demo checks for the key.
 */
final class OfflineDemo {

  /** The environment variable with the initial key; a random key is generated without it. */
  static final String INITIAL_KEY_VARIABLE = "DEMO_API_KEY";

  static final String KEY_NAME = "market-data";

  private static final String API_BASE_PATH = "/v2";

  /** An application logger: what a service of the application would use. */
  private static final String APPLICATION_LOGGER = "com.example.prices.PriceFeed";

  private final PrintStream out;
  private final RecordingOutputStream recording;
  private final Map<String, String> env;
  private final SecureRandom random = new SecureRandom();
  private final List<Check> checks = new ArrayList<>();
  private final List<KeyEvent> events = new CopyOnWriteArrayList<>();

  // the key values, kept only to check that they appear nowhere; never printed
  private final List<String> keyValues = new ArrayList<>();

  private int calls;
  private int marketCalls;
  private int plainConnections;
  private String usageSummary = "usage: not measured";
  private String fingerprintBefore = "none";
  private String fingerprintAfter = "none";
  private boolean initialKeyFromEnvironment;

  private OfflineDemo(PrintStream out, RecordingOutputStream recording, Map<String, String> env) {
    this.out = out;
    this.recording = recording;
    this.env = env;
  }

  /**
   * Runs the demo start to finish and reports what held.
   *
   * @param target where the narrative and the log lines go
   * @param env the environment ({@value #INITIAL_KEY_VARIABLE} is read from it)
   * @return the summary; {@link DemoSummary#exitStatus()} is 0 only if every guarantee held
   */
  static DemoSummary run(PrintStream target, Map<String, String> env) {
    RecordingOutputStream recording = new RecordingOutputStream(target);
    PrintStream console = new PrintStream(recording, true, StandardCharsets.UTF_8);
    PrintStream systemOut = System.out;
    PrintStream systemErr = System.err;
    System.setOut(console);
    System.setErr(console);
    try {
      return new OfflineDemo(console, recording, env).run();
    } finally {
      console.flush();
      System.setOut(systemOut);
      System.setErr(systemErr);
    }
  }

  private DemoSummary run() {
    out.println("KeyGuard demo (offline: everything runs in this process, on 127.0.0.1)");
    out.println();

    String initialKey;
    String fromEnv = env.get(INITIAL_KEY_VARIABLE);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      String problem = validateKey(fromEnv);
      if (problem != null) {
        out.println(INITIAL_KEY_VARIABLE + " is set but not usable as the demo's key: " + problem);
        out.println("Nothing was run: exit status 1.");
        return new DemoSummary(0, 0, 0, 0, 0, 0, "none", "none", true, List.of());
      }
      initialKey = fromEnv;
      initialKeyFromEnvironment = true;
    } else {
      initialKey = randomKey();
    }
    keyValues.add(initialKey);
    fingerprintBefore = Secret.of(initialKey).fingerprint();

    DemoCertificates certificates = DemoCertificates.generate();
    try (DemoMarketDataServer market = DemoMarketDataServer.start(certificates, API_BASE_PATH);
        OtherOriginServer otherOrigin = OtherOriginServer.start(certificates);
        ServerSocketChannel plainListener = openPlainListener();
        SecretDirectory secrets = SecretDirectory.createTemp()) {
      market.acceptOnly(initialKey.getBytes(StandardCharsets.UTF_8));
      secrets.write(KEY_NAME, initialKey.getBytes(StandardCharsets.UTF_8));

      out.println("1. A local HTTPS market-data API that requires an x-api-key header");
      out.println("   " + market.origin() + API_BASE_PATH + "/price?symbol=...");
      out.println(
          "   Its certificate was generated at start by a throw-away demo CA. The client trusts");
      out.println("   that CA and nothing else (an OkHttpClient with that trust; no trust-all).");
      out.println();
      out.println("2. The key source: a mounted secret directory, as Kubernetes projects a Secret");
      out.println("   " + secrets.fileOf(KEY_NAME) + (secrets.ownerOnly() ? "  (mode 600)" : ""));
      out.println(
          "   initial key "
              + fingerprintBefore
              + ", "
              + (initialKeyFromEnvironment
                  ? "taken from " + INITIAL_KEY_VARIABLE
                  : "generated at random (set " + INITIAL_KEY_VARIABLE + " to choose it)"));
      out.println();

      try (KeyManager keys =
          KeyManager.builder()
              .provider(FileKeyProvider.forDirectory(secrets.path()))
              .refreshAfter(Duration.ofMinutes(10))
              .listener(this::onKeyEvent)
              .build()) {
        ManagedKey key = keys.key(KeyId.of(KEY_NAME));
        HandshakeCertificates trust = certificates.clientTrust();
        OkHttpClient trusting =
            new OkHttpClient.Builder()
                .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
                .build();
        KeyGuardClient client =
            KeyGuardClient.builder()
                .baseUrl(market.origin() + API_BASE_PATH)
                .managedKey(key)
                .authScheme(AuthSchemes.header("x-api-key"))
                .okHttpClient(trusting)
                .callTimeout(Duration.ofSeconds(15))
                .build();

        step(EnumSet.of(Guarantee.PRICES_FETCHED), () -> fetchPrices(client, market));
        step(
            EnumSet.of(Guarantee.ROTATION_SURVIVED_WITH_ONE_RETRY, Guarantee.NEW_KEY_SENT_FIRST),
            () -> rotate(client, market, secrets));
        step(
            EnumSet.of(Guarantee.CLEARTEXT_REFUSED, Guarantee.HTTPS_TO_HTTP_REDIRECT_REFUSED),
            () -> refuseCleartext(client, market, plainListener));
        step(
            EnumSet.of(Guarantee.CROSS_ORIGIN_REDIRECT_CARRIES_NO_KEY),
            () -> redirectToOtherOrigin(client, market, otherOrigin));
        step(EnumSet.of(Guarantee.APPLICATION_LOG_REDACTED), () -> applicationLogsTheKey(key));
        step(
            EnumSet.of(Guarantee.SCOPE_REFUSED, Guarantee.ENVIRONMENT_REFUSED),
            () -> leastPrivilegeAndEnvironments(client, market, secrets));
        step(EnumSet.of(Guarantee.USAGE_ALERT_RAISED), () -> rejectionBurst(client, market, key));
        usageSummary = client.usage().summary();
        trusting.dispatcher().executorService().shutdown();
        trusting.connectionPool().evictAll();
      }
      return summary(market, otherOrigin, market.attempts());
    } catch (IOException | RuntimeException e) {
      out.println("The demo could not run: " + describe(e));
      return summary(null, null, List.of());
    }
  }

  // ------------------------------------------------------------------------------------- steps

  private void fetchPrices(KeyGuardClient client, DemoMarketDataServer market) {
    out.println(
        "3. Prices through KeyGuardClient (KeyManager + FileKeyProvider, header x-api-key)");
    int before = market.attempts().size();
    List<String> symbols = List.of("BTC", "ETH", "SOL");
    for (String symbol : symbols) {
      Price price = call(() -> client.get("/price", Map.of("symbol", symbol), Price.class));
      out.printf("   %-4s %12s USD%n", price.symbol(), price.priceUsd().toPlainString());
    }
    List<DemoMarketDataServer.Attempt> seen = since(market, before);
    boolean held =
        seen.size() == symbols.size()
            && seen.stream()
                .allMatch(a -> a.status() == 200 && a.keyFingerprint().equals(fingerprintBefore));
    record(
        Guarantee.PRICES_FETCHED,
        held,
        seen.size() + " requests, each with key " + fingerprintBefore + " and answered 200");
    out.println();
  }

  private void rotate(KeyGuardClient client, DemoMarketDataServer market, SecretDirectory secrets)
      throws IOException {
    out.println("4. Rotation in the middle of the run");
    String newKey = randomKey();
    keyValues.add(newKey);
    fingerprintAfter = Secret.of(newKey).fingerprint();
    market.acceptOnly(newKey.getBytes(StandardCharsets.UTF_8));
    secrets.write(KEY_NAME, newKey.getBytes(StandardCharsets.UTF_8));
    print(
        "The provider issued key "
            + fingerprintAfter
            + " and revoked "
            + fingerprintBefore
            + ": the API accepts only the new one from now on. The new key was written to the secret"
            + " directory ("
            + secrets.updateMethod()
            + "). The key manager would read it at its next"
            + " refresh, in 10 minutes; the next request comes first, with the old key:");
    int rotationsBefore = rotations();
    int before = market.attempts().size();
    Price price = call(() -> client.get("/price", Map.of("symbol", "BTC"), Price.class));
    List<DemoMarketDataServer.Attempt> seen = since(market, before);
    out.printf(
        "   %-4s %12s USD   (the server saw: %s)%n",
        price.symbol(), price.priceUsd().toPlainString(), describeAttempts(seen));
    boolean survived =
        seen.size() == 2
            && seen.get(0).status() == 401
            && seen.get(0).keyFingerprint().equals(fingerprintBefore)
            && seen.get(1).status() == 200
            && seen.get(1).keyFingerprint().equals(fingerprintAfter)
            && rotations() == rotationsBefore + 1
            && rotatedTo(fingerprintBefore, fingerprintAfter);
    record(
        Guarantee.ROTATION_SURVIVED_WITH_ONE_RETRY,
        survived,
        "the server saw "
            + describeAttempts(seen)
            + "; KeyRotated events: "
            + (rotations() - rotationsBefore));

    before = market.attempts().size();
    Price next = call(() -> client.get("/price", Map.of("symbol", "ETH"), Price.class));
    seen = since(market, before);
    out.printf(
        "   %-4s %12s USD   (the server saw: %s)%n",
        next.symbol(), next.priceUsd().toPlainString(), describeAttempts(seen));
    record(
        Guarantee.NEW_KEY_SENT_FIRST,
        seen.size() == 1
            && seen.get(0).status() == 200
            && seen.get(0).keyFingerprint().equals(fingerprintAfter),
        "the next call: " + describeAttempts(seen));
    out.println();
  }

  private void refuseCleartext(
      KeyGuardClient client, DemoMarketDataServer market, ServerSocketChannel plainListener)
      throws IOException {
    out.println("5. Cleartext is refused");
    String plainOrigin =
        "http://127.0.0.1:" + ((InetSocketAddress) plainListener.getLocalAddress()).getPort();
    out.println(
        "   A plain TCP listener (ServerSocket) waits on "
            + plainOrigin
            + " and counts connections.");

    // a client for an http base URL cannot be built at all
    try {
      client.toBuilder().baseUrl(plainOrigin + API_BASE_PATH).build();
      out.println("   ! a client for " + plainOrigin + " was built");
    } catch (IllegalStateException e) {
      print("client.toBuilder().baseUrl(\"" + plainOrigin + API_BASE_PATH + "\").build()");
      printOutcome("IllegalStateException: " + e.getMessage());
    }

    // an absolute http URL (a "next page" link, say) sent through the client's OkHttpClient
    String nextPage = plainOrigin + API_BASE_PATH + "/price?symbol=BTC&page=2";
    calls++;
    KeyGuardException cleartext = null;
    print("GET " + nextPage + " through client.okHttpClient()");
    try (Response response =
        client.okHttpClient().newCall(new Request.Builder().url(nextPage).build()).execute()) {
      printOutcome("! HTTP " + response.code());
    } catch (IOException e) {
      cleartext = e.getCause() instanceof KeyGuardException k ? k : null;
      printOutcome(describe(cleartext != null ? cleartext : e));
    }
    int afterDirect = countConnections(plainListener);

    // a redirect from the https API to an http URL
    market.legacyTo(nextPage);
    int before = market.attempts().size();
    marketCalls++;
    calls++;
    KeyGuardException downgrade = null;
    print("GET " + client.baseUrl() + "/legacy-price, which answers 301 Location: " + nextPage);
    try {
      client.get("/legacy-price", String.class);
      printOutcome("! the redirect was followed");
    } catch (KeyGuardException e) {
      downgrade = e;
      printOutcome(describe(e));
    }
    List<DemoMarketDataServer.Attempt> seen = since(market, before);
    int afterRedirect = countConnections(plainListener);
    plainConnections += afterDirect + afterRedirect;
    out.println(
        "   The plain listener accepted " + (afterDirect + afterRedirect) + " connections.");
    record(
        Guarantee.CLEARTEXT_REFUSED,
        cleartext instanceof InsecureTransportException && afterDirect == 0,
        (cleartext == null ? "no KeyGuard exception" : cleartext.getClass().getSimpleName())
            + ", "
            + afterDirect
            + " connections to the plain listener");
    record(
        Guarantee.HTTPS_TO_HTTP_REDIRECT_REFUSED,
        downgrade instanceof InsecureTransportException
            && afterRedirect == 0
            && seen.size() == 1
            && seen.get(0).status() == 301,
        (downgrade == null ? "no KeyGuard exception" : downgrade.getClass().getSimpleName())
            + " after "
            + describeAttempts(seen)
            + ", "
            + afterRedirect
            + " connections to the plain listener");
    out.println();
  }

  private void redirectToOtherOrigin(
      KeyGuardClient client, DemoMarketDataServer market, OtherOriginServer otherOrigin) {
    out.println("6. A redirect to another origin");
    String target = otherOrigin.origin() + API_BASE_PATH + "/price?symbol=BTC";
    market.movedTo(target);
    int before = market.attempts().size();
    int otherBefore = otherOrigin.received().size();
    print("GET " + client.baseUrl() + "/moved?symbol=BTC, which answers 302 Location: " + target);
    print("With KeyGuard's HttpLogger at HEADERS on this call (what the client sent, hop by hop):");
    AuthScheme scheme = AuthSchemes.header("x-api-key");
    KeyGuardClient logged =
        client.toBuilder()
            .authScheme(scheme)
            .loggingInterceptor(
                HttpLogger.builder()
                    .level(HttpLogger.Level.HEADERS)
                    .allowQueryParameter("symbol")
                    .authScheme(scheme)
                    .build())
            .build();
    ApiResponse<MirrorPrice> response =
        call(() -> logged.getResponse("/moved", Map.of("symbol", "BTC"), MirrorPrice.class));
    List<DemoMarketDataServer.Attempt> seen = since(market, before);
    List<OtherOriginServer.Received> received =
        otherOrigin.received().subList(otherBefore, otherOrigin.received().size());
    out.println("   hop 1, " + market.origin() + ": " + describeAttempts(seen));
    boolean noKey = !received.isEmpty();
    for (OtherOriginServer.Received r : received) {
      out.println("   hop 2, " + otherOrigin.origin() + " received " + r.rawUri());
      out.println("          headers received: " + String.join(", ", r.headers().keySet()));
      noKey &=
          !r.headers().containsKey("x-api-key")
              && !r.headers().containsKey("authorization")
              && !r.headers().containsKey("cookie");
      for (String value : keyValues) {
        noKey &= LeakScan.find(r.rawUri(), value).isEmpty();
        for (List<String> headerValues : r.headers().values()) {
          for (String headerValue : headerValues) {
            noKey &= LeakScan.find(headerValue, value).isEmpty();
          }
        }
      }
    }
    MirrorPrice price = Objects.requireNonNull(response.body(), "the mirror answers with a price");
    out.printf("   KeyGuard followed the redirect and sent no credential to the other origin:%n");
    out.printf("   no x-api-key, no Authorization, no key in any header or in the URL.%n");
    out.printf(
        "   result: HTTP %d, %s %s USD from the %s%n",
        response.status(), price.symbol(), price.priceUsd().toPlainString(), price.source());
    record(
        Guarantee.CROSS_ORIGIN_REDIRECT_CARRIES_NO_KEY,
        noKey
            && received.size() == 1
            && seen.size() == 1
            && seen.get(0).status() == 302
            && seen.get(0).keyFingerprint().equals(fingerprintAfter),
        "hop 1 carried "
            + (seen.isEmpty() ? "nothing" : seen.get(0).keyFingerprint())
            + "; the other origin received "
            + received.size()
            + " request(s), "
            + (noKey ? "none with a key" : "WITH A KEY"));
    out.println();
  }

  private void applicationLogsTheKey(ManagedKey key) {
    out.println("7. The application logs the key by mistake");
    print("Logger log = RedactingLogger.getLogger(PriceFeed.class); // the application's logger");
    print(
        "log.warn(\"price feed: retrying with api key {} (previous key {})\", current, previous);");
    VersionedCredential current = key.current();
    String currentValue = current.apiKey().value(InsecureSecretAccess.get());
    String previousValue = keyValues.get(0);
    Logger log = RedactingLogger.getLogger(APPLICATION_LOGGER);
    int mark = recording.size();
    log.warn("price feed: retrying with api key {} (previous key {})", currentValue, previousValue);
    out.flush();
    String logged = recording.recordedSince(mark);
    boolean redacted =
        LeakScan.find(logged, currentValue).isEmpty()
            && LeakScan.find(logged, previousValue).isEmpty()
            && logged.contains("REDACTED:" + current.apiKey().fingerprint());
    record(
        Guarantee.APPLICATION_LOG_REDACTED,
        redacted,
        redacted
            ? "the log line shows only REDACTED:" + current.apiKey().fingerprint()
            : "the log line was not redacted");
    out.println();
  }

  private void leastPrivilegeAndEnvironments(
      KeyGuardClient client, DemoMarketDataServer market, SecretDirectory secrets) {
    out.println("8. Least privilege and environments: refused before anything is sent");
    // the market-data key may read prices; placing orders needs a trading key, which this client
    // does not have
    KeyGuardClient scoped =
        client.toBuilder()
            .route("GET /price", "READ")
            .route("POST /orders", "TRADE")
            .keyScopes(KeyId.of(KEY_NAME), "READ")
            .build();
    print(
        "client.toBuilder().route(\"GET /price\", \"READ\").route(\"POST /orders\", \"TRADE\")"
            + ".keyScopes(KeyId.of(\""
            + KEY_NAME
            + "\"), \"READ\")");
    int before = market.attempts().size();
    InsufficientScopeException scope = null;
    print("POST " + client.baseUrl() + "/orders");
    try {
      scoped.send(ApiRequest.post("/orders", Map.of("symbol", "BTC")), String.class);
      printOutcome("! the order was sent");
    } catch (InsufficientScopeException e) {
      scope = e;
      printOutcome("InsufficientScopeException: " + e.getMessage());
    }
    int sentForOrder = since(market, before).size();
    record(
        Guarantee.SCOPE_REFUSED,
        scope != null && "TRADE".equals(scope.requiredScope()) && sentForOrder == 0,
        scope == null
            ? "the order was not refused"
            : "refused: "
                + scope.route()
                + " needs "
                + scope.requiredScope()
                + "; requests sent: "
                + sentForOrder);

    // the same key, served by a key manager that runs in prod, sent to a test network endpoint
    EnvironmentMismatchException environment = null;
    int beforeEnvironment = market.attempts().size();
    try (KeyManager prodKeys =
        KeyManager.builder()
            .provider(FileKeyProvider.forDirectory(secrets.path()))
            .environment("prod")
            .allowUntaggedCredentials(true)
            .build()) {
      KeyGuardClient testnet =
          scoped.toBuilder()
              .managedKey(prodKeys.key(KEY_NAME))
              .endpointEnvironment("testnet")
              .build();
      print(
          "KeyManager.builder().environment(\"prod\")...; client.toBuilder()"
              + ".endpointEnvironment(\"testnet\")");
      print("GET " + client.baseUrl() + "/price?symbol=BTC");
      try {
        testnet.get("/price", Map.of("symbol", "BTC"), Price.class);
        printOutcome("! the production key was sent to the test network");
      } catch (EnvironmentMismatchException e) {
        environment = e;
        printOutcome("EnvironmentMismatchException: " + e.getMessage());
      }
    }
    int sentForEnvironment = since(market, beforeEnvironment).size();
    record(
        Guarantee.ENVIRONMENT_REFUSED,
        environment != null && sentForEnvironment == 0,
        environment == null
            ? "the production key was not refused"
            : "refused before sending; requests sent: " + sentForEnvironment);
  }

  private void rejectionBurst(KeyGuardClient client, DemoMarketDataServer market, ManagedKey key) {
    out.println("9. The provider revokes the key: a burst of 401s");
    print(
        "The API now refuses every key (as after a revocation, or a rotation by the key's owner"
            + " after a leak). The client's usage monitor counts each 401 per key version and"
            + " route; 5 within a minute make one alert, logged once at WARN and sent to the key"
            + " manager's listeners with the key events. After the first 401 the key's rejection"
            + " circuit holds the next calls back without sending them (one probe per interval),"
            + " and the monitor counts those too.");
    byte[] nobody = new byte[32];
    random.nextBytes(nobody);
    market.acceptOnly(nobody);
    int mark = recording.size();
    int before = market.attempts().size();
    int refused = 0;
    for (int i = 0; i < 6; i++) {
      try {
        client.get("/price", Map.of("symbol", "BTC"), Price.class);
      } catch (KeyGuardException e) {
        refused++;
      }
    }
    // only the calls that reached the API count as calls in the summary
    int sent = market.attempts().size() - before;
    calls += sent;
    marketCalls += sent;
    print(sent + " sent and answered 401, " + (6 - sent) + " held back without being sent");
    out.flush();
    String logged = recording.recordedSince(mark);
    long warnings = logged.lines().filter(l -> l.contains("Usage alert REJECTION_BURST")).count();
    List<KeyEvent.UsageAlert> alerts =
        events.stream()
            .filter(KeyEvent.UsageAlert.class::isInstance)
            .map(KeyEvent.UsageAlert.class::cast)
            .filter(a -> a.anomaly() == KeyEvent.UsageAnomaly.REJECTION_BURST)
            .toList();
    boolean held = refused == 6 && warnings == 1 && alerts.size() == 1;
    record(
        Guarantee.USAGE_ALERT_RAISED,
        held,
        refused
            + " calls refused with 401, "
            + warnings
            + " WARN line(s), "
            + alerts.size()
            + " UsageAlert event(s)");
    // the provider accepts the current key again, so that nothing else is affected
    market.acceptOnly(
        key.current().apiKey().value(InsecureSecretAccess.get()).getBytes(StandardCharsets.UTF_8));
    out.println();
  }

  // ------------------------------------------------------------------------------- the summary

  private DemoSummary summary(
      @Nullable DemoMarketDataServer market,
      @Nullable OtherOriginServer otherOrigin,
      List<DemoMarketDataServer.Attempt> attempts) {
    int marketRequests = attempts.size();
    int otherRequests = otherOrigin == null ? 0 : otherOrigin.received().size();
    int keyRetries = Math.max(0, marketRequests - marketCalls);

    out.println("Checks");
    List<String> leakedForms = new ArrayList<>();
    for (String value : keyValues) {
      leakedForms.addAll(LeakScan.find(recording.recorded(), value));
    }
    record(
        Guarantee.KEY_NOT_IN_OUTPUT,
        leakedForms.isEmpty() && !recording.truncated() && market != null,
        leakedForms.isEmpty()
            ? keyValues.size() + " key values searched in " + recording.size() + " bytes of output"
            : "FOUND: " + String.join(", ", leakedForms));
    for (Guarantee g : Guarantee.values()) {
      Check check = checks.stream().filter(c -> c.guarantee() == g).findFirst().orElse(null);
      boolean held =
          check != null && checks.stream().noneMatch(c -> c.guarantee() == g && !c.held());
      out.println("   [" + (held ? " OK " : "FAIL") + "] " + g.description());
      if (!held) {
        out.println("          " + (check == null ? "not demonstrated" : check.detail()));
      }
    }
    out.println();
    DemoSummary summary =
        new DemoSummary(
            calls,
            marketRequests,
            otherRequests,
            plainConnections,
            keyRetries,
            rotations(),
            fingerprintBefore,
            fingerprintAfter,
            initialKeyFromEnvironment,
            checks);
    out.println("Summary");
    out.println(
        "   calls "
            + summary.calls()
            + ", HTTP requests "
            + summary.requests()
            + " (market API "
            + marketRequests
            + ", other origin "
            + otherRequests
            + ", plain listener "
            + plainConnections
            + ")");
    out.println(
        "   retries with a rotated key " + keyRetries + ", rotations " + summary.rotations());
    out.println(
        "   key before "
            + fingerprintBefore
            + ", after "
            + fingerprintAfter
            + (initialKeyFromEnvironment
                ? " (initial key from " + INITIAL_KEY_VARIABLE + ")"
                : ""));
    out.println();
    out.println("Usage (KeyGuardClient.usage().summary())");
    usageSummary.lines().forEach(line -> out.println("   " + line));
    out.println();
    out.println(
        summary.allHeld()
            ? "   every guarantee held: exit status 0"
            : "   A GUARANTEE DID NOT HOLD: exit status 1");
    return summary;
  }

  // ---------------------------------------------------------------------------------- helpers

  private interface Step {
    void run() throws Exception;
  }

  /** Runs a step; if it fails unexpectedly, the guarantees it had not yet checked fail. */
  private void step(Set<Guarantee> covers, Step body) {
    try {
      body.run();
    } catch (Exception e) {
      out.println("   unexpected " + describe(e));
      out.println();
      for (Guarantee g : covers) {
        if (checks.stream().noneMatch(c -> c.guarantee() == g)) {
          record(g, false, "step failed: " + describe(e));
        }
      }
    }
  }

  /** Prints a paragraph indented by three spaces, wrapped at 100 columns. */
  private void print(String text) {
    wrap("   ", "   ", text);
  }

  /** Prints the outcome of a call: an arrow, then the text wrapped under it. */
  private void printOutcome(String text) {
    wrap("     -> ", "        ", text);
  }

  private void wrap(String first, String next, String text) {
    StringBuilder line = new StringBuilder(first);
    boolean empty = true;
    for (String word : text.split(" ")) {
      if (word.isEmpty()) {
        continue;
      }
      if (!empty && line.length() + 1 + word.length() > 100) {
        out.println(line);
        line = new StringBuilder(next);
        empty = true;
      }
      if (!empty) {
        line.append(' ');
      }
      line.append(word);
      empty = false;
    }
    out.println(line);
  }

  private <T> T call(Supplier<T> call) {
    calls++;
    marketCalls++;
    return call.get();
  }

  private void record(Guarantee guarantee, boolean held, String detail) {
    checks.add(new Check(guarantee, held, detail));
  }

  private void onKeyEvent(KeyEvent event) {
    events.add(event);
    if (event instanceof KeyEvent.KeyRotated r) {
      out.println(
          "   event: KeyRotated "
              + r.keyId()
              + " "
              + r.oldFingerprint()
              + " -> "
              + r.newFingerprint()
              + versionNote(r.oldVersion(), r.oldFingerprint())
              + versionNote(r.newVersion(), r.newFingerprint()));
    } else if (event instanceof KeyEvent.KeyLoaded l) {
      out.println(
          "   event: KeyLoaded "
              + l.keyId()
              + " "
              + l.fingerprint()
              + versionNote(l.version(), l.fingerprint()));
    } else if (event instanceof KeyEvent.KeyRejected r) {
      out.println(
          "   event: KeyRejected "
              + r.keyId()
              + " "
              + r.fingerprint()
              + ", offered: "
              + r.resolution()
              + (r.replacementVersion() == null ? "" : " " + r.replacementVersion()));
    } else if (event instanceof KeyEvent.UsageAlert a) {
      out.println(
          "   event: UsageAlert "
              + a.anomaly()
              + " "
              + a.keyId()
              + " "
              + a.fingerprint()
              + " on "
              + a.route());
    } else {
      out.println("   event: " + event);
    }
  }

  /** FileKeyProvider versions are fingerprints; say the version only where it differs. */
  private static String versionNote(String version, String fingerprint) {
    return version.equals(fingerprint) ? "" : " (version " + version + ")";
  }

  private int rotations() {
    return (int) events.stream().filter(e -> e instanceof KeyEvent.KeyRotated).count();
  }

  private boolean rotatedTo(String from, String to) {
    return events.stream()
        .anyMatch(
            e ->
                e instanceof KeyEvent.KeyRotated r
                    && r.oldFingerprint().equals(from)
                    && r.newFingerprint().equals(to));
  }

  private static List<DemoMarketDataServer.Attempt> since(DemoMarketDataServer market, int before) {
    List<DemoMarketDataServer.Attempt> all = market.attempts();
    return all.subList(Math.min(before, all.size()), all.size());
  }

  private static String describeAttempts(List<DemoMarketDataServer.Attempt> attempts) {
    List<String> parts = new ArrayList<>();
    for (DemoMarketDataServer.Attempt a : attempts) {
      parts.add(a.keyFingerprint() + " -> " + a.status());
    }
    return parts.isEmpty() ? "no request" : String.join(", then ", parts);
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName()
        + (message == null ? "" : ": " + Redactor.global().redact(message));
  }

  private static ServerSocketChannel openPlainListener() throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open();
    channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    channel.configureBlocking(false);
    return channel;
  }

  /** Accepts (and closes) every connection made so far; without blocking. */
  private static int countConnections(ServerSocketChannel listener) throws IOException {
    int n = 0;
    SocketChannel accepted;
    while ((accepted = listener.accept()) != null) {
      accepted.close();
      n++;
    }
    return n;
  }

  /** A random key: 32 characters of URL-safe base64 from SecureRandom. */
  private String randomKey() {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return "kgdemo_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Why a value cannot be the demo's key, or null if it can. */
  static @Nullable String validateKey(String value) {
    if (value.length() < 16 || value.length() > 512) {
      return "it must be 16 to 512 characters long (it has " + value.length() + ")";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return "it must be printable ASCII without spaces (character " + (i + 1) + " is not)";
      }
    }
    if (value.charAt(0) == '{') {
      return "it must not start with '{' (the key file would be read as JSON)";
    }
    return null;
  }

  /** A price from the market-data API. */
  record Price(String symbol, BigDecimal priceUsd) {}

  /** A price from the other origin, which says where it came from. */
  record MirrorPrice(String symbol, BigDecimal priceUsd, String source) {}
}
