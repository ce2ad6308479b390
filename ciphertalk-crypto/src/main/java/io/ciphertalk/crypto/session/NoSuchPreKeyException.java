package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;

/**
 * An initial message names a prekey this device does not have (never issued, rotated away, or a
 * one-time prekey already consumed). Nothing was created or consumed.
 */
public final class NoSuchPreKeyException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final String kind;
  private final int preKeyId;

  public NoSuchPreKeyException(String kind, int preKeyId) {
    super("no " + kind + " prekey with id " + preKeyId);
    this.kind = kind;
    this.preKeyId = preKeyId;
  }

  /** Which prekey type: "signed", "one-time", "kem" or "rsa". */
  public String kind() {
    return kind;
  }

  /** The missing id. */
  public int preKeyId() {
    return preKeyId;
  }
}
