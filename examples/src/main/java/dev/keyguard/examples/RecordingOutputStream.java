package dev.keyguard.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Passes everything written to a target stream and keeps a copy, so that the demo can check its own
 * output (narrative and log lines) for the key. The copy stops growing at 8 MiB.
 */
final class RecordingOutputStream extends OutputStream {

  private static final int MAX_RECORDED = 8 * 1024 * 1024;

  private final OutputStream target;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
  private boolean truncated;

  RecordingOutputStream(OutputStream target) {
    this.target = target;
  }

  @Override
  public synchronized void write(int b) throws IOException {
    target.write(b);
    record(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    target.write(b, off, len);
    record(b, off, len);
  }

  @Override
  public synchronized void flush() throws IOException {
    target.flush();
  }

  /** Everything written so far, decoded as UTF-8. */
  synchronized String recorded() {
    return copy.toString(StandardCharsets.UTF_8);
  }

  /** What was written after the first {@code offset} bytes, decoded as UTF-8. */
  synchronized String recordedSince(int offset) {
    byte[] all = copy.toByteArray();
    int from = Math.min(Math.max(offset, 0), all.length);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  /** How many bytes were recorded so far. */
  synchronized int size() {
    return copy.size();
  }

  /** True if more than 8 MiB were written and the copy is incomplete. */
  synchronized boolean truncated() {
    return truncated;
  }

  private void record(byte[] b, int off, int len) {
    int room = MAX_RECORDED - copy.size();
    if (len > room) {
      truncated = true;
    }
    copy.write(b, off, Math.min(len, Math.max(room, 0)));
  }
}
