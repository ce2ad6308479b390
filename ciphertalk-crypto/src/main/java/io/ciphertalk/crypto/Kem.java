package io.ciphertalk.crypto;

/**
 * A key encapsulation mechanism: a sender turns a public key into (ciphertext, shared secret);
 * the holder of the private key recovers the same secret from the ciphertext.
 *
 * @param <P> public key type
 */
public interface Kem<P> {

  /** A fresh shared secret and the ciphertext that carries it to the holder of {@code publicKey}. */
  Encapsulation encapsulate(P publicKey, RandomSource random) throws CryptoException;

  /** The result of encapsulation. {@code sharedSecret} must be fed to a KDF. */
  record Encapsulation(byte[] ciphertext, SecretBytes sharedSecret) {
    public Encapsulation {
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }

    @Override
    public String toString() {
      return "Encapsulation[ciphertext=" + ciphertext.length + " bytes]";
    }
  }
}
