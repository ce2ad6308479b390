package io.ciphertalk.core.store;

/** The kinds of private prekey a device keeps; ids are unique within a kind. */
public enum PreKeyType {
  /** X25519 one-time prekeys: each is used for at most one incoming session. */
  ONE_TIME,
  /** The signed X25519 prekey (current and recently rotated ones). */
  SIGNED,
  /** The signed ML-KEM-768 prekey (PQXDH). */
  KEM,
  /** The signed RSA prekey (RSA-OAEP suite). */
  RSA
}
