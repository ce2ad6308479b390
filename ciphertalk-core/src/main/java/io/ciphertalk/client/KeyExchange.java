package io.ciphertalk.client;

/**
 * The handshake suite used to establish new 1:1 sessions (docs/protocol.md has the specification).
 * All three feed the same Double Ratchet.
 */
public enum KeyExchange {
  /** X3DH over X25519. */
  X3DH,
  /**
   * X3DH plus an ML-KEM-768 encapsulation: confidential if either X25519 or ML-KEM holds (the
   * default).
   */
  PQXDH,
  /** A secret wrapped with RSA-3072-OAEP-SHA256 plus an X25519 ephemeral DH, for RSA mandates. */
  RSA_OAEP
}
