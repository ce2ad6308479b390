package io.ciphertalk.crypto.session.internal;

import io.ciphertalk.crypto.HkdfSha256;
import io.ciphertalk.crypto.HmacSha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Every KDF and signature label of the 1:1 protocol, and the three ratchet KDFs. docs/protocol.md
 * ("1:1 sessions") is the normative description; change both together.
 */
public final class Kdfs {
  private Kdfs() {}

  /** Protocol version carried in every message and bound into every associated data. */
  public static final int PROTOCOL_VERSION = 1;

  public static final byte[] SIG_IDENTITY = ascii("CipherTalk/1/sig/identity-x25519");
  public static final byte[] SIG_SIGNED_PREKEY = ascii("CipherTalk/1/sig/signed-prekey");
  public static final byte[] SIG_KEM_PREKEY = ascii("CipherTalk/1/sig/kem-prekey");
  public static final byte[] SIG_RSA_PREKEY = ascii("CipherTalk/1/sig/rsa-prekey");
  public static final byte[] RSA_OAEP_LABEL = ascii("CipherTalk/1/rsa-oaep");
  public static final byte[] ROOT_INFO = ascii("CipherTalk/1/ratchet/root");
  public static final String HANDSHAKE_INFO_PREFIX = "CipherTalk/1/handshake/";
  public static final byte[] SAFETY_NUMBER_LABEL = ascii("CipherTalk/1/safety-number");

  /** X3DH's 32 0xFF bytes prepended to the DH outputs (domain separation from Ed25519/XEdDSA). */
  public static final byte[] HANDSHAKE_F = filled(32, (byte) 0xff);

  private static final byte[] MESSAGE_KEY_INPUT = {0x01};
  private static final byte[] CHAIN_KEY_INPUT = {0x02};

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] filled(int n, byte b) {
    byte[] a = new byte[n];
    Arrays.fill(a, b);
    return a;
  }

  /**
   * Concatenates {@code parts} and signs-input style: {@code label || parts...}.
   */
  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }

  /**
   * Handshake: {@code SK = HKDF(salt = 0^32, IKM, info = prefix || suite name || initiator address
   * || responder address, 32)}. The addresses ({@code DeviceAddress.encode()}) key the whole session
   * to the two devices, so a server that relabels an initial message's sender makes it undecryptable.
   */
  public static byte[] handshakeSecret(byte[] ikm, String suiteName,
      io.ciphertalk.crypto.DeviceAddress initiator, io.ciphertalk.crypto.DeviceAddress responder) {
    byte[] info = concat(ascii(HANDSHAKE_INFO_PREFIX + suiteName), initiator.encode(),
        responder.encode());
    return HkdfSha256.instance().derive(ikm, new byte[32], info, 32);
  }

  /**
   * Root KDF (Double Ratchet KDF_RK): {@code HKDF(salt = rk, IKM = dh, info = ROOT_INFO, 64)}, split
   * into the new root key and a chain key. Returns a 64-byte array {@code rk' || ck}.
   */
  public static byte[] rootStep(byte[] rootKey, byte[] dhOutput) {
    return HkdfSha256.instance().derive(dhOutput, rootKey, ROOT_INFO, 64);
  }

  /** Symmetric chain (KDF_CK): message key {@code HMAC-SHA256(ck, 0x01)}. */
  public static byte[] messageKey(byte[] chainKey) {
    return HmacSha256.computeWithKey(chainKey, MESSAGE_KEY_INPUT);
  }

  /** Symmetric chain (KDF_CK): next chain key {@code HMAC-SHA256(ck, 0x02)}. */
  public static byte[] nextChainKey(byte[] chainKey) {
    return HmacSha256.computeWithKey(chainKey, CHAIN_KEY_INPUT);
  }
}
