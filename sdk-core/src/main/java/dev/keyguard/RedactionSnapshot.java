package dev.keyguard;

import dev.keyguard.internal.AhoCorasick;
import dev.keyguard.internal.Fingerprints;
import dev.keyguard.internal.KnownFormats;
import dev.keyguard.internal.SecretForms;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The immutable half of a {@link Redactor}: one Aho-Corasick automaton over every form of every
 * known secret plus the known-formats anchors, with the marker of each secret. A redactor replaces
 * its snapshot as a whole on every change, so {@link #redact(String)} reads one volatile field and
 * never locks.
 */
final class RedactionSnapshot {
  private static final char[] FALLBACK_MARKER_CHARS = {'\u2588', '\u2593', '\u25A0', '#', '*'};

  /** Null when there is nothing to look for (no secrets, known formats off). */
  final @Nullable AhoCorasick automaton;

  final String[] secretMarkers;
  final String[] formatMarkers;
  final boolean knownFormats;
  final long nextExpiry;

  private RedactionSnapshot(
      @Nullable AhoCorasick automaton,
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

  RedactionSnapshot withNextExpiry(long next) {
    return new RedactionSnapshot(automaton, secretMarkers, formatMarkers, knownFormats, next);
  }

  static RedactionSnapshot build(
      List<Redactor.Entry> entries, boolean knownFormats, long nextExpiry) {
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
    for (Redactor.Entry e : entries) {
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
    return new RedactionSnapshot(automaton, secretMarkers, formatMarkers, knownFormats, nextExpiry);
  }

  /** True if some pattern could occur inside a marker body. */
  private static boolean bodyHazard(
      List<String> patterns, List<String> bodies, List<String> labelBodies) {
    int longest = "REDACTED:".length() + Fingerprints.LENGTH;
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
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == ':'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static char fallbackChar(@Nullable AhoCorasick automaton) {
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

  /**
   * How far past a cut the redactor may need to see before it can tell what the text before the cut
   * holds: the anchored formats of {@link KnownFormats} look at most this far past the start of
   * their anchor (a keyword, 32 chars of suffix, quotes, blanks, separator and scheme, then a value
   * of at most 4096 chars). Formats that read further (a JWT, a PEM block) are redacted to the end
   * of the text when they reach it, or hold no credential yet (a JWT cut before its signature).
   */
  static final int FORMAT_REACH = 4096 + 256;

  String redact(String text) {
    return redact(text, text.length());
  }

  /**
   * Redacts the start of a longer text whose rest was not seen: the last chars where a live
   * secret's form or an anchored format could begin and run on past the end are left out, so the
   * result is what {@link #redact(String)} gives for the whole text, up to a point before any cut
   * secret or format; a marker whose match starts before that point is kept whole.
   */
  String redactTruncated(String text) {
    int reach = 0;
    if (automaton != null) {
      reach = Math.max(0, automaton.maxSecretLength() - 1);
      if (knownFormats) {
        reach = Math.max(reach, FORMAT_REACH);
      }
    }
    int certified = Math.max(0, text.length() - reach);
    if (certified > 0
        && certified < text.length()
        && Character.isLowSurrogate(text.charAt(certified))
        && Character.isHighSurrogate(text.charAt(certified - 1))) {
      certified--;
    }
    return redact(text, certified);
  }

  /**
   * Redacts the whole text and returns the redaction of its first {@code limit} chars: matches are
   * found in all of {@code text}; one that starts before {@code limit} is replaced whole.
   */
  private String redact(String text, int limit) {
    AhoCorasick ac = automaton;
    if (ac == null) {
      return limit == text.length() ? text : text.substring(0, limit);
    }
    AhoCorasick.Hits hits = ac.scan(text, null);
    if (hits == null) {
      return limit == text.length() ? text : text.substring(0, limit);
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
      return limit == text.length() ? text : text.substring(0, limit);
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
                    : format[a] != format[b]
                        ? Boolean.compare(format[a], format[b])
                        : Integer.compare(a, b));
    StringBuilder out = new StringBuilder(text.length() + 16 * m);
    int cursor = 0;
    int k = 0;
    while (k < m && cursor < limit) {
      int first = order[k];
      if (ends[first] <= cursor) {
        k++;
        continue;
      }
      if (starts[first] >= limit) {
        break;
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
    if (cursor < limit) {
      out.append(text, cursor, limit);
    }
    return out.toString();
  }
}
