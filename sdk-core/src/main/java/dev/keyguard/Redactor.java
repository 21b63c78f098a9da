package dev.keyguard;

import dev.keyguard.key.KeyManager;

import dev.keyguard.internal.AhoCorasick;
import dev.keyguard.internal.KnownFormats;
import dev.keyguard.internal.SecretForms;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrubs every live secret value, in every form it is commonly written in, from text before it
 * is logged or put in an exception message.
 *
 * <pre>{@code
 * Redactor.global().register(credential.apiKey());   // the KeyManager does this on every fetch
 * log.info(Redactor.global().redact(responseBody));   // ... [REDACTED:sha256:3f2a9c1b] ...
 * }</pre>
 *
 * <h2>What is replaced</h2>
 *
 * <p>Every occurrence of a registered secret is replaced with {@code [REDACTED:sha256:xxxxxxxx]},
 * carrying only the secret's {@linkplain Secret#fingerprint() fingerprint}. The forms matched:
 *
 * <table>
 *   <caption>Forms of a registered secret that are redacted</caption>
 *   <tr><th>form</th><th>variants</th></tr>
 *   <tr><td>raw text</td><td>the UTF-8 text of the value, exactly (case-sensitive; no Unicode
 *       normalisation)</td></tr>
 *   <tr><td>URL-encoded</td><td>UTF-8 percent-encoding with upper- and lower-case hex, space as
 *       {@code +} and as {@code %20}, for the escape sets of {@code java.net.URLEncoder} / HTML
 *       forms / OkHttp query parameters and {@code FormBody}, RFC 3986, JavaScript {@code
 *       encodeURIComponent}, Python {@code quote}, OkHttp path segments, and a URL string parsed by
 *       OkHttp (only space, quotes and {@code <>} escaped)</td></tr>
 *   <tr><td>JSON string</td><td>as Jackson escapes it, and as Gson does by default (HTML-safe
 *       {@code \u003c}…)</td></tr>
 *   <tr><td>hex</td><td>the bytes in lower- and upper-case hex</td></tr>
 *   <tr><td>base64</td><td>the value encoded alone, standard and URL-safe alphabets, with and
 *       without padding; and the part of a longer base64 text that depends only on the secret, at
 *       each of the three byte alignments (so {@code Authorization: Basic base64(user:secret)}
 *       and a secret inside a base64 JSON document are caught; the one or two chars at each edge
 *       that mix secret and neighbouring bits stay)</td></tr>
 * </table>
 *
 * <p>Derived (encoded) forms shorter than 8 chars, and base64 fragments shorter than 12 chars,
 * are not matched: they would mask ordinary text. The raw form is always matched. Not covered:
 * mixed-case hex, encoders that escape a different subset of punctuation, double encoding, MIME
 * base64 with line breaks inside the secret, and secrets split across log lines.
 *
 * <p>Overlaps: matches are chosen leftmost-longest; where another secret's occurrence overlaps the
 * chosen one, its remaining part is redacted too (with its own marker), so no fragment of any
 * occurrence of any registered form survives. The output never contains a registered form: if a
 * registered value contains {@code [} or {@code ]}, or could appear inside a marker, the markers
 * switch to {@code ⟦REDACTED:…⟧} or, failing that, to a run of a character no secret uses.
 *
 * <h2>Second net: well-known formats</h2>
 *
 * <p>Values never registered are still caught when they have a recognisable shape: AWS access key
 * ids ({@code AKIA…}, {@code ASIA…}), GitHub tokens ({@code ghp_…}, {@code github_pat_…}), Slack
 * tokens ({@code xoxb-…}), JWTs, PEM private-key blocks, {@code Bearer} tokens and {@code
 * api_key=…} / {@code "secret": "…"} / {@code token: …} style assignments, each anchored on a
 * fixed prefix or keyword so that ordinary text is left alone. They are replaced with {@code
 * [REDACTED:aws-access-key-id]}, {@code [REDACTED:credential]} and the like. The anchors live in
 * the same automaton as the secrets, so the net costs no extra pass; switch it off with {@link
 * #setKnownFormatsEnabled(boolean)}.
 *
 * <h2>Cost</h2>
 *
 * <p>{@link #redact(CharSequence)} makes one pass over the text with an Aho-Corasick automaton:
 * one table read per char, whatever the number of secrets; no allocation when nothing matches
 * (the same {@code String} comes back). A match costs a small extra step proportional to its
 * length. Measured on a shared 2-vCPU machine: about 2 µs per 1 KiB line (2.2 µs with 100
 * secrets, 2.9 µs with 1,000), some 90 times faster than one regex alternation of 100 quoted
 * secrets; see {@code bench/README.md}. The automaton is rebuilt on the caller's thread when the
 * set of secrets changes (a new value registered, a retired one expiring, a setting) and swapped
 * atomically, so {@code redact} never locks or waits; a rebuild takes milliseconds (about 10 ms
 * for 100 secrets). Use {@link #registerAll(Collection)} to register many at once.
 *
 * <h2>Lifecycle of a secret</h2>
 *
 * <p>The {@link KeyManager} registers every secret it fetches and retires the one a rotation
 * replaces. {@link #register(Secret)} makes a value live; {@link #retire(Secret)} starts its grace period
 * (default {@link #DEFAULT_GRACE_PERIOD}), after which it is forgotten and its copy wiped. At most
 * {@link #DEFAULT_MAX_RETIRED} retired values are kept (the oldest go first), so memory is bounded
 * by the live secrets plus that number. Values are keyed by content: registering the same value
 * through two {@code Secret} objects keeps one entry, and the latest register or retire call wins.
 *
 * <p>{@link #global()} is the process-wide instance that KeyGuard's exceptions, loggers and HTTP
 * logging use; {@link #builder()} makes isolated instances (tests, a fake clock). Thread-safe:
 * {@code redact} is lock-free; changes are serialised.
 */
public final class Redactor {

  /** How long a retired secret is still redacted: one hour. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(1);

  /** The maximum number of retired secrets kept at once: 1024. */
  public static final int DEFAULT_MAX_RETIRED = 1024;

  private static final Redactor GLOBAL =
      new Redactor(Clock.systemUTC(), DEFAULT_GRACE_PERIOD, DEFAULT_MAX_RETIRED, true);

  private static final long LIVE = Long.MIN_VALUE;

  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();

  // guarded by lock
  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<Secret, String> digests = new WeakHashMap<>();
  private Duration gracePeriod;
  private final int maxRetired;
  private boolean knownFormats;
  private long sequence;

  private volatile Snapshot snapshot;

  /**
   * The last few secrets registered and still live, compared by identity: registering one of
   * them again (as a request path may do on every call) returns without locking or hashing.
   * Cleared on every retirement; replaced, never mutated.
   */
  private volatile Secret[] recent = new Secret[0];

  private static final int RECENT = 16;

  private Redactor(Clock clock, Duration gracePeriod, int maxRetired, boolean knownFormats) {
    this.clock = clock;
    this.gracePeriod = gracePeriod;
    this.maxRetired = maxRetired;
    this.knownFormats = knownFormats;
    this.snapshot = Snapshot.build(List.of(), knownFormats, Long.MAX_VALUE);
  }

  /**
   * The process-wide redactor.
   *
   * @return the global instance
   */
  public static Redactor global() {
    return GLOBAL;
  }

  /**
   * Starts an isolated redactor, independent of {@link #global()}.
   *
   * <pre>{@code
   * Redactor redactor = Redactor.builder().clock(fakeClock).gracePeriod(Duration.ofMinutes(5)).build();
   * }</pre>
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Makes a secret known: from now on its value is scrubbed from every text passed to {@link
   * #redact(CharSequence)}. Registering a value again (through the same or another {@code Secret})
   * is cheap and, if it was retired, makes it live again. A destroyed secret cannot be read and is
   * ignored.
   *
   * @param secret the secret
   * @throws NullPointerException if {@code secret} is null
   */
  public void register(Secret secret) {
    Objects.requireNonNull(secret, "secret");
    for (Secret known : recent) {
      if (known == secret) {
        return;
      }
    }
    registerAll(List.of(secret));
  }

  /**
   * Registers several secrets with a single rebuild of the automaton.
   *
   * @param secrets the secrets
   * @throws NullPointerException if the collection or an element is null
   */
  public void registerAll(Collection<? extends Secret> secrets) {
    Objects.requireNonNull(secrets, "secrets");
    List<String> shortOnes = new ArrayList<>();
    lock.lock();
    try {
      boolean changed = false;
      for (Secret secret : secrets) {
        Objects.requireNonNull(secret, "secret");
        if (secret.isDestroyed()) {
          continue;
        }
        byte[] raw = secret.bytes(InsecureSecretAccess.get());
        String digest = digest(raw);
        digests.put(secret, digest);
        Entry entry = entries.get(digest);
        if (entry != null) {
          Arrays.fill(raw, (byte) 0);
          if (entry.retiredAt != LIVE) {
            entry.retiredAt = LIVE;
            changed = true;
          }
          remember(secret);
          continue;
        }
        entries.put(digest, new Entry(raw, secret.fingerprint(), sequence++));
        changed = true;
        remember(secret);
        if (raw.length < SecretForms.MIN_DERIVED_LENGTH) {
          shortOnes.add(secret.fingerprint());
        }
      }
      if (changed) {
        purgeExpired();
        rebuild();
      }
    } finally {
      lock.unlock();
    }
    for (String fingerprint : shortOnes) {
      Holder.LOG.warn(
          "Secret {} has fewer than {} bytes: only its raw form is redacted, and it may mask"
              + " unrelated text in logs",
          fingerprint,
          SecretForms.MIN_DERIVED_LENGTH);
    }
  }

  /**
   * Marks a secret as rotated out: it is still redacted during the grace period, then forgotten
   * and its copy wiped. Unknown secrets are ignored; retiring twice keeps the first retirement
   * time.
   *
   * @param secret the secret (it may have been destroyed since it was registered)
   * @throws NullPointerException if {@code secret} is null
   */
  public void retire(Secret secret) {
    Objects.requireNonNull(secret, "secret");
    lock.lock();
    try {
      String digest = digests.get(secret);
      if (digest == null && !secret.isDestroyed()) {
        byte[] raw = secret.bytes(InsecureSecretAccess.get());
        digest = digest(raw);
        Arrays.fill(raw, (byte) 0);
      }
      Entry entry = digest == null ? null : entries.get(digest);
      if (entry == null || entry.retiredAt != LIVE) {
        return;
      }
      entry.retiredAt = clock.millis();
      recent = new Secret[0];
      purgeExpiredAndRebuild();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Replaces every occurrence of every known secret (in each form listed above) and, unless
   * switched off, every well-known credential format, with a redaction marker.
   *
   * @param text the text; null gives null
   * @return the scrubbed text; the same {@code String} instance when {@code text} is a string that
   *     holds nothing to redact
   */
  public String redact(CharSequence text) {
    if (text == null) {
      return null;
    }
    Snapshot current = snapshot;
    if (current.nextExpiry != Long.MAX_VALUE && clock.millis() >= current.nextExpiry) {
      current = expireIfFree();
    }
    return current.redact(text.toString());
  }

  /**
   * Switches the second net (well-known formats) on or off. On by default.
   *
   * @param enabled whether well-known formats are redacted
   */
  public void setKnownFormatsEnabled(boolean enabled) {
    lock.lock();
    try {
      if (knownFormats != enabled) {
        knownFormats = enabled;
        rebuild();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Tells whether the second net (well-known formats) is on.
   *
   * @return true if well-known formats are redacted
   */
  public boolean isKnownFormatsEnabled() {
    lock.lock();
    try {
      return knownFormats;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sets how long a retired secret is still redacted. Applies to secrets already retired.
   *
   * @param gracePeriod zero or more
   * @throws IllegalArgumentException if negative
   */
  public void setGracePeriod(Duration gracePeriod) {
    checkGracePeriod(gracePeriod);
    lock.lock();
    try {
      this.gracePeriod = gracePeriod;
      purgeExpiredAndRebuild();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The grace period of retired secrets.
   *
   * @return the grace period
   */
  public Duration gracePeriod() {
    lock.lock();
    try {
      return gracePeriod;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The number of live (registered, not retired) secret values.
   *
   * @return the count
   */
  public int liveCount() {
    return count(true);
  }

  /**
   * The number of retired secret values still within their grace period.
   *
   * @return the count
   */
  public int retiredCount() {
    return count(false);
  }

  /** Returns a summary with counts only. */
  @Override
  public String toString() {
    return "Redactor[live=" + liveCount() + ", retired=" + retiredCount() + "]";
  }

  private int count(boolean live) {
    lock.lock();
    try {
      purgeExpiredAndRebuild();
      int n = 0;
      for (Entry e : entries.values()) {
        if ((e.retiredAt == LIVE) == live) {
          n++;
        }
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Adds a live secret to {@link #recent}; under the lock. */
  private void remember(Secret secret) {
    Secret[] current = recent;
    for (Secret known : current) {
      if (known == secret) {
        return;
      }
    }
    Secret[] next = new Secret[Math.min(current.length + 1, RECENT)];
    next[0] = secret;
    System.arraycopy(current, 0, next, 1, next.length - 1);
    recent = next;
  }

  private Snapshot expireIfFree() {
    if (lock.tryLock()) {
      try {
        purgeExpiredAndRebuild();
      } finally {
        lock.unlock();
      }
    }
    return snapshot;
  }

  /** Purges; rebuilds the automaton if anything went, else only moves the next expiry check. */
  private void purgeExpiredAndRebuild() {
    if (purgeExpired()) {
      rebuild();
    } else {
      snapshot = snapshot.withNextExpiry(nextExpiry());
    }
  }

  /** Forgets expired retired entries and the oldest ones beyond the cap; true if any went. */
  private boolean purgeExpired() {
    long now = clock.millis();
    long grace = graceMillis();
    List<Map.Entry<String, Entry>> retired = new ArrayList<>();
    boolean removed = false;
    for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Entry> e = it.next();
      long at = e.getValue().retiredAt;
      if (at == LIVE) {
        continue;
      }
      if (now - at >= grace) {
        e.getValue().wipe();
        it.remove();
        removed = true;
      } else {
        retired.add(e);
      }
    }
    if (retired.size() > maxRetired) {
      retired.sort(Comparator.comparingLong(e -> e.getValue().retiredAt));
      for (int i = 0; i < retired.size() - maxRetired; i++) {
        retired.get(i).getValue().wipe();
        entries.remove(retired.get(i).getKey());
      }
      removed = true;
    }
    return removed;
  }

  private long nextExpiry() {
    long next = Long.MAX_VALUE;
    long grace = graceMillis();
    for (Entry e : entries.values()) {
      if (e.retiredAt != LIVE) {
        long expiry;
        try {
          expiry = Math.addExact(e.retiredAt, grace);
        } catch (ArithmeticException overflow) {
          expiry = Long.MAX_VALUE;
        }
        next = Math.min(next, expiry);
      }
    }
    return next;
  }

  /** The grace period in millis, saturated: a huge period (meaning "forever") must not overflow. */
  private long graceMillis() {
    try {
      return gracePeriod.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private void rebuild() {
    List<Entry> ordered = new ArrayList<>(entries.values());
    ordered.sort(Comparator.comparingLong(e -> e.sequence));
    snapshot = Snapshot.build(ordered, knownFormats, nextExpiry());
  }

  private static String digest(byte[] raw) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static void checkGracePeriod(Duration gracePeriod) {
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    if (gracePeriod.isNegative()) {
      throw new IllegalArgumentException("gracePeriod must not be negative: " + gracePeriod);
    }
  }

  /** A known value. */
  private static final class Entry {
    final byte[] value;
    final String fingerprint;
    final long sequence;
    long retiredAt = LIVE;

    Entry(byte[] value, String fingerprint, long sequence) {
      this.value = value;
      this.fingerprint = fingerprint;
      this.sequence = sequence;
    }

    void wipe() {
      Arrays.fill(value, (byte) 0);
    }
  }

  /** An immutable automaton with its markers; replaced as a whole on every change. */
  private static final class Snapshot {
    private static final char[] FALLBACK_MARKER_CHARS = {'\u2588', '\u2593', '\u25A0', '#', '*'};

    final AhoCorasick automaton;
    final String[] secretMarkers;
    final String[] formatMarkers;
    final boolean knownFormats;
    final long nextExpiry;

    private Snapshot(
        AhoCorasick automaton,
        String[] secretMarkers,
        String[] formatMarkers,
        boolean knownFormats,
        long nextExpiry) {
      this.automaton = automaton;
      this.secretMarkers = secretMarkers;
      this.formatMarkers = formatMarkers;
      this.knownFormats = knownFormats;
      this.nextExpiry = nextExpiry;
    }

    Snapshot withNextExpiry(long next) {
      return new Snapshot(automaton, secretMarkers, formatMarkers, knownFormats, next);
    }

    static Snapshot build(List<Entry> entries, boolean knownFormats, long nextExpiry) {
      List<char[]> patterns = new ArrayList<>();
      List<String> patternText = new ArrayList<>();
      int[] ids = new int[16];
      for (int i = 0; i < entries.size(); i++) {
        for (String form : SecretForms.all(entries.get(i).value)) {
          if (patterns.size() == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
          }
          ids[patterns.size()] = i;
          patterns.add(form.toCharArray());
          patternText.add(form);
        }
      }
      List<char[]> anchors = knownFormats ? KnownFormats.anchors() : List.of();
      int[] anchorIds = knownFormats ? KnownFormats.anchorIds() : new int[0];
      AhoCorasick automaton =
          patterns.isEmpty() && anchors.isEmpty()
              ? null
              : new AhoCorasick(patterns, Arrays.copyOf(ids, patterns.size()), anchors, anchorIds);

      List<String> bodies = new ArrayList<>();
      for (Entry e : entries) {
        bodies.add("REDACTED:" + e.fingerprint);
      }
      List<String> labelBodies = new ArrayList<>();
      for (String label : KnownFormats.LABELS) {
        labelBodies.add("REDACTED:" + label);
      }
      String open;
      String close;
      if (bodyHazard(patternText, bodies, labelBodies)) {
        open = null;
        close = null;
      } else if (automaton == null || (!automaton.usesChar('[') && !automaton.usesChar(']'))) {
        open = "[";
        close = "]";
      } else if (!automaton.usesChar('\u27E6') && !automaton.usesChar('\u27E7')) {
        open = "\u27E6";
        close = "\u27E7";
      } else {
        open = null;
        close = null;
      }
      String[] secretMarkers = new String[entries.size()];
      String[] formatMarkers = new String[labelBodies.size()];
      if (open != null) {
        for (int i = 0; i < secretMarkers.length; i++) {
          secretMarkers[i] = open + bodies.get(i) + close;
        }
        for (int i = 0; i < formatMarkers.length; i++) {
          formatMarkers[i] = open + labelBodies.get(i) + close;
        }
      } else {
        String fallback = String.valueOf(fallbackChar(automaton)).repeat(3);
        Arrays.fill(secretMarkers, fallback);
        Arrays.fill(formatMarkers, fallback);
      }
      return new Snapshot(automaton, secretMarkers, formatMarkers, knownFormats, nextExpiry);
    }

    /** True if some pattern could occur inside a marker body. */
    private static boolean bodyHazard(
        List<String> patterns, List<String> bodies, List<String> labelBodies) {
      int longest = "REDACTED:sha256:00000000".length();
      for (String label : labelBodies) {
        longest = Math.max(longest, label.length());
      }
      for (String p : patterns) {
        if (p.length() > longest || !markerAlphabet(p)) {
          continue;
        }
        for (String label : labelBodies) {
          if (label.contains(p)) {
            return true;
          }
        }
        for (String body : bodies) {
          if (body.contains(p)) {
            return true;
          }
        }
      }
      return false;
    }

    private static boolean markerAlphabet(String p) {
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == ':' || c == '-')) {
          return false;
        }
      }
      return true;
    }

    private static char fallbackChar(AhoCorasick automaton) {
      if (automaton == null) {
        return FALLBACK_MARKER_CHARS[0];
      }
      for (char c : FALLBACK_MARKER_CHARS) {
        if (!automaton.usesChar(c)) {
          return c;
        }
      }
      for (char c = '\uE000'; c < '\uF8FF'; c++) {
        if (!automaton.usesChar(c)) {
          return c;
        }
      }
      throw new IllegalStateException("no character is free for a redaction marker");
    }

    String redact(String text) {
      AhoCorasick ac = automaton;
      if (ac == null) {
        return text;
      }
      AhoCorasick.Hits hits = ac.scan(text, null);
      if (hits == null) {
        return text;
      }
      int capacity = hits.size() * 2;
      int[] starts = new int[capacity];
      int[] ends = new int[capacity];
      String[] markers = new String[capacity];
      boolean[] format = new boolean[capacity];
      int m = 0;
      for (int h = 0; h < hits.size(); h++) {
        int state = hits.state(h);
        int end = hits.end(h);
        byte flags = ac.flags(state);
        if ((flags & AhoCorasick.SECRET) != 0) {
          starts[m] = end - ac.secretLength(state);
          ends[m] = end;
          markers[m] = secretMarkers[ac.secretId(state)];
          m++;
        }
        if ((flags & AhoCorasick.ANCHOR) != 0 && knownFormats) {
          int anchor = ac.anchorId(state);
          long span = KnownFormats.match(text, end, anchor);
          if (span >= 0) {
            starts[m] = (int) (span >>> 32);
            ends[m] = (int) span;
            markers[m] = formatMarkers[KnownFormats.labelOf(anchor)];
            format[m] = true;
            m++;
          }
        }
      }
      if (m == 0) {
        return text;
      }
      // leftmost first, then longest; among equal spans a registered secret wins over a format
      Integer[] order = new Integer[m];
      for (int i = 0; i < m; i++) {
        order[i] = i;
      }
      Arrays.sort(
          order,
          (a, b) ->
              starts[a] != starts[b]
                  ? Integer.compare(starts[a], starts[b])
                  : ends[a] != ends[b]
                      ? Integer.compare(ends[b], ends[a])
                      : format[a] != format[b] ? Boolean.compare(format[a], format[b]) : Integer.compare(a, b));
      StringBuilder out = new StringBuilder(text.length() + 16 * m);
      int cursor = 0;
      int k = 0;
      while (k < m) {
        int first = order[k];
        if (ends[first] <= cursor) {
          k++;
          continue;
        }
        if (starts[first] > cursor) {
          out.append(text, cursor, starts[first]);
          cursor = starts[first];
        }
        // among the spans that cover the cursor, the one reaching furthest
        int best = first;
        int j = k + 1;
        while (j < m && starts[order[j]] <= cursor) {
          if (ends[order[j]] > ends[best]) {
            best = order[j];
          }
          j++;
        }
        out.append(markers[best]);
        cursor = ends[best];
        k = j;
      }
      out.append(text, cursor, text.length());
      return out.toString();
    }
  }

  /** Lazy logger, so that class initialisation never calls into a logging backend. */
  private static final class Holder {
    static final Logger LOG = LoggerFactory.getLogger(Redactor.class);
  }

  /**
   * Builds an isolated {@link Redactor}. Each setting is checked when it is set. Not thread-safe.
   */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
    private int maxRetired = DEFAULT_MAX_RETIRED;
    private boolean knownFormats = true;

    private Builder() {}

    /**
     * The clock that times grace periods. Default: the system UTC clock.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long a retired secret is still redacted. Default {@link #DEFAULT_GRACE_PERIOD}.
     *
     * @param gracePeriod zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder gracePeriod(Duration gracePeriod) {
      checkGracePeriod(gracePeriod);
      this.gracePeriod = gracePeriod;
      return this;
    }

    /**
     * The maximum number of retired secrets kept; beyond it the oldest are forgotten early.
     * Default {@link #DEFAULT_MAX_RETIRED}.
     *
     * @param maxRetired zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxRetired(int maxRetired) {
      if (maxRetired < 0) {
        throw new IllegalArgumentException("maxRetired must not be negative: " + maxRetired);
      }
      this.maxRetired = maxRetired;
      return this;
    }

    /**
     * Whether well-known formats (the second net) are redacted. Default true.
     *
     * @param enabled true to redact them
     * @return this builder
     */
    public Builder knownFormats(boolean enabled) {
      this.knownFormats = enabled;
      return this;
    }

    /**
     * Creates the redactor.
     *
     * @return a new redactor with no secrets
     */
    public Redactor build() {
      return new Redactor(clock, gracePeriod, maxRetired, knownFormats);
    }
  }
}
