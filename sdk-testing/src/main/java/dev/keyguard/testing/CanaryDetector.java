package dev.keyguard.testing;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Secret;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Looks for canary values, raw or encoded (URL, hex, base64), in text: log events, output streams,
 * exceptions. Records each finding as a {@link Violation} whose description shows the canary's
 * fingerprint, never its value. The encodings are computed here with the JDK, not with the redactor
 * under test. Thread-safe.
 */
public final class CanaryDetector {

  /**
   * One place where a canary appeared.
   *
   * @param source where: a logger name, {@code stdout}, a test name
   * @param fingerprint the canary's fingerprint
   * @param form the form it appeared in ({@code raw}, {@code hex}, ...)
   * @param excerpt the surrounding text with every canary replaced by its fingerprint
   */
  public record Violation(String source, String fingerprint, String form, String excerpt) {
    /** Returns a one-line description without the canary value. */
    @Override
    public String toString() {
      return "canary " + fingerprint + " (" + form + ") in " + source + ": " + excerpt;
    }
  }

  private final Map<String, String[]> forms = new LinkedHashMap<>();
  private final List<Violation> violations = new ArrayList<>();
  private int reported;

  /**
   * Watches the given canaries.
   *
   * @param canaries the canary secrets
   */
  public CanaryDetector(List<Secret> canaries) {
    for (Secret canary : canaries) {
      String raw = canary.value(InsecureSecretAccess.get());
      byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
      String form = URLEncoder.encode(raw, StandardCharsets.UTF_8);
      Map<String, String> byName = new LinkedHashMap<>();
      byName.put(raw, "raw");
      byName.putIfAbsent(form, "url-encoded");
      byName.putIfAbsent(form.replace("+", "%20"), "url-encoded");
      byName.putIfAbsent(lowerPercent(form), "url-encoded");
      byName.putIfAbsent(HexFormat.of().formatHex(bytes), "hex");
      byName.putIfAbsent(HexFormat.of().withUpperCase().formatHex(bytes), "hex");
      byName.putIfAbsent(Base64.getEncoder().withoutPadding().encodeToString(bytes), "base64");
      byName.putIfAbsent(
          Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), "base64url");
      byName.forEach((text, name) -> forms.put(text, new String[] {canary.fingerprint(), name}));
    }
  }

  private static String lowerPercent(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        b.append('%').append(s.substring(i + 1, i + 3).toLowerCase(Locale.ROOT));
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * Records a violation for each canary form in the text.
   *
   * @param source where the text comes from
   * @param text the text; null is ignored
   * @return true if a canary was found
   */
  public boolean scan(String source, CharSequence text) {
    if (text == null) {
      return false;
    }
    String s = text.toString();
    boolean found = false;
    for (Map.Entry<String, String[]> form : forms.entrySet()) {
      int at = s.indexOf(form.getKey());
      if (at >= 0) {
        found = true;
        record(new Violation(source, form.getValue()[0], form.getValue()[1], excerpt(s, at)));
      }
    }
    return found;
  }

  /**
   * Scans an exception as a stack trace prints it: every message, cause and suppressed one.
   *
   * @param source where the exception comes from
   * @param t the exception; null is ignored
   * @return true if a canary was found
   */
  public boolean scan(String source, Throwable t) {
    if (t == null) {
      return false;
    }
    StringWriter out = new StringWriter();
    try (PrintWriter writer = new PrintWriter(out)) {
      t.printStackTrace(writer);
    }
    return scan(source, out.toString());
  }

  private synchronized void record(Violation v) {
    violations.add(v);
  }

  /**
   * Every violation recorded so far.
   *
   * @return a copy
   */
  public synchronized List<Violation> violations() {
    return List.copyOf(violations);
  }

  /**
   * The violations recorded since the last call, which are then considered reported.
   *
   * @return the new violations
   */
  public synchronized List<Violation> takeNew() {
    List<Violation> fresh = List.copyOf(violations.subList(reported, violations.size()));
    reported = violations.size();
    return fresh;
  }

  /**
   * Throws if there are violations not yet reported.
   *
   * @param what the first line of the failure message
   * @throws AssertionError listing the new violations
   */
  public void throwIfViolated(String what) {
    List<Violation> fresh = takeNew();
    if (!fresh.isEmpty()) {
      StringBuilder b = new StringBuilder(what).append(':');
      for (Violation v : fresh) {
        b.append("\n  ").append(v);
      }
      throw new AssertionError(b.toString());
    }
  }

  /** The text around a finding, every canary form replaced by its fingerprint first. */
  private String excerpt(String s, int at) {
    String cleaned = s.substring(0, at);
    String rest = s.substring(at);
    for (Map.Entry<String, String[]> form : forms.entrySet()) {
      cleaned = cleaned.replace(form.getKey(), "<canary " + form.getValue()[0] + ">");
      rest = rest.replace(form.getKey(), "<canary " + form.getValue()[0] + ">");
    }
    String around =
        cleaned.substring(Math.max(0, cleaned.length() - 80))
            + rest.substring(0, Math.min(rest.length(), 160));
    return around.replaceAll("[\\r\\n]+", " | ");
  }

  /**
   * A print stream that writes through to {@code target} and scans each line.
   *
   * @param source the stream's name, e.g. {@code stdout}
   * @param target where the bytes go
   * @return the scanning stream
   */
  public PrintStream scanning(String source, OutputStream target) {
    return new PrintStream(new LineScanner(source, target), true, StandardCharsets.UTF_8);
  }

  private final class LineScanner extends FilterOutputStream {
    private static final int MAX_LINE = 1 << 16;
    private final String source;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineScanner(String source, OutputStream target) {
      super(target);
      this.source = source;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      out.write(b);
      take(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      for (int i = off; i < off + len; i++) {
        take(b[i]);
      }
    }

    private void take(int b) {
      if (b == '\n' || line.size() >= MAX_LINE) {
        scan(source, line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }

    @Override
    public synchronized void flush() throws IOException {
      out.flush();
    }
  }
}
