package dev.keyguard.internal;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An immutable Aho-Corasick automaton over UTF-16 chars, built once and then shared by any number
 * of threads without locking.
 *
 * <p>Two kinds of pattern share one automaton: <em>secret</em> patterns (the text forms of a
 * registered secret) and <em>anchor</em> patterns (the fixed prefixes and keywords that start a
 * well-known key format). For every state it precomputes the longest secret pattern and the longest
 * anchor that end there (following dictionary suffix links), so a scan reports, for each end
 * position, the match with the earliest start.
 *
 * <p>Layout, chosen for a tight scan loop:
 *
 * <ul>
 *   <li>Characters are mapped to dense classes ({@code classOf}); class 0 is every char that occurs
 *       in no pattern, whose transition always leads back to the root.
 *   <li>States are numbered breadth-first. The shallow states (where a scan over ordinary text
 *       spends nearly all its time) have complete dense rows: one array read per char. Deeper
 *       states keep sparse children plus a failure link, resolved until a dense state is reached.
 *       The dense part is capped at {@link #DENSE_BUDGET} ints, so memory stays bounded with
 *       thousands of patterns.
 * </ul>
 */
public final class AhoCorasick {

  /** The maximum number of ints in the dense transition table (4 MiB). */
  static final int DENSE_BUDGET = 1 << 20;

  /** Flag on a state where a secret pattern ends. */
  public static final byte SECRET = 1;

  /** Flag on a state where an anchor pattern ends. */
  public static final byte ANCHOR = 2;

  private final char[] classOf;
  private final int width;
  private final int denseStates;
  private final int[] dense;

  /**
   * The dense table as the scan loop reads it: a dense, non-terminal target as its row offset
   * ({@code state * width}, non-negative), any other target {@code t} as {@code ~t} (negative).
   */
  private final int[] fastTable;

  private final int[] sparseStart;
  private final char[] sparseClass;
  private final int[] sparseTarget;
  private final int[] fail;
  private final byte[] flags;
  private final int[] secretLength;
  private final int[] secretId;
  private final int[] anchorId;
  private final int maxSecretLength;

  /**
   * Builds the automaton.
   *
   * @param secrets the secret patterns; each non-empty
   * @param secretIds the payload reported for each secret pattern
   * @param anchors the anchor patterns; each non-empty
   * @param anchorIds the payload reported for each anchor
   */
  public AhoCorasick(List<char[]> secrets, int[] secretIds, List<char[]> anchors, int[] anchorIds) {
    this(secrets, secretIds, anchors, anchorIds, DENSE_BUDGET);
  }

  /**
   * As above, with the size of the dense table given (tests exercise the sparse states with it).
   */
  AhoCorasick(
      List<char[]> secrets,
      int[] secretIds,
      List<char[]> anchors,
      int[] anchorIds,
      int denseBudget) {
    // 1. alphabet compression
    char[] cls = new char[65536];
    int classes = 1;
    int totalChars = 0;
    for (List<char[]> list : List.of(secrets, anchors)) {
      for (char[] p : list) {
        totalChars += p.length;
        for (char c : p) {
          if (cls[c] == 0) {
            if (classes == 65535) {
              throw new IllegalStateException("too many distinct characters in redaction patterns");
            }
            cls[c] = (char) classes++;
          }
        }
      }
    }
    this.classOf = cls;
    this.width = classes;

    // 2. trie with first-child / next-sibling lists
    int capacity = totalChars + 1;
    int[] firstChild = new int[capacity];
    int[] nextSibling = new int[capacity];
    char[] edge = new char[capacity];
    int[] depth = new int[capacity];
    int[] trieSecretId = new int[capacity];
    int[] trieAnchorId = new int[capacity];
    Arrays.fill(firstChild, -1);
    Arrays.fill(nextSibling, -1);
    Arrays.fill(trieSecretId, -1);
    Arrays.fill(trieAnchorId, -1);
    int nodes = 1;
    int maxLen = 0;
    for (int kind = 0; kind < 2; kind++) {
      List<char[]> list = kind == 0 ? secrets : anchors;
      int[] ids = kind == 0 ? secretIds : anchorIds;
      for (int p = 0; p < list.size(); p++) {
        char[] pattern = list.get(p);
        if (pattern.length == 0) {
          throw new IllegalArgumentException("empty pattern");
        }
        int node = 0;
        for (char ch : pattern) {
          char c = cls[ch];
          int child = firstChild[node];
          while (child != -1 && edge[child] != c) {
            child = nextSibling[child];
          }
          if (child == -1) {
            child = nodes++;
            edge[child] = c;
            depth[child] = depth[node] + 1;
            nextSibling[child] = firstChild[node];
            firstChild[node] = child;
          }
          node = child;
        }
        if (kind == 0) {
          // identical patterns from two secrets: the first registered keeps the label
          if (trieSecretId[node] == -1) {
            trieSecretId[node] = ids[p];
          }
          maxLen = Math.max(maxLen, pattern.length);
        } else if (trieAnchorId[node] == -1) {
          trieAnchorId[node] = ids[p];
        }
      }
    }
    this.maxSecretLength = maxLen;

    // 3. breadth-first renumbering
    int[] order = new int[nodes];
    int[] newId = new int[nodes];
    int head = 0;
    int tail = 0;
    order[tail++] = 0;
    while (head < tail) {
      int node = order[head++];
      for (int child = firstChild[node]; child != -1; child = nextSibling[child]) {
        order[tail++] = child;
      }
    }
    for (int i = 0; i < nodes; i++) {
      newId[order[i]] = i;
    }

    int dense = Math.max(1, Math.min(nodes, denseBudget / width));
    this.denseStates = dense;
    this.dense = new int[dense * width];
    this.fail = new int[nodes];
    this.flags = new byte[nodes];
    this.secretLength = new int[nodes];
    this.secretId = new int[nodes];
    this.anchorId = new int[nodes];
    int sparseCount = nodes - dense;
    this.sparseStart = new int[sparseCount + 1];
    int sparseEdges = 0;
    for (int i = dense; i < nodes; i++) {
      for (int child = firstChild[order[i]]; child != -1; child = nextSibling[child]) {
        sparseEdges++;
      }
    }
    this.sparseClass = new char[sparseEdges];
    this.sparseTarget = new int[sparseEdges];
    int edgeCursor = 0;
    for (int i = dense; i < nodes; i++) {
      sparseStart[i - dense] = edgeCursor;
      for (int child = firstChild[order[i]]; child != -1; child = nextSibling[child]) {
        sparseClass[edgeCursor] = edge[child];
        sparseTarget[edgeCursor] = newId[child];
        edgeCursor++;
      }
    }
    sparseStart[sparseCount] = edgeCursor;

    // 4. failure links and outputs, in breadth-first order (a failure link always points to a
    // shallower state, which is complete by the time it is needed)
    for (int i = 0; i < nodes; i++) {
      int node = order[i];
      int s = i;
      int f = s == 0 ? 0 : fail[s];
      if (s < dense) {
        int row = s * width;
        if (s == 0) {
          // root: missing edges loop back to the root (all zero already)
        } else {
          System.arraycopy(this.dense, f * width, this.dense, row, width);
        }
      }
      for (int child = firstChild[node]; child != -1; child = nextSibling[child]) {
        int t = newId[child];
        char c = edge[child];
        if (s < dense) {
          this.dense[s * width + c] = t;
        }
        fail[t] = s == 0 ? 0 : step(f, c);
      }
      // outputs: own pattern, else inherited from the failure state (already computed)
      int sid = trieSecretId[node];
      if (sid != -1) {
        secretId[s] = sid;
        secretLength[s] = depth[node];
      } else if (s != 0) {
        secretId[s] = secretId[f];
        secretLength[s] = secretLength[f];
      }
      int aid = trieAnchorId[node];
      if (aid != -1) {
        anchorId[s] = aid;
      } else if (s != 0) {
        anchorId[s] = anchorId[f];
      } else {
        anchorId[s] = -1;
      }
      if (secretLength[s] > 0) {
        flags[s] |= SECRET;
      }
      if (anchorId[s] >= 0 && s != 0) {
        flags[s] |= ANCHOR;
      }
    }
    anchorId[0] = -1;

    int[] fast = new int[this.dense.length];
    for (int k = 0; k < fast.length; k++) {
      int t = this.dense[k];
      fast[k] = t < dense && flags[t] == 0 ? t * width : ~t;
    }
    this.fastTable = fast;
  }

  /** The transition from a state on a char class, following failure links through sparse states. */
  private int step(int s, int c) {
    if (c == 0) {
      return 0;
    }
    while (s >= denseStates) {
      int i = s - denseStates;
      for (int k = sparseStart[i], end = sparseStart[i + 1]; k < end; k++) {
        if (sparseClass[k] == c) {
          return sparseTarget[k];
        }
      }
      s = fail[s];
    }
    return dense[s * width + c];
  }

  /**
   * Scans the text and records every position where a pattern ends.
   *
   * @param text the text
   * @param hits where to record hits, or null
   * @return the hits (the given object, a new one if it was null and something matched), or null if
   *     nothing matched
   */
  public @Nullable Hits scan(String text, @Nullable Hits hits) {
    final char[] cls = classOf;
    final int[] table = fastTable;
    final int w = width;
    final int denseLimit = denseStates;
    final byte[] f = flags;
    final int n = text.length();
    final char[] chars = buffer(n);
    text.getChars(0, n, chars, 0);
    // fast mode: off is the row offset of a dense, non-terminal state; one load per char
    int off = 0;
    int i = 0;
    outer:
    while (i < n) {
      int v = table[off + cls[chars[i]]];
      i++;
      if (v >= 0) {
        off = v;
        continue;
      }
      // slow mode: a terminal state, or a deep (sparse) one; step until back in a dense state
      int s = ~v;
      while (true) {
        if (f[s] != 0) {
          if (hits == null) {
            hits = new Hits();
          }
          hits.add(i, s);
        }
        if (s < denseLimit) {
          off = s * w;
          continue outer;
        }
        if (i >= n) {
          break outer;
        }
        s = step(s, cls[chars[i]]);
        i++;
      }
    }
    return hits;
  }

  private static final int MAX_CACHED_BUFFER = 1 << 14;
  private static final ThreadLocal<char[]> BUFFER = ThreadLocal.withInitial(() -> new char[1024]);

  /** A per-thread scratch array: the scan reads a plain array, without String's per-char checks. */
  private static char[] buffer(int n) {
    if (n > MAX_CACHED_BUFFER) {
      return new char[n];
    }
    char[] b = BUFFER.get();
    if (b.length < n) {
      b = new char[Math.max(n, b.length * 2)];
      BUFFER.set(b);
    }
    return b;
  }

  /**
   * The flags of a state.
   *
   * @param state a state reported in {@link Hits}
   * @return {@link #SECRET}, {@link #ANCHOR} or both
   */
  public byte flags(int state) {
    return flags[state];
  }

  /**
   * The length of the longest secret pattern ending in a state.
   *
   * @param state a state
   * @return the length, 0 if none
   */
  public int secretLength(int state) {
    return secretLength[state];
  }

  /**
   * The payload of the longest secret pattern ending in a state.
   *
   * @param state a state with {@link #SECRET}
   * @return the payload
   */
  public int secretId(int state) {
    return secretId[state];
  }

  /**
   * The payload of the longest anchor ending in a state.
   *
   * @param state a state with {@link #ANCHOR}
   * @return the payload
   */
  public int anchorId(int state) {
    return anchorId[state];
  }

  /**
   * The length of the longest secret pattern.
   *
   * @return the length
   */
  public int maxSecretLength() {
    return maxSecretLength;
  }

  /**
   * Tells whether a char occurs in any pattern.
   *
   * @param c the char
   * @return true if some pattern contains it
   */
  public boolean usesChar(char c) {
    return classOf[c] != 0;
  }

  /**
   * The number of states.
   *
   * @return the state count
   */
  public int stateCount() {
    return fail.length;
  }

  /** Positions where a pattern ends, with the state reached there; grows as needed. */
  public static final class Hits {
    private int[] ends = new int[8];
    private int[] states = new int[8];
    private int size;

    void add(int end, int state) {
      if (size == ends.length) {
        ends = Arrays.copyOf(ends, size * 2);
        states = Arrays.copyOf(states, size * 2);
      }
      ends[size] = end;
      states[size] = state;
      size++;
    }

    /**
     * The number of hits.
     *
     * @return the count
     */
    public int size() {
      return size;
    }

    /**
     * The exclusive end of hit {@code i}.
     *
     * @param i the hit index
     * @return the end
     */
    public int end(int i) {
      return ends[i];
    }

    /**
     * The state reached at hit {@code i}.
     *
     * @param i the hit index
     * @return the state
     */
    public int state(int i) {
      return states[i];
    }
  }
}
