package io.ciphertalk.crypto;

/**
 * A key derivation function: turns input keying material into independent keys, separated by a
 * context label. Implementations are thread-safe.
 */
public interface Kdf {

  /**
   * Derives {@code length} bytes from {@code inputKeyMaterial}.
   *
   * @param salt optional non-secret randomiser; an empty array means "no salt"
   * @param info context and application label that separates keys derived from the same input
   */
  byte[] derive(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length);
}
