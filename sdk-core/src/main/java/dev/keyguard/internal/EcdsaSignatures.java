package dev.keyguard.internal;

/**
 * Converts the DER-encoded ECDSA signature the JDK's {@code SHA256withECDSA} produces ({@code
 * SEQUENCE { INTEGER r, INTEGER s }}) into the fixed-width {@code r || s} form that JWS requires
 * (RFC 7518, section 3.4). Thread-safe (stateless).
 */
public final class EcdsaSignatures {

  private EcdsaSignatures() {}

  /**
   * Converts a DER signature to JOSE form.
   *
   * @param der the DER signature
   * @param scalarBytes the size of each of r and s in bytes (32 for P-256)
   * @return {@code r || s}, each left-padded with zeros to {@code scalarBytes}
   * @throws IllegalArgumentException if the input is not a DER ECDSA signature of that size
   */
  public static byte[] derToJose(byte[] der, int scalarBytes) {
    DerReader sequence = new DerReader(der).readConstructed(DerReader.SEQUENCE);
    byte[] r = sequence.readPrimitive(DerReader.INTEGER);
    byte[] s = sequence.readPrimitive(DerReader.INTEGER);
    if (sequence.hasMore()) {
      throw new IllegalArgumentException("trailing data in the ECDSA signature");
    }
    byte[] out = new byte[2 * scalarBytes];
    copyUnsigned(r, out, 0, scalarBytes);
    copyUnsigned(s, out, scalarBytes, scalarBytes);
    return out;
  }

  private static void copyUnsigned(byte[] integer, byte[] out, int offset, int width) {
    int start = 0;
    while (start < integer.length - 1 && integer[start] == 0) {
      start++; // DER adds a leading zero when the high bit is set
    }
    int length = integer.length - start;
    if (length > width) {
      throw new IllegalArgumentException("ECDSA signature component is wider than the curve");
    }
    System.arraycopy(integer, start, out, offset + width - length, length);
  }
}
