package io.ciphertalk.core.store;

/** The kinds of private prekey a device keeps; ids are unique within a kind. */
public enum PreKeyType {
  /** X25519 one-time prekeys: each is used for at most one incoming session. */
  ONE_TIME,
  /** The signed X25519 prekey (current and recently rotated ones). */
  SIGNED,
  /** The signed last-resort ML-KEM-768 prekey (PQXDH), current and recently rotated ones. */
  KEM,
  /** The signed RSA prekey (RSA-OAEP suite). */
  RSA,
  /**
   * Not a key: when the signed and KEM prekeys with this id were replaced, as 8 bytes of Unix
   * epoch milliseconds. Replaced prekeys are deleted once their grace period has passed.
   */
  RETIRED,
  /** Signed one-time ML-KEM-768 prekeys (PQXDH): each is used for at most one incoming session. */
  ONE_TIME_KEM
}
