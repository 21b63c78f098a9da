package dev.keyguard.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The live threads of the JVM at one moment (from {@link ThreadMXBean}), to check that code under
 * test leaves no thread behind:
 *
 * <pre>{@code
 * ThreadSnapshot before = ThreadSnapshot.take();
 * // ... build, use and close a KeyManager and its provider ...
 * await().atMost(Duration.ofSeconds(5)).until(() -> before.newThreads().isEmpty());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ThreadSnapshot {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Set<Long> ids;
  private final int count;

  private ThreadSnapshot(Set<Long> ids, int count) {
    this.ids = ids;
    this.count = count;
  }

  /**
   * Takes a snapshot of the live threads.
   *
   * @return the snapshot
   */
  public static ThreadSnapshot take() {
    Set<Long> ids = new HashSet<>();
    for (long id : THREADS.getAllThreadIds()) {
      ids.add(id);
    }
    return new ThreadSnapshot(Set.copyOf(ids), THREADS.getThreadCount());
  }

  /**
   * The number of live threads when the snapshot was taken.
   *
   * @return the count
   */
  public int count() {
    return count;
  }

  /**
   * The names of the threads alive now that were not alive at the snapshot, with their state
   * ({@code "keyguard-refresh-3 (TIMED_WAITING)"}).
   *
   * @return the names, empty if no thread was added
   */
  public List<String> newThreads() {
    List<String> added = new ArrayList<>();
    for (long id : THREADS.getAllThreadIds()) {
      if (!ids.contains(id)) {
        ThreadInfo info = THREADS.getThreadInfo(id);
        if (info != null) {
          added.add(info.getThreadName() + " (" + info.getThreadState() + ")");
        }
      }
    }
    return added;
  }

  /**
   * The bytes allocated so far by every live thread, as HotSpot counts them ({@code
   * com.sun.management.ThreadMXBean}, reached by reflection so that a named module's tests need not
   * read {@code jdk.management}): take the difference around a call to bound the memory it needs.
   * Threads that ended in between are not counted.
   *
   * @return the total, or -1 if this JVM does not count allocations
   */
  public static long allocatedBytes() {
    try {
      Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean");
      if (!hotspot.isInstance(THREADS)) {
        return -1;
      }
      long[] perThread =
          (long[])
              hotspot
                  .getMethod("getThreadAllocatedBytes", long[].class)
                  .invoke(THREADS, (Object) THREADS.getAllThreadIds());
      long total = 0;
      for (long n : perThread) {
        total += Math.max(0, n);
      }
      return total;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return -1;
    }
  }

  /** Returns the thread count. */
  @Override
  public String toString() {
    return "ThreadSnapshot[" + count + " threads]";
  }
}
