package io.ciphertalk.crypto.session;

/**
 * The key-agreement suite that starts a {@link Session}. All three end in the same 32-byte shared
 * secret that seeds the Double Ratchet; they differ in what goes into it (docs/protocol.md).
 *
 * <ul>
 *   <li>{@link #X3DH}: Signal's X3DH on X25519 (default).
 *   <li>{@link #PQXDH}: X3DH plus an ML-KEM-768 shared secret (Signal's PQXDH): secure if either
 *       X25519 or ML-KEM-768 holds, so recorded traffic resists a future quantum computer.
 *   <li>{@link #RSA_OAEP}: X3DH plus a 32-byte secret transported with RSA-3072-OAEP-SHA256 to
 *       the responder's signed RSA prekey, for deployments whose policy mandates RSA key
 *       transport. It adds no post-quantum protection.
 * </ul>
 */
public enum HandshakeSuite {
  X3DH(1),
  PQXDH(2),
  RSA_OAEP(3);

  private final int code;

  HandshakeSuite(int code) {
    this.code = code;
  }

  /** The one-byte code used in messages and session state. */
  public int code() {
    return code;
  }

  /** The suite with {@code code}, or null. */
  static HandshakeSuite fromCode(int code) {
    for (HandshakeSuite s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return null;
  }
}
