package dev.keyguard.bench;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The usage monitor's cost as a ratio, measured so that a loaded, shared machine does not decide
 * it: the clients with and without the monitor ({@link UsageMonitorBenchmark}'s, same setup) run in
 * one process, alternating in short rounds (the order swapped every round), and each round reads
 * the calling thread's CPU time and allocated bytes, not the wall clock. Prints the median and the
 * quartiles of the per-round ratios.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.keyguard.bench.UsageMonitorOverhead [rounds] [callsPerRound]
 * </pre>
 */
public final class UsageMonitorOverhead {

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private UsageMonitorOverhead() {}

  /**
   * Runs the comparison.
   *
   * @param args rounds (default 40) and calls per round (default 20,000 in process, a tenth of it
   *     over loopback)
   * @throws Exception if the setup fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    UsageMonitorBenchmark off = new UsageMonitorBenchmark();
    off.monitor = "off";
    off.setUp();
    UsageMonitorBenchmark on = new UsageMonitorBenchmark();
    on.monitor = "on";
    on.setUp();
    try {
      compare("in process", off::inProcess, on::inProcess, rounds, calls);
      compare("loopback  ", off::loopback, on::loopback, rounds, Math.max(100, calls / 10));
    } finally {
      off.tearDown();
      on.tearDown();
    }
  }

  private static void compare(
      String name, Supplier<String> off, Supplier<String> on, int rounds, int calls) {
    // warm-up: both paths compiled before anything is measured
    for (int i = 0; i < 3; i++) {
      measure(off, calls);
      measure(on, calls);
    }
    List<Double> cpuRatio = new ArrayList<>();
    double offCpu = 0;
    double onCpu = 0;
    double offBytes = 0;
    double onBytes = 0;
    for (int r = 0; r < rounds; r++) {
      double[] a;
      double[] b;
      if (r % 2 == 0) {
        a = measure(off, calls);
        b = measure(on, calls);
      } else {
        b = measure(on, calls);
        a = measure(off, calls);
      }
      cpuRatio.add(b[0] / a[0]);
      offCpu += a[0];
      onCpu += b[0];
      offBytes += a[1];
      onBytes += b[1];
    }
    double[] sorted = cpuRatio.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf(
        Locale.ROOT,
        "%s  CPU per call: off %.0f ns, on %.0f ns; on/off median %.4f (quartiles %.4f..%.4f,"
            + " %d rounds of %d calls); allocated per call: off %.0f B, on %.0f B%n",
        name,
        offCpu / rounds,
        onCpu / rounds,
        quantile(sorted, 0.5),
        quantile(sorted, 0.25),
        quantile(sorted, 0.75),
        rounds,
        calls,
        offBytes / rounds,
        onBytes / rounds);
  }

  /** CPU nanoseconds and bytes allocated per call, on this thread. */
  private static double[] measure(Supplier<String> call, int n) {
    long thread = Thread.currentThread().getId();
    long bytes = THREADS.getThreadAllocatedBytes(thread);
    long cpu = THREADS.getCurrentThreadCpuTime();
    int sink = 0;
    for (int i = 0; i < n; i++) {
      sink += call.get().length();
    }
    long cpuUsed = THREADS.getCurrentThreadCpuTime() - cpu;
    long allocated = THREADS.getThreadAllocatedBytes(thread) - bytes;
    if (sink == 42) {
      System.out.print("");
    }
    return new double[] {(double) cpuUsed / n, (double) allocated / n};
  }

  private static double quantile(double[] sorted, double q) {
    double[] s = Arrays.copyOf(sorted, sorted.length);
    int i = (int) Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))));
    return s[i];
  }
}
