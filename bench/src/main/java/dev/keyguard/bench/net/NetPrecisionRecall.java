package dev.keyguard.bench.net;

import dev.keyguard.Redactor;
import dev.keyguard.RedactorOptions;
import dev.keyguard.internal.KnownFormats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Precision and recall of the known-formats net, before issue 9 ({@link BaselineKnownFormats}) and
 * now ({@link KnownFormats}, and the real {@link Redactor} as a cross-check), in one run.
 *
 * <p>Precision: every non-blank line of real log corpora (given as {@code name=path}, a file or a
 * folder read recursively) and of KeyGuard's own log and exception templates, filled with key ids
 * that hold keywords, is redacted; every changed line is a false positive unless it really holds a
 * credential (the corpora hold none: inspect them with {@code --show N}). Recall: generated keys in
 * the documented formats of the keys KeyGuard supports, each in a typical line; a key is caught
 * when the output no longer holds it.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.keyguard.bench.net.NetPrecisionRecall \
 *   [--seed 9] [--samples 1000] [--show 20] fail2ban=bench/target/corpora/fail2ban ...
 * </pre>
 */
public final class NetPrecisionRecall {

  private static final String ALNUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String HEX = "0123456789abcdef";
  private static final String B64URL = ALNUM + "-_";
  private static final String B64 = ALNUM + "+/";
  private static final String UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private NetPrecisionRecall() {}

  /** A way to redact a line. */
  interface Net {
    String redact(String line);
  }

