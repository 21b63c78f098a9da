package dev.keyguard.provider;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.TimeSource;
import dev.keyguard.VersionedCredential;
import dev.keyguard.internal.ExceptionTexts;
import dev.keyguard.internal.RefusingSerializer;
import dev.keyguard.key.KeyProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyProvider} that reads keys from files: a mounted secret directory as Kubernetes
 * projects it (one file per key, named by the key id), a Docker secret under {@code /run/secrets},
 * a file written by a Vault or CSI agent; or, in single-file mode, explicitly named files.
 *
 * <p>The file is read again at every {@link #fetch(KeyId)}, so a change on disk (Kubernetes updates
 * a mounted secret in place) is seen at the key manager's next refresh. Symbolic links are
 * followed: Kubernetes links each key to {@code ..data/<key>}, and {@code ..data} to a timestamped
 * directory that it swaps atomically on update. A fetch that races such a swap resolves the links
 * again. The content is parsed by a {@link CredentialFieldMapping} (a plain API key, or a JSON
 * object); the version is derived from the fingerprints of the content, so an unchanged file is the
 * same version, unless the JSON has a {@code version} field.
 *
 * <pre>{@code
 * // volumeMounts: - name: api-keys, mountPath: /etc/keyguard, readOnly: true
 * KeyProvider files = FileKeyProvider.forDirectory(Path.of("/etc/keyguard"));
 * VersionedCredential credential = files.fetch(KeyId.of("binance")); // reads /etc/keyguard/binance
 *
 * // single-file mode
 * KeyProvider one = FileKeyProvider.builder()
 *     .file(KeyId.of("stripe"), Path.of("/run/secrets/stripe_key"))
 *     .build();
 * }</pre>
 *
 * <h2>Errors</h2>
 *
 * <ul>
 *   <li>{@link KeyNotFoundException}: the file (or the directory) does not exist, or, in
 *       single-file mode, no file is configured for the key.
 *   <li>{@link KeyAccessDeniedException}: the process may not read the file; or the key id is not a
 *       plain file name ({@code ../x}, {@code a/b}, an absolute path, {@code ..data}), or the file
 *       resolves through links to a place outside the directory. Such a key id is refused rather
 *       than reported as not found, so that a {@link ChainKeyProvider} does not quietly move on.
 *   <li>{@link MalformedSecretException}: the path is a directory or not a regular file (a pipe, a
 *       device), the file is empty, blank, larger than {@value #MAX_FILE_BYTES} bytes (64 KiB), not
 *       UTF-8, or malformed JSON. No more than the limit is ever read, and the message never echoes
 *       the content.
 *   <li>{@link KeyProviderUnavailableException}: any other I/O error; retryable.
 * </ul>
 *
 * <p>A file that every user of the machine may read (POSIX permission {@code o+r}) logs one warning
 * per file, naming the path: restrict it to the application's user ({@code chmod 600}, or
 * Kubernetes {@code defaultMode: 0400}). Logs (SLF4J) name key ids, paths and versions, never
 * content.
 *
 * <p>Immutable and thread-safe. Neither Java- nor Jackson-serializable.
 */
@JsonSerialize(using = RefusingSerializer.class)
public final class FileKeyProvider implements KeyProvider {

  /** The largest key file read, in bytes: 64 KiB. */
  public static final int MAX_FILE_BYTES = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(FileKeyProvider.class);

  /** Resolutions tried when a file disappears between resolving its links and opening it. */
  private static final int ATTEMPTS = 5;

  private final @Nullable Path directory;
  private final Map<KeyId, Path> files;
  private final CredentialFieldMapping mapping;
  private final TimeSource timeSource;
  private final Opener opener;
  private final Set<Path> warnedWorldReadable = ConcurrentHashMap.newKeySet();

  private FileKeyProvider(Builder b) {
    this.directory = b.directory;
    this.files = Collections.unmodifiableMap(new LinkedHashMap<>(b.files));
    this.mapping = b.fieldMapping;
    this.timeSource = b.timeSource;
    this.opener = b.opener;
  }

  /**
   * A provider of the files in a directory, each named by its key id, with the default field
   * mapping.
   *
   * @param directory the directory, such as a Kubernetes secret volume's mount path
   * @return the provider
   */
  public static FileKeyProvider forDirectory(Path directory) {
    return builder().directory(directory).build();
  }

