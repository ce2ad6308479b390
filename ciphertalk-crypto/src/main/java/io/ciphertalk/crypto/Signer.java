package io.ciphertalk.crypto;

/** Produces signatures with a private key. Implementations are thread-safe. */
public interface Signer {

  /** A signature over {@code data}. */
  byte[] sign(byte[] data) throws CryptoException;
}
