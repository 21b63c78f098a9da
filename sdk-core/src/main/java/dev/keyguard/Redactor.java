package dev.keyguard;

import dev.keyguard.internal.SecretForms;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * Scrubs every live secret value, in every form it is commonly written in, from text before it is
 * logged or put in an exception message.
 *
 * <pre>{@code
 * Redactor.global().register(credential.apiKey());   // the KeyManager does this on every fetch
 * log.info(Redactor.global().redact(responseBody));   // ... [REDACTED:fp:3f2a9c1b07d4] ...
 * }</pre>
 *
 * <h2>What is replaced</h2>
 *
 * <p>Every occurrence of a registered secret is replaced with {@code [REDACTED:fp:xxxxxxxxxxxx]},
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
 * <p>Derived (encoded) forms shorter than 8 chars, and base64 fragments shorter than 12 chars, are
 * not matched: they would mask ordinary text. The raw form is always matched. Not covered:
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
 * api_key=…} / {@code "secret": "…"} / {@code token: …} style assignments, each anchored on a fixed
 * prefix or keyword so that ordinary text is left alone. They are replaced with {@code
 * [REDACTED:aws-access-key-id]}, {@code [REDACTED:credential]} and the like. The anchors live in
 * the same automaton as the secrets, so the net costs no extra pass; switch it off with {@link
 * RedactorOptions.Builder#knownFormats(boolean)} (a start-up option).
 *
 * <h2>Cost</h2>
 *
 * <p>{@link #redact(CharSequence)} makes one pass over the text with an Aho-Corasick automaton: one
 * table read per char, whatever the number of secrets; no allocation when nothing matches (the same
 * {@code String} comes back). A match costs a small extra step proportional to its length. Measured
 * on a shared 2-vCPU machine: about 2 µs per 1 KiB line (2.2 µs with 100 secrets, 2.9 µs with
 * 1,000), some 90 times faster than one regex alternation of 100 quoted secrets; see {@code
 * bench/README.md}. The automaton is rebuilt on the caller's thread when the set of secrets changes
 * (a new value registered, a retired one expiring, a setting) and swapped atomically, so {@code
 * redact} never locks or waits; a rebuild takes milliseconds (about 10 ms for 100 secrets). Use
 * {@link #registerAll(Collection)} to register many at once.
 *
 * <h2>Lifecycle of a secret</h2>
 *
 * <p>The {@link dev.keyguard.key.KeyManager} registers every secret it fetches and retires the one
 * a rotation replaces. {@link #register(Secret)} makes a value live; {@link #retire(Secret)} starts
 * its grace period (default {@link RedactorOptions#DEFAULT_GRACE_PERIOD}), after which it is
 * forgotten and its copy wiped. At most {@link RedactorOptions#DEFAULT_MAX_RETIRED} retired values
 * are kept (the oldest go first), so memory is bounded by the live secrets plus that number. Values
 * are keyed by content: registering the same value through two {@code Secret} objects keeps one
 * entry, and the latest register or retire call wins.
 *
 * <h2>One redactor per process</h2>
 *
 * <p>{@link #global()} is the process-wide instance, and the only one KeyGuard uses: the key
 * manager registers and retires through it, and every exception, logger, HTTP log and error excerpt
 * KeyGuard produces is redacted by it. Its options are set at most once, at start-up, with {@link
 * #configureGlobal(RedactorOptions)}, before anything uses it; afterwards they are fixed (a later
 * call fails, naming where the redactor was first used), so no library in the JVM can switch the
 * net off or shorten the grace period behind the application's back. {@link
 * #isolated(RedactorOptions)} makes an independent instance for tests; KeyGuard's components never
 * use one.
 *
 * <p>Thread-safe: {@code redact} is lock-free; registrations are serialised.
 */
public final class Redactor {

  private static final long LIVE = Long.MIN_VALUE;

  private final RedactorOptions options;
  private final TimeSource time;
  private final Duration gracePeriod;
  private final int maxRetired;
  private final boolean knownFormats;
  private final ReentrantLock lock = new ReentrantLock();

  // guarded by lock
  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<Secret, String> digests = new WeakHashMap<>();
  private long sequence;

  private volatile RedactionSnapshot snapshot;

  /**
   * The last few secrets registered and still live, compared by identity: registering one of them
   * again (as a request path may do on every call) returns without locking or hashing. Cleared on
   * every retirement; replaced, never mutated.
   */
  private volatile Secret[] recent = new Secret[0];

  private static final int RECENT = 16;

  Redactor(RedactorOptions options) {
    this.options = options;
    this.time = options.timeSource();
    this.gracePeriod = options.gracePeriod();
    this.maxRetired = options.maxRetired();
    this.knownFormats = options.knownFormats();
    this.snapshot = RedactionSnapshot.build(List.of(), knownFormats, Long.MAX_VALUE);
  }

  /**
   * The process-wide redactor, the only one KeyGuard uses. The first call fixes its options: those
   * given to {@link #configureGlobal(RedactorOptions)} before, else {@link
   * RedactorOptions#defaults()}.
   *
   * @return the global instance
   */
  public static Redactor global() {
    return GlobalRedactor.get();
  }

  /**
   * Sets the options of the process-wide redactor. Call it once, at start-up, before any KeyGuard
   * component, exception or logger is created (they all use the global redactor, and its first use
   * fixes the options).
   *
   * <pre>{@code
   * public static void main(String[] args) {
   *   Redactor.configureGlobal(RedactorOptions.builder().gracePeriod(Duration.ofHours(6)).build());
   *   ...
   * }
   * }</pre>
   *
   * @param options the options
   * @throws NullPointerException if {@code options} is null
   * @throws IllegalStateException if the global redactor is already in use, or its options were
   *     already set; the message names the code that used or configured it first
   */
  public static void configureGlobal(RedactorOptions options) {
    GlobalRedactor.configure(Objects.requireNonNull(options, "options"));
  }

  /**
   * Makes a redactor of its own, independent of {@link #global()}, for tests. KeyGuard's components
   * never use it.
   *
   * <pre>{@code
   * Redactor redactor =
   *     Redactor.isolated(RedactorOptions.builder().timeSource(fakeClock).build());
   * }</pre>
   *
   * @param options the options
   * @return a new redactor with no secrets
   * @throws NullPointerException if {@code options} is null
   */
  public static Redactor isolated(RedactorOptions options) {
    return new Redactor(Objects.requireNonNull(options, "options"));
  }

  /**
   * Makes a redactor of its own with the {@linkplain RedactorOptions#defaults() default options};
   * see {@link #isolated(RedactorOptions)}.
   *
   * @return a new redactor with no secrets
   */
  public static Redactor isolated() {
    return isolated(RedactorOptions.defaults());
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
   * Marks a secret as rotated out: it is still redacted during the grace period, then forgotten and
   * its copy wiped. Unknown secrets are ignored; retiring twice keeps the first retirement time.
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
      entry.retiredAt = time.now().toEpochMilli();
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
  // null in gives null out (a tolerance for callers outside NullAway); non-null in never gives null
  @SuppressWarnings("NullAway")
  public String redact(CharSequence text) {
    if (text == null) {
      return null;
    }
    RedactionSnapshot current = snapshot;
    if (current.nextExpiry != Long.MAX_VALUE && time.now().toEpochMilli() >= current.nextExpiry) {
      current = expireIfFree();
    }
    return current.redact(text.toString());
  }

  /**
   * Redacts the start of a longer text whose rest was not read (the first bytes of a response body,
   * say), so that the result can then be cut anywhere without leaving part of a secret.
   *
   * <p>{@link #redact(CharSequence)} recognises whole values only: a secret that the read cut in
   * two stays, and once the text before it is redacted (a long token shrinks to a short marker) its
   * first half can come within any later cut. This method redacts {@code start} whole and leaves
   * out its end, from the first position where the form of a live secret or a well-known format
   * could begin and run on past the cut: at most as many chars as the longest form of a live
   * secret, or, with the known-formats net on, as far as the net looks past an anchor (about 4
   * KiB). A marker for a match that starts before that point is kept whole. The result is a prefix
   * of what {@code redact(start)} returns; it is empty when {@code start} is shorter than what is
   * left out.
   *
   * <pre>{@code
   * byte[] head = peek(body, 64 * 1024);   // more may follow
   * String safe = Redactor.global().redactTruncated(new String(head, UTF_8));
   * String excerpt = safe.substring(0, Math.min(safe.length(), 1024));   // a cut anywhere is safe
   * }</pre>
   *
   * @param start the start of a text; null gives null
   * @return the redacted text, without the part at its end that could hold a cut secret
   */
  // null in gives null out (a tolerance for callers outside NullAway); non-null in never gives null
  @SuppressWarnings("NullAway")
  public String redactTruncated(CharSequence start) {
    if (start == null) {
      return null;
    }
    RedactionSnapshot current = snapshot;
    if (current.nextExpiry != Long.MAX_VALUE && time.now().toEpochMilli() >= current.nextExpiry) {
      current = expireIfFree();
    }
    return current.redactTruncated(start.toString());
  }

  /**
   * Tells whether the second net (well-known formats) is on.
   *
   * @return true if well-known formats are redacted
   */
  public boolean isKnownFormatsEnabled() {
    return knownFormats;
  }

  /**
   * The grace period of retired secrets.
   *
   * @return the grace period
   */
  public Duration gracePeriod() {
    return gracePeriod;
  }

  /**
   * The options this redactor was made with.
   *
   * @return the options
   */
  public RedactorOptions options() {
    return options;
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

  private RedactionSnapshot expireIfFree() {
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
    long now = time.now().toEpochMilli();
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
    snapshot = RedactionSnapshot.build(ordered, knownFormats, nextExpiry());
  }

  private static String digest(byte[] raw) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** A known value. */
  static final class Entry {
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

  /** Lazy logger, so that class initialisation never calls into a logging backend. */
  private static final class Holder {
    static final Logger LOG = LoggerFactory.getLogger(Redactor.class);
  }
}
