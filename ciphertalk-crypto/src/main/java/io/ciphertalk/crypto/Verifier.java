package io.ciphertalk.crypto;

/** Checks signatures with a public key. Implementations are thread-safe. */
public interface Verifier {

  /**
   * Returns normally only if {@code signature} is a valid signature of {@code data}.
   *
   * @throws InvalidSignatureException otherwise, including for malformed signatures
   */
  void verify(byte[] signature, byte[] data) throws InvalidSignatureException;
}