  /**
   * Starts a file provider; set a {@link Builder#directory(Path) directory} or {@link
   * Builder#file(KeyId, Path) files}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The file a key id is read from (before links are resolved).
   *
   * @param keyId the key id
   * @return the file's path
   * @throws KeyAccessDeniedException if the key id is not a plain file name inside the directory
   * @throws KeyNotFoundException in single-file mode, if no file is configured for the key
   */
  public Path fileOf(KeyId keyId) {
    Objects.requireNonNull(keyId, "keyId");
    if (directory == null) {
      Path file = files.get(keyId);
      if (file == null) {
        throw new KeyNotFoundException(
            "key '"
                + keyId
                + "': no file is configured for this key (configured: "
                + new TreeSet<>(files.keySet())
                + ")",
            keyId);
      }
      return file;
    }
    String name = keyId.value();
    if (name.equals(".")
        || name.startsWith("..")
        || name.indexOf('/') >= 0
        || name.indexOf('\\') >= 0
        || name.indexOf('\0') >= 0) {
      throw notAFileName(keyId);
    }
    Path file;
    try {
      file = directory.resolve(name);
    } catch (InvalidPathException e) {
      throw notAFileName(keyId);
    }
    if (!directory.equals(file.getParent()) || !name.equals(file.getFileName().toString())) {
      throw notAFileName(keyId);
    }
    return file;
  }

