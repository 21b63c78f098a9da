package dev.keyguard.bench;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Redactor;
import dev.keyguard.RedactorOptions;
import dev.keyguard.Secret;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code Redactor.redact()} on 1 KiB log lines against the two usual alternatives, in the same run:
 * one regex alternation of all quoted secrets, and a {@code String.replace} loop.
 *
 * <p>Input: 64 distinct pseudo-random log lines of exactly 1024 ASCII chars (timestamps, levels,
 * logger names, words, key=value pairs, JSON fragments, hex ids, UUIDs); one line in 16 carries one
 * of the registered secrets in raw form. Secrets are random 40-char base64url strings, as API keys
 * usually are. Each invocation redacts one line; throughput × 1024 bytes gives MB/s.
 *
 * <p>The comparison favours the baselines: they look for the raw form only, while the redactor also
 * matches every URL-encoded, JSON, hex and base64 form of every secret (about 10 patterns per
 * secret) and, in {@link #keyguard()}, the well-known formats (AKIA…, JWT, {@code api_key=}…).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RedactBenchmark {

  /** The line length, in chars (ASCII, so also bytes). */
  public static final int LINE_LENGTH = 1024;

  private static final int LINES = 64;
  private static final String MARKER = "[REDACTED]";

  /** The number of registered secrets. */
  @Param({"1", "3", "10", "100", "1000"})
  public int secrets;

  private String[] lines;
  private String[] values;
  private Redactor redactor;
  private Redactor redactorWithoutKnownFormats;
  private Pattern alternation;
  private int next;

  /** Generates the secrets and lines and builds the three redactors. */
  @Setup
  public void setUp() {
    Random random = new Random(42);
    List<Secret> secretList = new ArrayList<>();
    values = new String[secrets];
    for (int i = 0; i < secrets; i++) {
      byte[] bytes = new byte[30];
      random.nextBytes(bytes);
      Secret secret = Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
      secretList.add(secret);
      values[i] = secret.value(InsecureSecretAccess.get());
    }
    redactor = Redactor.isolated();
    redactor.registerAll(secretList);
    redactorWithoutKnownFormats =
        Redactor.isolated(RedactorOptions.builder().knownFormats(false).build());
    redactorWithoutKnownFormats.registerAll(secretList);
    alternation =
        Pattern.compile(
            java.util.Arrays.stream(values).map(Pattern::quote).collect(Collectors.joining("|")));
    lines = new String[LINES];
    for (int i = 0; i < LINES; i++) {
      lines[i] =
          LogLines.line(random, LINE_LENGTH, i % 16 == 0 ? values[random.nextInt(secrets)] : null);
    }
    // sanity: all three agree that the secret-carrying lines change and the others do not
    for (String line : lines) {
      boolean hasSecret = alternation.matcher(line).find();
      if (hasSecret == redactorWithoutKnownFormats.redact(line).equals(line)) {
        throw new IllegalStateException("redactor and regex disagree on a line");
      }
    }
  }

  private String nextLine() {
    return lines[next++ & (LINES - 1)];
  }

  /**
   * KeyGuard, with the well-known formats net on (the default).
   *
   * @return the redacted line
   */
  @Benchmark
  public String keyguard() {
    return redactor.redact(nextLine());
  }

  /**
   * KeyGuard, registered secrets only.
   *
   * @return the redacted line
   */
  @Benchmark
  public String keyguardSecretsOnly() {
    return redactorWithoutKnownFormats.redact(nextLine());
  }

  /**
   * Baseline: {@code Pattern.compile(quote(s1) + "|" + quote(s2) + ...)}, {@code replaceAll}.
   *
   * @return the redacted line
   */
  @Benchmark
  public String regexAlternation() {
    return alternation.matcher(nextLine()).replaceAll(Matcher.quoteReplacement(MARKER));
  }

  /**
   * Baseline: {@code line = line.replace(secret, marker)} for every secret.
   *
   * @return the redacted line
   */
  @Benchmark
  public String stringReplaceLoop() {
    String line = nextLine();
    for (String value : values) {
      line = line.replace(value, MARKER);
    }
    return line;
  }
}
