package io.ciphertalk.crypto;

/**
 * A message authentication code. Security guarantee: existential unforgeability under chosen
 * message attack while the key is secret. Implementations are thread-safe.
 */
public interface Mac {

  /** Length of the tags this MAC produces, in bytes. */
  int tagLength();

  /** The tag over {@code data}. */
  byte[] compute(byte[] data);

  /** Checks {@code tag} against {@code data} in constant time. */
  void verify(byte[] tag, byte[] data) throws AuthenticationFailedException;
}
