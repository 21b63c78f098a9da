package dev.keyguard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.Security;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The hosts file of this JVM, for a DNS failure that is real to every HTTP stack in the process: a
 * name that resolved stops resolving ({@link UnknownHostException} from {@link
 * InetAddress#getAllByName}, whatever client asks), then resolves again.
 *
 * <p>The JVM must be started with {@code -Djdk.net.hosts.file=<a writable file>} (the JDK then
 * resolves every name from that file instead of the system resolver, and reads it again on each
 * lookup) and with address caching off: {@code networkaddress.cache.ttl=0} and {@code
 * networkaddress.cache.negative.ttl=0} in a file passed as {@code
 * -Djava.security.properties=<file>} (the JDK's own {@code java.security} caches a failed lookup
 * for 10 seconds, and a security property wins over the {@code sun.net.inetaddr.*} system
 * properties). The module poms of this project set both for their integration tests; {@link
 * #ofThisJvm()} refuses to work without them, naming what is missing.
 *
 * <pre>{@code
 * HostsFile hosts = HostsFile.ofThisJvm();
 * hosts.map("kv.keyguard.test", "127.0.0.1");   // before the client is built
 * hosts.stopResolving("kv.keyguard.test");      // the fault
 * hosts.resolveAgain("kv.keyguard.test");       // the fault cleared
 * }</pre>
 *
 * <p>Each change is written whole (a temporary file moved into place) and then checked with a real
 * lookup, so a test never runs a fault that did not happen. Thread-safe; one instance per file.
 */
public final class HostsFile {

  /** The system property naming the hosts file. */
  public static final String PROPERTY = "jdk.net.hosts.file";

  private static final Map<Path, HostsFile> INSTANCES = new LinkedHashMap<>();

  private final Path file;

  /** Mappings, in the file's order: name → address. */
  private final Map<String, String> mapped = new LinkedHashMap<>();

  /** The names that currently do not resolve, with the address they resolve to again. */
  private final Map<String, String> stopped = new LinkedHashMap<>();

  /** Comment and blank lines, kept as they are. */
  private final List<String> otherLines = new ArrayList<>();

  private HostsFile(Path file) {
    this.file = file;
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int hash = line.indexOf('#');
        String content = (hash < 0 ? line : line.substring(0, hash)).strip();
        String[] fields = content.split("\\s+");
        if (content.isEmpty()) {
          otherLines.add(line);
        } else {
          for (int i = 1; i < fields.length; i++) {
            mapped.putIfAbsent(fields[i].toLowerCase(Locale.ROOT), fields[0]);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the hosts file " + file, e);
    }
  }

  /**
   * The hosts file named by {@code -Djdk.net.hosts.file}, with address caching checked to be off.
   *
   * @return the hosts file
   * @throws IllegalStateException if the property is not set, the file does not exist, or a
   *     security property still caches lookups
   */
  public static HostsFile ofThisJvm() {
    String configured = System.getProperty(PROPERTY);
    if (configured == null || configured.isBlank()) {
      throw new IllegalStateException(
          "-D"
              + PROPERTY
              + " is not set: start the test JVM with -D"
              + PROPERTY
              + "=<a writable hosts file> and -Djava.security.properties=<a file with"
              + " networkaddress.cache.ttl=0 and networkaddress.cache.negative.ttl=0> (the"
              + " failsafe argLine of the module pom)");
    }
    for (String cache : List.of("networkaddress.cache.ttl", "networkaddress.cache.negative.ttl")) {
      if (!"0".equals(Security.getProperty(cache))) {
        throw new IllegalStateException(
            "the security property "
                + cache
                + " is "
                + Security.getProperty(cache)
                + ", not 0: a lookup would be served from the JVM's cache; pass a file with "
                + cache
                + "=0 as -Djava.security.properties");
      }
    }
    Path file = Paths.get(configured).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "the hosts file " + file + " (-D" + PROPERTY + ") does not exist");
    }
    synchronized (INSTANCES) {
      return INSTANCES.computeIfAbsent(file, HostsFile::new);
    }
  }

  /**
   * The file.
   *
   * @return its path
   */
  public Path path() {
    return file;
  }

  /**
   * Makes {@code name} resolve to {@code address} (a literal IP address), and checks that it does.
   *
   * @param name a host name
   * @param address the IP address it resolves to, such as {@code 127.0.0.1}
   * @return this hosts file
   */
  public synchronized HostsFile map(String name, String address) {
    String key = key(name);
    Objects.requireNonNull(address, "address");
    stopped.remove(key);
    mapped.put(key, address);
    write();
    checkResolves(key);
    return this;
  }

  /**
   * Makes {@code name} stop resolving, and checks that a lookup fails.
   *
   * @param name a name that resolves now
   * @return this hosts file
   * @throws IllegalArgumentException if the name does not resolve from this file
   */
  public synchronized HostsFile stopResolving(String name) {
    String key = key(name);
    if (stopped.containsKey(key)) {
      return this;
    }
    String address = mapped.remove(key);
    if (address == null) {
      throw new IllegalArgumentException(
          "'" + name + "' is not in the hosts file " + file + ": map(...) it first");
    }
    stopped.put(key, address);
    write();
    try {
      InetAddress.getAllByName(key);
    } catch (UnknownHostException expected) {
      return this;
    }
    throw new IllegalStateException(
        "'" + name + "' still resolves after it was removed from " + file);
  }

  /**
   * Makes a name that {@link #stopResolving stopped resolving} resolve again, and checks that it
   * does; does nothing for a name that resolves.
   *
   * @param name the name
   * @return this hosts file
   */
  public synchronized HostsFile resolveAgain(String name) {
    String key = key(name);
    String address = stopped.remove(key);
    if (address != null) {
      mapped.put(key, address);
      write();
      checkResolves(key);
    }
    return this;
  }

  private static String key(String name) {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9.-]{1,253}")) {
      throw new IllegalArgumentException("not a host name: " + name);
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private void checkResolves(String name) {
    try {
      InetAddress.getAllByName(name);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("'" + name + "' does not resolve from " + file, e);
    }
  }

  private void write() {
    StringBuilder text = new StringBuilder();
    for (String line : otherLines) {
      text.append(line).append('\n');
    }
    mapped.forEach((name, address) -> text.append(address).append(' ').append(name).append('\n'));
    try {
      Path tmp = Files.createTempFile(file.getParent(), ".hosts", ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the hosts file " + file, e);
    }
  }

  /** Returns the file and the names that do not resolve now. */
  @Override
  public synchronized String toString() {
    return "HostsFile[" + file + ", not resolving " + stopped.keySet() + "]";
  }
}
