package io.ciphertalk.crypto.group.internal;

import io.ciphertalk.crypto.HkdfSha256;
import io.ciphertalk.crypto.HmacSha256;
import java.nio.charset.StandardCharsets;

/**
 * The sender-key symmetric chain (docs/protocol.md, "Groups (Sender Keys)"):
 *
 * <pre>
 *   seed_i  = HMAC-SHA256(CK_i, 0x01)          message key seed for iteration i
 *   CK_i+1  = HMAC-SHA256(CK_i, 0x02)          next chain key
 *   key_i || nonce_i = HKDF-SHA256(IKM = seed_i, salt = 32 zero bytes,
 *                                  info = "CipherTalk group v1 message key", L = 44)
 * </pre>
 *
 * Group message version 2 (what {@code encrypt} writes) draws a random 12-byte nonce {@code r} per
 * message, carries it in the header, and derives the key with it as the salt:
 *
 * <pre>
 *   key_i = HKDF-SHA256(IKM = seed_i, salt = r, info = "CipherTalk group v2 message key", L = 32)
 *   nonce = r
 * </pre>
 *
 * so a rolled-back chain state never repeats a (key, nonce) pair. Version 1 (above) stays readable.
 * The two HMAC constants follow Signal's sender-key chain; the HKDF step is ours. Stateless.
 */
public final class ChainKdf {
  public static final int CHAIN_KEY_LENGTH = 32;
  public static final int SEED_LENGTH = 32;
  public static final int KEY_LENGTH = 32;
  public static final int NONCE_LENGTH = 12;

  static final byte[] MESSAGE_SEED_CONSTANT = {0x01};
  static final byte[] CHAIN_KEY_CONSTANT = {0x02};
  public static final byte[] MESSAGE_KEY_INFO =
      "CipherTalk group v1 message key".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] MESSAGE_KEY_INFO_V2 =
      "CipherTalk group v2 message key".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ZERO_SALT = new byte[32];

  private ChainKdf() {}

  public static byte[] messageSeed(byte[] chainKey) {
    return HmacSha256.computeWithKey(chainKey, MESSAGE_SEED_CONSTANT);
  }

  public static byte[] nextChainKey(byte[] chainKey) {
    return HmacSha256.computeWithKey(chainKey, CHAIN_KEY_CONSTANT);
  }

  /** Version 2: the AES-256-GCM key for the message whose random nonce is {@code nonce}. */
  public static byte[] keyV2(byte[] seed, byte[] nonce) {
    return HkdfSha256.instance().derive(seed, nonce, MESSAGE_KEY_INFO_V2, KEY_LENGTH);
  }

  /** Version 1: 44 bytes, the AES-256-GCM key then the 12-byte nonce. */
  public static byte[] keyAndNonce(byte[] seed) {
    return HkdfSha256.instance().derive(seed, ZERO_SALT, MESSAGE_KEY_INFO, KEY_LENGTH + NONCE_LENGTH);
  }
}
