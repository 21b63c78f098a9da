package dev.keyguard.provider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Opens the package-private file-opening seam of {@link FileKeyProvider} to tests elsewhere. */
public final class FileKeyProviderSeams {

  /** Opens a file for reading, or fails as the test wants. */
  @FunctionalInterface
  public interface TestOpener {
    /**
     * Opens the file.
     *
     * @param path the file
     * @return its content
     * @throws IOException as the test wants
     */
    InputStream open(Path path) throws IOException;
  }

  private FileKeyProviderSeams() {}

  /**
   * Sets the opener of a builder.
   *
   * @param builder the builder
   * @param opener the opener to use instead of the file system
   * @return the builder
   */
  public static FileKeyProvider.Builder opener(FileKeyProvider.Builder builder, TestOpener opener) {
    return builder.opener(opener::open);
  }
}
