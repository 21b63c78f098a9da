package dev.keyguard.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileKeyProviderTest {

  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private final FakeClock clock = new FakeClock(NOW);

  @TempDir Path temp;
  private Path dir;
  private FileKeyProvider provider;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createDirectory(temp.resolve("secrets"));
    provider = FileKeyProvider.builder().directory(dir).timeSource(clock).build();
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Writes a key file readable by its owner only (where the file system has POSIX permissions). */
  private static Path write(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    if (posix()) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    return file;
  }

  @Test
  void fetch_whenFileHoldsAPlainKey_returnsItWithAFingerprintVersion() throws IOException {
    String key = TestSecrets.randomValue();
    write(dir.resolve("stripe"), key + "\n");

    VersionedCredential c = provider.fetch(KeyId.of("stripe"));

    assertThat(c.keyId()).isEqualTo(KeyId.of("stripe"));
    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.version()).isEqualTo(c.apiKey().fingerprint());
    assertThat(c.fetchedAt()).isEqualTo(NOW);
  }

  @Test
  void fetch_whenFileHoldsJson_mapsThePartsAndItsVersion() throws IOException {
    String key = TestSecrets.randomValue();
    String secret = TestSecrets.randomValue();
    write(
        dir.resolve("binance"),
        "{\"apiKey\":\""
            + key
            + "\",\"apiSecret\":\""
            + secret
            + "\",\"version\":\"17\",\"scopes\":\"read\"}");

    VersionedCredential c = provider.fetch(KeyId.of("binance"));

    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.apiSecret().orElseThrow().value(ACCESS)).isEqualTo(secret);
    assertThat(c.version()).isEqualTo("17");
    assertThat(c.scopes()).containsExactly("read");
  }

  @Test
  void fetch_whenCustomFieldMapping_usesIt() throws IOException {
    String key = TestSecrets.randomValue();
    write(dir.resolve("k"), "{\"key\":\"" + key + "\"}");
    FileKeyProvider custom =
        FileKeyProvider.builder()
            .directory(dir)
            .fieldMapping(CredentialFieldMapping.builder().apiKeyField("key").build())
            .build();

    assertThat(custom.fetch(KeyId.of("k")).apiKey().value(ACCESS)).isEqualTo(key);
  }

  @Test
  void fetch_rereadsTheFile_aChangeIsANewVersion_noChangeIsTheSameVersion() throws IOException {
    KeyId id = KeyId.of("rotating");
    write(dir.resolve("rotating"), TestSecrets.randomValue());

    VersionedCredential first = provider.fetch(id);
    VersionedCredential again = provider.fetch(id);
    write(dir.resolve("rotating"), TestSecrets.randomValue());
    VersionedCredential changed = provider.fetch(id);

    assertThat(again.sameVersionAs(first)).isTrue();
    assertThat(changed.sameVersionAs(first)).isFalse();
  }

  @Test
  void fetch_whenKubernetesLayout_followsTheLinksAndSeesAnAtomicUpdate() throws IOException {
    assumeTrue(posix(), "symbolic links of the Kubernetes layout need a POSIX file system");
    KubernetesVolume volume = new KubernetesVolume(dir);
    String first = TestSecrets.randomValue();
    String second = TestSecrets.randomValue();
    volume.update(Map.of("api", first, "other", TestSecrets.randomValue()));

    VersionedCredential before = provider.fetch(KeyId.of("api"));
    volume.update(Map.of("api", second, "other", TestSecrets.randomValue()));
    VersionedCredential after = provider.fetch(KeyId.of("api"));

    assertThat(Files.isSymbolicLink(dir.resolve("api"))).isTrue();
    assertThat(before.apiKey().value(ACCESS)).isEqualTo(first);
    assertThat(after.apiKey().value(ACCESS)).isEqualTo(second);
    assertThat(after.sameVersionAs(before)).isFalse();
  }

  @Test
  void fetch_whileKubernetesSwapsTheDataLinkConcurrently_alwaysServesAWholeValue()
      throws Exception {
    assumeTrue(posix(), "symbolic links of the Kubernetes layout need a POSIX file system");
    KubernetesVolume volume = new KubernetesVolume(dir);
    List<String> written = new ArrayList<>();
    String initial = TestSecrets.randomValue();
    written.add(initial);
    volume.update(Map.of("api", initial));
    Set<String> valid = ConcurrentHashMap.newKeySet();
    valid.add(initial);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicLong reads = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        readers.add(
            pool.submit(
                () -> {
                  while (writing.get() || reads.get() < 100) {
                    try {
                      String value = provider.fetch(KeyId.of("api")).apiKey().value(ACCESS);
                      if (!valid.contains(value)) {
                        failures.add(new AssertionError("served a value that was never written"));
                      }
                      reads.incrementAndGet();
                    } catch (RuntimeException e) {
                      failures.add(e);
                    }
                  }
                }));
      }
      for (int i = 0; i < 150; i++) {
        String next = TestSecrets.randomValue();
        valid.add(next); // valid before it is visible
        volume.update(Map.of("api", next));
      }
      writing.set(false);
      for (Future<?> reader : readers) {
        reader.get();
      }
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }

    assertThat(failures).isEmpty();
    assertThat(reads.get()).isGreaterThanOrEqualTo(100);
  }

  @Test
  void fetch_whenFileMissing_isNotFoundNamingThePath() {
    assertThatThrownBy(() -> provider.fetch(KeyId.of("absent")))
        .isInstanceOfSatisfying(
            KeyNotFoundException.class, e -> assertThat(e.keyId()).contains(KeyId.of("absent")))
        .hasMessageContaining(dir.resolve("absent").toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void fetch_whenDirectoryMissing_isNotFoundNamingTheDirectory() {
    Path missing = temp.resolve("not-mounted");
    FileKeyProvider p = FileKeyProvider.forDirectory(missing);

    assertThatThrownBy(() -> p.fetch(KeyId.of("k")))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("is the volume mounted");
  }

  @Test
  void fetch_whenPathIsADirectory_isMalformedSayingSo() throws IOException {
    Files.createDirectory(dir.resolve("sub"));

    assertThatThrownBy(() -> provider.fetch(KeyId.of("sub")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void fetch_whenPathIsAPipe_isMalformedWithoutBlocking() throws Exception {
    assumeTrue(posix(), "named pipes need a POSIX system");
    Path fifo = dir.resolve("pipe");
    int exit;
    try {
      exit = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
    } catch (IOException e) {
      exit = -1;
    }
    assumeTrue(exit == 0, "mkfifo is available");

    assertThatThrownBy(() -> provider.fetch(KeyId.of("pipe")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("not a regular file");
  }

  @Test
  void fetch_whenFileEmpty_isMalformedSayingSo() throws IOException {
    write(dir.resolve("empty"), "");

    assertThatThrownBy(() -> provider.fetch(KeyId.of("empty")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining(dir.resolve("empty").toString())
        .hasMessageContaining("is empty");
  }

  @Test
  void fetch_whenFileBlank_isMalformedNamingThePath() throws IOException {
    write(dir.resolve("blank"), " \n\t\n");

    assertThatThrownBy(() -> provider.fetch(KeyId.of("blank")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining(dir.resolve("blank").toString())
        .hasMessageContaining("empty or blank");
  }

  @Test
  void fetch_whenFileIsExactlyTheLimit_isRead_oneByteMore_isRejected() throws IOException {
    String atLimit = TestSecrets.randomHex(FileKeyProvider.MAX_FILE_BYTES / 2);
    write(dir.resolve("big"), atLimit);
    write(dir.resolve("bigger"), atLimit + "x");

    assertThat(provider.fetch(KeyId.of("big")).apiKey().value(ACCESS)).hasSize(65536);
    assertThatThrownBy(() -> provider.fetch(KeyId.of("bigger")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("larger than 65536 bytes (64 KiB)");
  }

  @Test
  void fetch_whenFileIsHuge_readsNoMoreThanTheLimit() throws IOException {
    write(dir.resolve("endless"), TestSecrets.randomValue());
    AtomicLong delivered = new AtomicLong();
    FileKeyProvider bounded =
        FileKeyProvider.builder()
            .directory(dir)
            .opener(
                path ->
                    new InputStream() {
                      @Override
                      public int read() {
                        delivered.incrementAndGet();
                        return 'a';
                      }

                      @Override
                      public int read(byte[] b, int off, int len) {
                        java.util.Arrays.fill(b, off, off + len, (byte) 'a');
                        delivered.addAndGet(len);
                        return len;
                      }
                    })
            .build();

    assertThatThrownBy(() -> bounded.fetch(KeyId.of("endless")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("larger than");
    assertThat(delivered.get()).isLessThanOrEqualTo(FileKeyProvider.MAX_FILE_BYTES + 1);
  }

  @Test
  void fetch_whenFileNotUtf8_isMalformed() throws IOException {
    byte[] bytes = TestSecrets.randomBytes(32);
    bytes[3] = (byte) 0xFF;
    Files.write(dir.resolve("binary"), bytes);

    assertThatThrownBy(() -> provider.fetch(KeyId.of("binary")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("not UTF-8");
  }

  @Test
  void fetch_whenJsonMalformed_namesPathAndFieldWithoutEchoingTheContent() throws IOException {
    String key = TestSecrets.randomValue();
    write(dir.resolve("broken"), "{\"apiKey\": \"" + key + "\"");

    MalformedSecretException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            MalformedSecretException.class, () -> provider.fetch(KeyId.of("broken")));

    assertThat(e)
        .hasMessageContaining(dir.resolve("broken").toString())
        .hasMessageContaining("'apiKey'");
    SecretLeakAssertions.assertNoLeak(e, Secret.of(key));
  }

  @Test
  void fetch_whenFileUnreadable_isAccessDenied() throws IOException {
    assumeTrue(posix(), "POSIX permissions");
    Path file = write(dir.resolve("locked"), TestSecrets.randomValue());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeFalse(
        Files.isReadable(file), "the test runs as a user that permissions apply to (not root)");

    assertThatThrownBy(() -> provider.fetch(KeyId.of("locked")))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("not readable");
  }

  @Test
  void fetch_whenOpeningIsDenied_isAccessDeniedNamingThePath() throws IOException {
    // the same path as the permission test above, for a run as root where permissions do not apply
    write(dir.resolve("locked"), TestSecrets.randomValue());
    FileKeyProvider denying =
        FileKeyProvider.builder()
            .directory(dir)
            .opener(
                path -> {
                  throw new AccessDeniedException(path.toString());
                })
            .build();

    assertThatThrownBy(() -> denying.fetch(KeyId.of("locked")))
        .isInstanceOfSatisfying(
            KeyAccessDeniedException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining(dir.resolve("locked").toString())
        .hasMessageContaining("not readable by this process");
  }

  @Test
  void fetch_whenAnOtherIoErrorPersists_isUnavailableAfterRetries() throws IOException {
    write(dir.resolve("flaky"), TestSecrets.randomValue());
    AtomicInteger opens = new AtomicInteger();
    FileKeyProvider failing =
        FileKeyProvider.builder()
            .directory(dir)
            .opener(
                path -> {
                  opens.incrementAndGet();
                  throw new IOException("Input/output error");
                })
            .build();

    assertThatThrownBy(() -> failing.fetch(KeyId.of("flaky")))
        .isInstanceOfSatisfying(
            KeyProviderUnavailableException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasCauseInstanceOf(IOException.class);
    assertThat(opens.get()).isEqualTo(5);
  }

  @Test
  void fetch_whenFileVanishesOnceBetweenResolvingAndOpening_resolvesAgainAndSucceeds()
      throws IOException {
    String key = TestSecrets.randomValue();
    write(dir.resolve("swapped"), key);
    AtomicInteger opens = new AtomicInteger();
    FileKeyProvider racing =
        FileKeyProvider.builder()
            .directory(dir)
            .opener(
                path -> {
                  if (opens.incrementAndGet() == 1) {
                    throw new NoSuchFileException(path.toString());
                  }
                  return Files.newInputStream(path);
                })
            .build();

    assertThat(racing.fetch(KeyId.of("swapped")).apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(opens.get()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../outside",
        "..",
        ".",
        "a/../../outside",
        "sub/key",
        "..data",
        "..2026_01_01",
        "a\\b"
      })
  void fetch_whenKeyIdIsNotAPlainFileName_isRefusedWithoutReadingAnything(String keyId)
      throws IOException {
    write(temp.resolve("outside"), TestSecrets.randomValue());
    Files.createDirectories(dir.resolve("sub"));
    write(dir.resolve("sub").resolve("key"), TestSecrets.randomValue());

    assertThatThrownBy(() -> provider.fetch(KeyId.of(keyId)))
        .isInstanceOfSatisfying(
            KeyAccessDeniedException.class, e -> assertThat(e.keyId()).contains(KeyId.of(keyId)))
        .hasMessageContaining("is not a plain file name inside the secret directory");
  }

  @Test
  void fetch_whenKeyIdIsAnAbsolutePath_isRefused() throws IOException {
    Path outside = write(temp.resolve("outside"), TestSecrets.randomValue());

    assertThatThrownBy(() -> provider.fetch(KeyId.of(outside.toString())))
        .isInstanceOf(KeyAccessDeniedException.class);
  }

  @Test
  void fetch_whenFileLinksOutsideTheDirectory_isRefused() throws IOException {
    assumeTrue(posix(), "symbolic links");
    Path outside = write(temp.resolve("outside"), TestSecrets.randomValue());
    Files.createSymbolicLink(dir.resolve("escape"), outside);
    Files.createSymbolicLink(dir.resolve("up"), Path.of("..", "outside"));

    assertThatThrownBy(() -> provider.fetch(KeyId.of("escape")))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("outside the secret directory");
    assertThatThrownBy(() -> provider.fetch(KeyId.of("up")))
        .isInstanceOf(KeyAccessDeniedException.class);
  }

  @Test
  void fetch_whenFileLinksInsideTheDirectory_followsTheLink() throws IOException {
    assumeTrue(posix(), "symbolic links");
    String key = TestSecrets.randomValue();
    write(dir.resolve("real"), key);
    Files.createSymbolicLink(dir.resolve("alias"), Path.of("real"));

    assertThat(provider.fetch(KeyId.of("alias")).apiKey().value(ACCESS)).isEqualTo(key);
  }

  @Test
  void fetch_whenFileWorldReadable_warnsOncePerFileNamingThePathNotTheContent() throws IOException {
    assumeTrue(posix(), "POSIX permissions");
    String key = TestSecrets.randomValue();
    Path open = write(dir.resolve("open"), key);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    write(dir.resolve("closed"), TestSecrets.randomValue());

    try (LogCapture logs = LogCapture.of(FileKeyProvider.class)) {
      provider.fetch(KeyId.of("open"));
      provider.fetch(KeyId.of("open"));
      provider.fetch(KeyId.of("closed"));

      assertThat(logs.messages(Level.WARN))
          .singleElement()
          .asString()
          .contains(open.toString())
          .contains("readable by every user")
          .contains("rw-r--r--");
      SecretLeakAssertions.assertNoLeakInText("FileKeyProvider logs", logs.text(), Secret.of(key));
    }
  }

  @Test
  void fetch_whenKubernetesFileIsWorldReadable_warnsOnceAcrossUpdates() throws IOException {
    assumeTrue(posix(), "POSIX permissions");
    KubernetesVolume volume = new KubernetesVolume(dir);
    volume.permissions = "rw-r--r--"; // the kubelet's defaultMode 0644
    volume.update(Map.of("api", TestSecrets.randomValue()));

    try (LogCapture logs = LogCapture.of(FileKeyProvider.class)) {
      provider.fetch(KeyId.of("api"));
      volume.update(Map.of("api", TestSecrets.randomValue()));
      provider.fetch(KeyId.of("api"));

      assertThat(logs.messages(Level.WARN))
          .singleElement()
          .asString()
          .contains(dir.resolve("api").toString());
    }
  }

  @Test
  void singleFileMode_readsTheConfiguredFiles_andNothingElse() throws IOException {
    String key = TestSecrets.randomValue();
    Path file = write(temp.resolve("stripe_key"), key);
    FileKeyProvider single =
        FileKeyProvider.builder().file(KeyId.of("stripe"), file).timeSource(clock).build();

    assertThat(single.fetch(KeyId.of("stripe")).apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(single.fileOf(KeyId.of("stripe"))).isEqualTo(file);
    assertThatThrownBy(() -> single.fetch(KeyId.of("stripe_key")))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("no file is configured")
        .hasMessageContaining("[stripe]");
  }

  @Test
  void singleFileMode_whenFileMissing_isNotFound() {
    FileKeyProvider single =
        FileKeyProvider.builder().file(KeyId.of("k"), temp.resolve("nope")).build();

    assertThatThrownBy(() -> single.fetch(KeyId.of("k"))).isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void builder_rejectsMissingAndConflictingSettings() {
    assertThatThrownBy(() -> FileKeyProvider.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("directory(...)");
    assertThatThrownBy(
            () -> FileKeyProvider.builder().directory(dir).file(KeyId.of("k"), temp).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot be combined");
    assertThatThrownBy(() -> FileKeyProvider.builder().directory(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> FileKeyProvider.builder().timeSource(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void builder_whenASettingIsSetTwice_theLastCallWins() {
    FileKeyProvider directory = FileKeyProvider.builder().directory(temp).directory(dir).build();
    FileKeyProvider single =
        FileKeyProvider.builder().file(KeyId.of("k"), temp).file(KeyId.of("k"), dir).build();

    assertThat(directory.fileOf(KeyId.of("k"))).isEqualTo(dir.resolve("k"));
    assertThat(single.fileOf(KeyId.of("k"))).isEqualTo(dir);
    assertThat(single).hasToString("FileKeyProvider[files={k=" + dir + "}]");
  }

  @Test
  void fetch_whenCalledFromManyThreads_servesTheSameVersion() throws Exception {
    write(dir.resolve("shared"), TestSecrets.randomValue());
    VersionedCredential expected = provider.fetch(KeyId.of("shared"));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<VersionedCredential>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        results.add(pool.submit(() -> provider.fetch(KeyId.of("shared"))));
      }
      for (Future<VersionedCredential> result : results) {
        assertThat(result.get().sameVersionAs(expected)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void nameToStringAndLogs_showPathsAndVersionsOnly() throws IOException {
    String key = TestSecrets.randomValue();
    write(dir.resolve("k"), key);

    try (LogCapture logs = LogCapture.of(FileKeyProvider.class)) {
      VersionedCredential c = provider.fetch(KeyId.of("k"));
      assertThat(logs.messages(Level.DEBUG))
          .singleElement()
          .asString()
          .contains("'k'")
          .contains(c.version());
      SecretLeakAssertions.assertNoLeakInText("logs", logs.text(), Secret.of(key));
    }
    assertThat(provider.name()).isEqualTo("file");
    assertThat(provider)
        .hasToString("FileKeyProvider[directory=" + dir.toAbsolutePath().normalize() + "]");
    assertThat(provider.fileOf(KeyId.of("k"))).isEqualTo(dir.resolve("k"));
  }

  /**
   * Writes a directory the way the kubelet's AtomicWriter does: the files in a fresh timestamped
   * directory, a {@code ..data} link renamed over the old one in one step, a link per key to {@code
   * ..data/<key>}, then the old directory removed.
   */
  static final class KubernetesVolume {
    private final Path dir;
    private int generation;
    private Path current;
    String permissions = "rw-------";

    KubernetesVolume(Path dir) {
      this.dir = dir;
    }

    void update(Map<String, String> keys) throws IOException {
      Path next = dir.resolve("..2026_03_01_12_00_00." + (++generation));
      Files.createDirectory(next);
      for (Map.Entry<String, String> key : keys.entrySet()) {
        Path file = next.resolve(key.getKey());
        Files.writeString(file, key.getValue());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
      }
      Path tmp = dir.resolve("..data_tmp");
      Files.createSymbolicLink(tmp, next.getFileName());
      Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
      for (String key : keys.keySet()) {
        Path link = dir.resolve(key);
        if (!Files.isSymbolicLink(link)) {
          Files.createSymbolicLink(link, Path.of("..data", key));
        }
      }
      if (current != null) {
        try (Stream<Path> old = Files.walk(current)) {
          for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      current = next;
    }
  }
}