  /**
   * Reads the key's file and parses it.
   *
   * @param keyId the key to fetch
   * @return the credential, fetched now
   * @throws KeyNotFoundException if the file or directory does not exist
   * @throws KeyAccessDeniedException if the file is not readable, or the key id would leave the
   *     directory
   * @throws MalformedSecretException if the path is not a regular file, or the content is empty,
   *     blank, too large, not UTF-8 or malformed JSON
   * @throws KeyProviderUnavailableException for other I/O errors
   */
  @Override
  public VersionedCredential fetch(KeyId keyId) {
    Path file = fileOf(keyId);
    if (directory != null && !Files.isDirectory(directory)) {
      throw new KeyNotFoundException(
          "key '"
              + keyId
              + "': the secret directory "
              + directory
              + " does not exist or is not a directory; is the volume mounted?",
          keyId);
    }
    IOException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        return read(keyId, file);
      } catch (NoSuchFileException e) {
        // missing, or Kubernetes swapped ..data between link resolution and open: resolve again
        last = e;
      } catch (AccessDeniedException e) {
        throw new KeyAccessDeniedException(
            "key '"
                + keyId
                + "': the secret file "
                + file
                + " is not readable by this process;"
                + " give the application's user read access (Kubernetes: defaultMode or fsGroup)",
            e,
            keyId,
            null);
      } catch (IOException e) {
        last = e;
      }
    }
    // ATTEMPTS is at least 1, so every way out of the loop but a return or a throw sets last
    IOException failure = Objects.requireNonNull(last, "last failure");
    if (failure instanceof NoSuchFileException) {
      throw new KeyNotFoundException(
          "key '" + keyId + "': the secret file " + file + " does not exist", keyId);
    }
    throw new KeyProviderUnavailableException(
        "key '"
            + keyId
            + "': reading the secret file "
            + file
            + " failed ("
            + failure.getClass().getSimpleName()
            + ")",
        failure,
        keyId,
        null);
  }

  /** Returns {@code file}. */
  @Override
  public String name() {
    return "file";
  }

  /** Names the directory or the configured files; never content. */
  @Override
  public String toString() {
    return directory != null
        ? "FileKeyProvider[directory=" + directory + "]"
        : "FileKeyProvider[files=" + files + "]";
  }

  private VersionedCredential read(KeyId keyId, Path file) throws IOException {
    Path real = file.toRealPath();
    if (directory != null) {
      Path realDirectory = directory.toRealPath();
      if (!real.startsWith(realDirectory) || real.equals(realDirectory)) {
        throw new KeyAccessDeniedException(
            "key '"
                + keyId
                + "': the secret file "
                + file
                + " links to a place outside the"
                + " secret directory "
                + directory
                + "; refusing to follow it",
            keyId);
      }
    }
    // From here on the path is resolved again by each system call, which the kernel does in one
    // step: Kubernetes renames ..data to the new directory before it deletes the old one, so each
    // step finds a whole generation. Resolving the real path (in user space, link by link) is the
    // only step that can race with a swap; the caller retries it. A later step may see a newer
    // generation than the containment check, which is again inside the directory: only whoever
    // can write the directory (and so the keys) could make them differ otherwise.
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (attributes.isDirectory()) {
      throw malformed(keyId, file, "is a directory; it must be a file holding the key");
    }
    if (!attributes.isRegularFile()) {
      throw malformed(keyId, file, "is not a regular file; it must be a file holding the key");
    }
    warnIfWorldReadable(keyId, file);
    byte[] content = readBounded(keyId, file);
    try {
      if (content.length == 0) {
        throw malformed(keyId, file, "is empty; it must hold the API key or a JSON object");
      }
      VersionedCredential credential;
      try {
        credential = mapping.parse(keyId, content).fetchedAt(timeSource.now()).build();
      } catch (MalformedSecretException e) {
        // adds the file to the mapping's message: absorbs the exception rather than wrap it
        throw ExceptionTexts.absorb(
            new MalformedSecretException(
                "secret file " + file + ": " + e.getMessage(), e.getCause(), keyId, null),
            e);
      }
      LOG.debug("key '{}' read from {}, version {}", keyId, file, credential.version());
      return credential;
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /** Reads at most MAX_FILE_BYTES + 1 bytes, whatever the file's size claims to be. */
  private byte[] readBounded(KeyId keyId, Path file) throws IOException {
    byte[] buffer = new byte[MAX_FILE_BYTES + 1];
    int length = 0;
    try {
      try (InputStream in = opener.open(file)) {
        while (length < buffer.length) {
          int n = in.read(buffer, length, buffer.length - length);
          if (n < 0) {
            break;
          }
          length += n;
        }
      }
      if (length > MAX_FILE_BYTES) {
        throw malformed(
            keyId,
            file,
            "is larger than "
                + MAX_FILE_BYTES
                + " bytes (64 KiB); a key file holds one key or a"
                + " small JSON object");
      }
      return Arrays.copyOf(buffer, length);
    } finally {
      Arrays.fill(buffer, (byte) 0);
    }
  }

  private void warnIfWorldReadable(KeyId keyId, Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> permissions = view.readAttributes().permissions();
    if (permissions.contains(PosixFilePermission.OTHERS_READ) && warnedWorldReadable.add(file)) {
      LOG.warn(
          "secret file {} of key '{}' is readable by every user of the machine ({}); restrict it"
              + " to the application's user (chmod 600, or Kubernetes defaultMode: 0400)",
          file,
          keyId,
          PosixFilePermissions.toString(permissions));
    }
  }

  private KeyAccessDeniedException notAFileName(KeyId keyId) {
    return new KeyAccessDeniedException(
        "key id '"
            + keyId
            + "' is not a plain file name inside the secret directory "
            + directory
            + ": it must not contain '/' or '\\', be '.', or start with '..' (reserved by"
            + " Kubernetes); use a file name as the key id",
        keyId);
  }

  private static MalformedSecretException malformed(KeyId keyId, Path file, String problem) {
    return new MalformedSecretException(
        "key '" + keyId + "': the secret file " + file + " " + problem, keyId);
  }

  /** Opens a file for reading; replaced in tests to simulate I/O failures. */
  @FunctionalInterface
  interface Opener {
    InputStream open(Path path) throws IOException;
  }

  /**
   * Builds a {@link FileKeyProvider}: either a {@link #directory(Path) directory} or one or more
   * {@link #file(KeyId, Path) files}. The last call of a setter wins: calling it again replaces the
   * earlier value (for {@link #file(KeyId, Path)}, the file of that key). Each value is checked as
   * it is set; {@link #build()} rejects settings that are missing or cannot be combined. Not
   * thread-safe.
   *
   * <pre>{@code
   * FileKeyProvider provider = FileKeyProvider.builder()
   *     .directory(Path.of("/etc/keyguard"))
   *     .fieldMapping(CredentialFieldMapping.builder().apiKeyField("key").build())
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private @Nullable Path directory;
    private final Map<KeyId, Path> files = new LinkedHashMap<>();
    private CredentialFieldMapping fieldMapping = CredentialFieldMapping.defaults();
    private TimeSource timeSource = TimeSource.system();
    private Opener opener = Files::newInputStream;

    private Builder() {}

    /**
     * Reads each key from the file named by its key id in this directory.
     *
     * @param directory the directory; need not exist yet (a fetch before it does is "not found")
     * @return this builder
     */
    public Builder directory(Path directory) {
      Objects.requireNonNull(directory, "directory");
      this.directory = directory.toAbsolutePath().normalize();
      return this;
    }

    /**
     * Single-file mode: reads one key from one file. May be called for several keys; calling it
     * again for the same key replaces that key's file.
     *
     * @param keyId the key
     * @param file the file holding it
     * @return this builder
     */
    public Builder file(KeyId keyId, Path file) {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(file, "file");
      files.put(keyId, file.toAbsolutePath().normalize());
      return this;
    }

    /**
     * Sets how the content maps to credential parts (default {@link
     * CredentialFieldMapping#defaults()}).
     *
     * @param mapping the field mapping
     * @return this builder
     */
    public Builder fieldMapping(CredentialFieldMapping mapping) {
      this.fieldMapping = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    /**
     * Sets the time source that stamps {@link VersionedCredential#fetchedAt()} (default {@link
     * TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    Builder opener(Opener opener) {
      this.opener = Objects.requireNonNull(opener, "opener");
      return this;
    }

    /**
     * Builds the provider.
     *
     * @return the provider
     * @throws IllegalStateException if neither a directory nor a file is set, or both are
     */
    public FileKeyProvider build() {
      if (directory == null && files.isEmpty()) {
        throw new IllegalStateException("set directory(...) or at least one file(...)");
      }
      if (directory != null && !files.isEmpty()) {
        throw new IllegalStateException(
            "directory(...) and file(...) cannot be combined; chain two providers instead");
      }
      return new FileKeyProvider(this);
    }
  }
}
