package dev.keyguard.internal;

import java.util.Arrays;

/**
 * A minimal reader of DER (the subset that SEC1 private keys and ECDSA signatures use: definite
 * lengths, single-byte tags). Errors are {@link IllegalArgumentException}s whose messages never
 * contain the input bytes.
 */
final class DerReader {

  static final int SEQUENCE = 0x30;
  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int OBJECT_IDENTIFIER = 0x06;

  private final byte[] data;
  private int pos;
  private final int end;

  DerReader(byte[] data) {
    this(data, 0, data.length);
  }

  private DerReader(byte[] data, int start, int end) {
    this.data = data;
    this.pos = start;
    this.end = end;
  }

  boolean hasMore() {
    return pos < end;
  }

  int peekTag() {
    if (pos >= end) {
      throw new IllegalArgumentException("truncated DER structure");
    }
    return data[pos] & 0xff;
  }

  /** Reads a constructed element with the given tag and returns a reader over its contents. */
  DerReader readConstructed(int tag) {
    int length = readHeader(tag);
    DerReader inner = new DerReader(data, pos, pos + length);
    pos += length;
    return inner;
  }

  /** Reads a primitive element with the given tag and returns a copy of its contents. */
  byte[] readPrimitive(int tag) {
    int length = readHeader(tag);
    byte[] value = Arrays.copyOfRange(data, pos, pos + length);
    pos += length;
    return value;
  }

  /** Skips one element, whatever its tag. */
  void skip() {
    int length = readHeader(peekTag());
    pos += length;
  }

  private int readHeader(int expectedTag) {
    if (pos >= end) {
      throw new IllegalArgumentException("truncated DER structure");
    }
    int tag = data[pos++] & 0xff;
    if (tag != expectedTag) {
      throw new IllegalArgumentException(
          "unexpected DER tag 0x"
              + Integer.toHexString(tag)
              + ", expected 0x"
              + Integer.toHexString(expectedTag));
    }
    if (pos >= end) {
      throw new IllegalArgumentException("truncated DER length");
    }
    int first = data[pos++] & 0xff;
    int length;
    if (first < 0x80) {
      length = first;
    } else {
      int count = first & 0x7f;
      if (count == 0 || count > 3 || pos + count > end) {
        throw new IllegalArgumentException("unsupported DER length");
      }
      length = 0;
      for (int i = 0; i < count; i++) {
        length = (length << 8) | (data[pos++] & 0xff);
      }
    }
    if (length > end - pos) {
      throw new IllegalArgumentException("DER length exceeds the data");
    }
    return length;
  }
}
