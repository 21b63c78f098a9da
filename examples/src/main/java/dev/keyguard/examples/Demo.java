package dev.keyguard.examples;

import java.io.PrintStream;
import java.util.Map;

/**
 * The KeyGuard demo, the README's "run it" command ({@code scripts/demo.sh}).
 *
 * <p>Without arguments it runs offline, start to finish: a local HTTPS market-data API with a
 * certificate generated at start, a key in a mounted-secret-style directory read by {@code
 * FileKeyProvider} through a {@code KeyManager}, prices fetched with {@code KeyGuardClient}, a key
 * rotation survived by one retry, an http:// URL and an https-to-http redirect refused, a redirect
 * to another origin followed without the key, and an application log line with the key redacted. It
 * checks each of these claims, and that the key appears nowhere in its output, and exits 0 only if
 * all held. If the environment variable {@code DEMO_API_KEY} is set, its value is the initial key,
 * so anyone can grep the output for it.
 *
 * <p>With arguments it calls a real API instead ({@link RealApiOptions#USAGE}).
 */
public final class Demo {

  private Demo() {}

  /**
   * Runs the demo and exits with its status.
   *
   * @param args none for the offline demo; see {@link RealApiOptions#USAGE} for a real API
   */
  public static void main(String[] args) {
    int status = run(args, System.out, System.getenv());
    System.out.flush();
    System.exit(status);
  }

  /**
   * Runs the demo in this process.
   *
   * @param args the command line
   * @param out where the output goes
   * @param env the environment
   * @return the exit status: 0 if everything held, 1 if a guarantee did not hold or the call
   *     failed, 2 for a usage error
   */
  static int run(String[] args, PrintStream out, Map<String, String> env) {
    if (args.length == 0) {
      return OfflineDemo.run(out, env).exitStatus();
    }
    RealApiOptions options;
    try {
      options = RealApiOptions.parse(args);
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.println();
      out.println(RealApiOptions.USAGE);
      return 2;
    }
    if (options.help()) {
      out.println(RealApiOptions.USAGE);
      return 0;
    }
    return RealApiCall.run(options, out, env);
  }
}
