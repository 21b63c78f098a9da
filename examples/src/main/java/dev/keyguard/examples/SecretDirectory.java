package dev.keyguard.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A temporary directory laid out the way Kubernetes mounts a Secret volume, and updated the way the
 * kubelet updates it: each key is a link {@code <key> -> ..data/<key>}, {@code ..data} links to a
 * timestamped directory, and an update writes a new timestamped directory and then swaps {@code
 * ..data} in one atomic rename. A reader sees the old key or the new one, never a half-written
 * file.
 *
 * <p>Where the file system has no symbolic links, the file itself is replaced by an atomic rename
 * instead. Files are created readable by the owner only. {@link #close()} deletes it all.
 */
final class SecretDirectory implements AutoCloseable {

  private static final String DATA = "..data";

  private final Path root;
  private final boolean posix;
  private final AtomicInteger generation = new AtomicInteger();
  private @Nullable Boolean symlinks; // unknown until the first write

  private SecretDirectory(Path root, boolean posix) {
    this.root = root;
    this.posix = posix;
  }

  /** Creates an empty secret directory under the system's temporary directory. */
  static SecretDirectory createTemp() throws IOException {
    try {
      Path root =
          Files.createTempDirectory(
              "keyguard-demo-secrets-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return new SecretDirectory(root, true);
    } catch (UnsupportedOperationException e) {
      return new SecretDirectory(Files.createTempDirectory("keyguard-demo-secrets-"), false);
    }
  }

  /** The directory to give to {@code FileKeyProvider.forDirectory}. */
  Path path() {
    return root;
  }

  /** Whether files are created readable by the owner only (POSIX file systems). */
  boolean ownerOnly() {
    return posix;
  }

  /** The path a key is read from. */
  Path fileOf(String name) {
    return root.resolve(name);
  }

  /** How updates are made, for the narrative. */
  String updateMethod() {
    return Boolean.FALSE.equals(symlinks)
        ? "the file is replaced by an atomic rename"
        : "..data was switched to a new directory by one atomic rename, as the kubelet does";
  }

  /** Writes (or replaces) one key, atomically. */
  synchronized void write(String name, byte[] content) throws IOException {
    if (symlinks == null || symlinks) {
      try {
        writeKubernetesStyle(name, content);
        symlinks = true;
        return;
      } catch (UnsupportedOperationException | FileSystemException e) {
        if (Boolean.TRUE.equals(symlinks)) {
          throw e;
        }
        symlinks = false; // no symbolic links here (Windows without the privilege): plain files
      }
    }
    Path tmp = root.resolve("." + name + ".tmp");
    writeNew(tmp, content);
    Files.move(
        tmp,
        root.resolve(name),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  private void writeKubernetesStyle(String name, byte[] content) throws IOException {
    String stamp = "..keyguard_demo_" + generation.incrementAndGet();
    Path next = root.resolve(stamp);
    Files.createDirectory(next, directoryAttributes());
    writeNew(next.resolve(name), content);
    Path previous =
        Files.isSymbolicLink(root.resolve(DATA))
            ? Files.readSymbolicLink(root.resolve(DATA))
            : null;
    Path tmpLink = root.resolve("..data_tmp");
    Files.deleteIfExists(tmpLink);
    Files.createSymbolicLink(tmpLink, Path.of(stamp));
    Files.move(
        tmpLink,
        root.resolve(DATA),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    Path keyLink = root.resolve(name);
    if (!Files.isSymbolicLink(keyLink)) {
      Files.createSymbolicLink(keyLink, Path.of(DATA, name));
    }
    if (previous != null) {
      deleteTree(root.resolve(previous));
    }
  }

  private void writeNew(Path file, byte[] content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, fileAttributes());
    Files.write(file, content);
  }

  private FileAttribute<?>[] directoryAttributes() {
    return posix
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
        }
        : new FileAttribute<?>[0];
  }

  private FileAttribute<?>[] fileAttributes() {
    return posix
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
        }
        : new FileAttribute<?>[0];
  }

  /** Deletes the directory and everything in it (links are deleted, not followed). */
  @Override
  public void close() {
    try {
      deleteTree(root);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete the demo's secret directory " + root, e);
    }
  }

  private static void deleteTree(Path top) throws IOException {
    if (!Files.exists(top, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        top,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