  /**
   * Runs the harness.
   *
   * @param args options and corpora
   * @throws IOException if a corpus cannot be read
   */
  public static void main(String[] args) throws IOException {
    long seed = 9;
    int samples = 1000;
    int show = 0;
    Map<String, List<String>> corpora = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--samples" -> samples = Integer.parseInt(args[++i]);
        case "--show" -> show = Integer.parseInt(args[++i]);
        default -> {
          int eq = args[i].indexOf('=');
          corpora.put(args[i].substring(0, eq), readLines(Path.of(args[i].substring(eq + 1))));
        }
      }
    }
    corpora.put("keyguard-templates", OwnTemplates.lines());

    Map<String, Net> nets = new LinkedHashMap<>();
    nets.put(
        "before",
        new AnchorDriver(
                BaselineKnownFormats.anchors(),
                BaselineKnownFormats::match,
                BaselineKnownFormats::labelOf,
                BaselineKnownFormats.LABELS)
            ::redact);
    nets.put(
        "after",
        new AnchorDriver(
                KnownFormats.anchors(),
                KnownFormats::match,
                KnownFormats::labelOf,
                KnownFormats.LABELS)
            ::redact);
    Redactor redactor = Redactor.isolated(RedactorOptions.defaults());
    nets.put("after (Redactor)", redactor::redact);

    System.out.println("## Precision: lines changed in corpora without live credentials");
    System.out.println();
    System.out.println(
        "| corpus | lines | lines with a keyword or Bearer | "
            + String.join(" | ", nets.keySet())
            + " |");
    System.out.println("|---|---:|---:|" + "---:|".repeat(nets.size()));
    List<String> keywordAnchors = new ArrayList<>();
    for (int a = 0; a < KnownFormats.anchors().size(); a++) {
      String label = KnownFormats.LABELS.get(KnownFormats.labelOf(a));
      if (label.equals("credential") || label.equals("bearer-token")) {
        keywordAnchors.add(new String(KnownFormats.anchors().get(a)));
      }
    }
    Map<String, List<String[]>> shown = new LinkedHashMap<>();
    long[] totalChanged = new long[nets.size()];
    long totalLines = 0;
    long totalAnchored = 0;
    for (Map.Entry<String, List<String>> corpus : corpora.entrySet()) {
      long anchored =
          corpus.getValue().stream()
              .filter(l -> keywordAnchors.stream().anyMatch(l::contains))
              .count();
      totalAnchored += anchored;
      StringBuilder row =
          new StringBuilder(
              "| " + corpus.getKey() + " | " + corpus.getValue().size() + " | " + anchored);
      totalLines += corpus.getValue().size();
      int k = 0;
      for (Map.Entry<String, Net> net : nets.entrySet()) {
        long changed = 0;
        for (String line : corpus.getValue()) {
          String out = net.getValue().redact(line);
          if (!out.equals(line)) {
            changed++;
            List<String[]> list = shown.computeIfAbsent(net.getKey(), x -> new ArrayList<>());
            if (list.size() < show) {
              list.add(new String[] {corpus.getKey(), line, out});
            }
          }
        }
        totalChanged[k++] += changed;
        row.append(" | ")
            .append(changed)
            .append(String.format(" (%.2f %%)", 100.0 * changed / corpus.getValue().size()));
      }
      System.out.println(row.append(" |"));
    }
    StringBuilder total = new StringBuilder("| **all** | " + totalLines + " | " + totalAnchored);
    for (long c : totalChanged) {
      total.append(" | ").append(c).append(String.format(" (%.2f %%)", 100.0 * c / totalLines));
    }
    System.out.println(total.append(" |"));

    System.out.println();
    System.out.println(
        "## Recall: generated keys caught (seed " + seed + ", " + samples + " per row)");
    System.out.println();
    System.out.println("| format | " + String.join(" | ", nets.keySet()) + " |");
    System.out.println("|---|" + "---:|".repeat(nets.size()));
    SplittableRandom random = new SplittableRandom(seed);
    long[] caughtAll = new long[nets.size()];
    long all = 0;
    for (Map.Entry<String, IntFunction<String[]>> format : formats(random).entrySet()) {
      List<String[]> cases = new ArrayList<>();
      for (int i = 0; i < samples; i++) {
        cases.add(format.getValue().apply(i));
      }
      all += samples;
      StringBuilder row = new StringBuilder("| " + format.getKey());
      int k = 0;
      for (Map.Entry<String, Net> net : nets.entrySet()) {
        int caught = 0;
        for (String[] c : cases) {
          String out = net.getValue().redact(c[0]);
          if (!out.contains(c[1])) {
            caught++;
          } else if (show > 0) {
            List<String[]> missed =
                shown.computeIfAbsent("missed " + net.getKey(), x -> new ArrayList<>());
            if (missed.size() < show) {
              missed.add(new String[] {format.getKey(), c[0], out});
            }
          }
        }
        caughtAll[k++] += caught;
        row.append(" | ").append(String.format("%.1f %%", 100.0 * caught / samples));
      }
      System.out.println(row.append(" |"));
    }
    StringBuilder recall = new StringBuilder("| **all** ");
    for (long c : caughtAll) {
      recall.append(" | ").append(String.format("**%.1f %%**", 100.0 * c / all));
    }
    System.out.println(recall.append(" |"));

    System.out.println();
    System.out.println("## Precision over all redactions (recall lines + corpora)");
    System.out.println();
    System.out.println("| | " + String.join(" | ", nets.keySet()) + " |");
    System.out.println("|---|" + "---:|".repeat(nets.size()));
    StringBuilder p = new StringBuilder("| lines with a key redacted ÷ all changed lines");
    for (int k = 0; k < nets.size(); k++) {
      p.append(" | ")
          .append(
              String.format("%.1f %%", 100.0 * caughtAll[k] / (caughtAll[k] + totalChanged[k])));
    }
    System.out.println(p.append(" |"));

    for (Map.Entry<String, List<String[]>> e : shown.entrySet()) {
      System.out.println();
      System.out.println("### " + e.getKey() + " (first " + e.getValue().size() + ")");
      for (String[] s : e.getValue()) {
        System.out.println("- [" + s[0] + "] " + s[1].strip());
        System.out.println("  -> " + s[2].strip());
      }
    }
  }

  private static List<String> readLines(Path path) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.isDirectory(path) ? Files.walk(path) : Stream.of(path)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        String text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
        for (String line : text.split("\r?\n")) {
          if (!line.isBlank()) {
            out.add(line);
          }
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }

  /** Each format: a function of the sample index to {line, the key in it}. */
  private static Map<String, IntFunction<String[]>> formats(SplittableRandom r) {
    Map<String, IntFunction<String[]>> f = new LinkedHashMap<>();
    f.put(
        "AWS access key id (AKIA/ASIA + 16)",
        i -> {
          String key = (i % 2 == 0 ? "AK" + "IA" : "AS" + "IA") + random(r, UPPER_ALNUM, 16);
          return new String[] {"using credentials " + key + " for region eu-west-1", key};
        });
    f.put(
        "GitHub classic (ghp_/gho_/ghu_/ghs_/ghr_ + 36)",
        i -> {
          String key = "gh" + "pousr".charAt(i % 5) + "_" + random(r, ALNUM, 36);
          return new String[] {
            "git clone https://x-access-token:" + key + "@github.com/org/repo.git", key
          };
        });
    f.put(
        "GitHub fine-grained (github_pat_ 22_59)",
        i -> {
          String key = "github" + "_pat_" + random(r, ALNUM, 22) + "_" + random(r, ALNUM, 59);
          return new String[] {"GITHUB_TOKEN " + key, key};
        });
    f.put(
        "Slack bot/user (xoxb-/xoxp-)",
        i -> {
          String key =
              i % 2 == 0
                  ? "xo"
                      + "xb-"
                      + random(r, "0123456789", 12)
                      + "-"
                      + random(r, "0123456789", 13)
                      + "-"
                      + random(r, ALNUM, 24)
                  : "xo"
                      + "xp-"
                      + random(r, "0123456789", 12)
                      + "-"
                      + random(r, "0123456789", 12)
                      + "-"
                      + random(r, "0123456789", 13)
                      + "-"
                      + random(r, HEX, 32);
          return new String[] {"posting to #alerts with " + key, key};
        });
    f.put(
        "JWT (header.payload.signature)",
        i -> {
          Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
          String key =
              b64.encodeToString(
                      "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"
                          .getBytes(StandardCharsets.UTF_8))
                  + "."
                  + b64.encodeToString(
                      ("{\"sub\":\""
                              + random(r, HEX, 16)
                              + "\",\"iat\":"
                              + (1_700_000_000 + i)
                              + ",\"uri\":\"GET api.coinbase.com/api/v3/brokerage/accounts\"}")
                          .getBytes(StandardCharsets.UTF_8))
                  + "."
                  + random(r, B64URL, 86);
          return new String[] {"signed request jwt=" + key, key};
        });
    f.put(
        "PEM private key (PKCS#8 / SEC1 / RSA)",
        i -> {
          String label = new String[] {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"}[i % 3];
          StringBuilder body = new StringBuilder();
          for (int line = 0; line < 3; line++) {
            body.append(random(r, B64, 64)).append('\n');
          }
          String key = "-----BEGIN " + label + "-----\n" + body + "-----END " + label + "-----";
          return new String[] {"loaded key:\n" + key + "\n", body.substring(0, 64)};
        });
    f.put(
        "Bearer (Authorization header, 32-64 base64url)",
        i -> {
          String key = random(r, B64URL, 32 + r.nextInt(33));
          return new String[] {
            i % 2 == 0 ? "Authorization: Bearer " + key : "retrying with Bearer " + key, key
          };
        });
    String[] contexts = {
      "GET /api/v3/simple/price?ids=bitcoin&x_cg_demo_api_key=%s HTTP/1.1",
      "x-cg-pro-api-key: %s",
      "X-CMC_PRO_API_KEY: %s",
      "X-MBX-APIKEY: %s",
      "API-Key: %s",
      "{\"apiKey\":\"%s\",\"label\":\"trading\"}",
      "{\"secretKey\": \"%s\"}",
      "api_key=%s",
      "BINANCE_API_SECRET=%s",
      "client_secret=%s&grant_type=client_credentials",
      "password: %s",
      "ACCESS_TOKEN='%s'",
      "CB-ACCESS-KEY: %s",
      "passphrase=%s",
    };
    String[][] alphabets = {
      {"hex", HEX}, {"base64url", B64URL}, {"base64", B64}, {"alphanumeric", ALNUM}
    };
    for (String[] alphabet : alphabets) {
      f.put(
          "keyword + " + alphabet[0] + " 16-64",
          i -> {
            String key = random(r, alphabet[1], 16 + r.nextInt(49));
            return new String[] {String.format(contexts[i % contexts.length], key), key};
          });
    }
    f.put(
        "keyword + UUID (CoinMarketCap style)",
        i -> {
          String key = new java.util.UUID(r.nextLong(), r.nextLong()).toString();
          return new String[] {String.format(contexts[i % contexts.length], key), key};
        });
    f.put(
        "keyword + base64 88 with padding (Kraken secret)",
        i -> {
          byte[] bytes = new byte[64];
          for (int b = 0; b < bytes.length; b++) {
            bytes[b] = (byte) r.nextInt(256);
          }
          String key = Base64.getEncoder().encodeToString(bytes);
          return new String[] {String.format(contexts[i % contexts.length], key), key};
        });
    return f;
  }

  private static String random(SplittableRandom r, String alphabet, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = alphabet.charAt(r.nextInt(alphabet.length()));
    }
    return new String(out);
  }

  /** Drives a {@code match} function over every anchor occurrence, as the redactor's pass does. */
  static final class AnchorDriver {
    interface Match {
      long match(String text, int end, int anchorId);
    }

    private final List<char[]> anchors;
    private final Match match;
    private final java.util.function.IntUnaryOperator labelOf;
    private final List<String> labels;

    AnchorDriver(
        List<char[]> anchors,
        Match match,
        java.util.function.IntUnaryOperator labelOf,
        List<String> labels) {
      this.anchors = anchors;
      this.match = match;
      this.labelOf = labelOf;
      this.labels = labels;
    }

    String redact(String text) {
      List<long[]> spans = new ArrayList<>();
      for (int a = 0; a < anchors.size(); a++) {
        String anchor = new String(anchors.get(a));
        for (int at = text.indexOf(anchor); at >= 0; at = text.indexOf(anchor, at + 1)) {
          long span = match.match(text, at + anchor.length(), a);
          if (span >= 0) {
            spans.add(new long[] {span >>> 32, (int) span, labelOf.applyAsInt(a)});
          }
        }
      }
      if (spans.isEmpty()) {
        return text;
      }
      spans.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(y[1], x[1]));
      StringBuilder out = new StringBuilder();
      int cursor = 0;
      int k = 0;
      while (k < spans.size()) {
        long[] first = spans.get(k);
        if (first[1] <= cursor) {
          k++;
          continue;
        }
        if (first[0] > cursor) {
          out.append(text, cursor, (int) first[0]);
          cursor = (int) first[0];
        }
        long[] best = first;
        int j = k + 1;
        while (j < spans.size() && spans.get(j)[0] <= cursor) {
          if (spans.get(j)[1] > best[1]) {
            best = spans.get(j);
          }
          j++;
        }
        out.append("[REDACTED:").append(labels.get((int) best[2])).append(']');
        cursor = (int) best[1];
        k = j;
      }
      return out.append(text, cursor, text.length()).toString();
    }
  }
}
