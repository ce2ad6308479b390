package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.HkdfSha256;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.internal.ByteWriter;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a device of the account sends, through the server, to a new device that showed a
 * {@link LinkingCode}: the account key and the new device's address, encrypted to the code's
 * ephemeral key. The new device then certifies its own identity key with the account key.
 *
 * <p>Encoding, version 1 ({@link #seal}'s output, {@value #MIN_LENGTH} to {@value #MAX_LENGTH}
 * bytes): {@code u8 1 || ephemeral X25519 public E [32] || nonce [12] || AES-256-GCM(payload) [n + 16]}:
 *
 * <pre>
 * okm     = HKDF-SHA256(salt = 32 zero bytes, ikm = X25519(e, code key),
 *                       info = "CipherTalk/1/link/envelope" || code [40] || E [32], L = 64)
 * key     = okm[0..32]; confirmation code = 6 digits of (u40 okm[32..37]) mod 10^6
 * AD      = code [40] || u8 1 || E [32] || nonce [12]
 * payload = u8 1 || u8 n || userId [n] || u32 deviceId || account seed [32] || i64 issuedAt
 * </pre>
 *
 * Both devices derive the same confirmation code and show it; the user checks that they agree.
 * Stateless and thread-safe.
 */
public final class LinkEnvelope {
  /** The only format version (envelope and payload). */
  public static final int VERSION = 1;
  /** Payload length bounds. */
  static final int PAYLOAD_MIN = 1 + 1 + 1 + 4 + 32 + 8;
  static final int PAYLOAD_MAX = PAYLOAD_MIN + 63;
  /** Shortest envelope. */
  public static final int MIN_LENGTH = 1 + 32 + 12 + PAYLOAD_MIN + 16;
  /** Longest envelope. */
  public static final int MAX_LENGTH = MIN_LENGTH + 63;

  private LinkEnvelope() {}

  /** A sealed envelope and the confirmation code to show next to it. */
  public record Sealed(byte[] envelope, String confirmationCode) {
    public Sealed {
      envelope = envelope.clone();
    }

    @Override
    public byte[] envelope() {
      return envelope.clone();
    }
  }

  /**
   * Encrypts {@code account} and the new device's address ({@code userId} of the account, device id
   * from the code) to the code's ephemeral key.
   */
  public static Sealed seal(LinkingCode code, String userId, AccountKeyPair account,
      Instant issuedAt, RandomSource random) throws CryptoException {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(random, "random");
    DeviceAddress target = DeviceAddress.of(userId, code.deviceId());
    long at = Objects.requireNonNull(issuedAt, "issuedAt").toEpochMilli();
    X25519.PrivateKey e = X25519.generate(random);
    byte[] nonce = random.bytes(12);
    byte[] ePub = e.publicKey().toByteArray();
    SecretBytes seed = account.seed();
    ByteWriter payload = new ByteWriter(PAYLOAD_MAX).u8(VERSION).address(target);
    byte[] s = seed.toByteArray();
    payload.bytes(s).u64(at);
    Arrays.fill(s, (byte) 0);
    seed.wipe();
    byte[] pt = payload.toByteArray();
    Keys k = keys(e, code, ePub);
    try {
      byte[] header = new ByteWriter(45).u8(VERSION).bytes(ePub).bytes(nonce).toByteArray();
      byte[] c = AesGcm.create(k.key).seal(nonce, pt, DeviceCertificate.concat(code.toBytes(), header));
      return new Sealed(DeviceCertificate.concat(header, c), k.confirmation);
    } finally {
      Arrays.fill(pt, (byte) 0);
      k.key.wipe();
      e.wipe();
    }
  }

  /** What the new device learns from an envelope. */
  public record Opened(DeviceAddress address, AccountKeyPair account, Instant issuedAt,
      String confirmationCode) {}

  /** Decrypts with the code's private key; see {@link LinkingRequest#open}. */
  static Opened open(X25519.PrivateKey codeKey, LinkingCode code, byte[] envelope)
      throws InvalidLinkException {
    if (envelope.length < MIN_LENGTH || envelope.length > MAX_LENGTH) {
      throw new InvalidLinkException("linking envelope length " + envelope.length + " outside "
          + MIN_LENGTH + ".." + MAX_LENGTH);
    }
    if (envelope[0] != VERSION) {
      throw new InvalidLinkException("unknown linking envelope version " + (envelope[0] & 0xff));
    }
    byte[] ePub = Arrays.copyOfRange(envelope, 1, 33);
    byte[] nonce = Arrays.copyOfRange(envelope, 33, 45);
    byte[] pt = null;
    Keys k;
    try {
      k = keys(codeKey, X25519.PublicKey.of(ePub), code, ePub);
    } catch (CryptoException ex) {
      throw new InvalidLinkException("linking envelope key is invalid", ex);
    }
    try {
      pt = AesGcm.create(k.key).open(nonce, Arrays.copyOfRange(envelope, 45, envelope.length),
          DeviceCertificate.concat(code.toBytes(), Arrays.copyOf(envelope, 45)));
      Reader<InvalidLinkException> r = new Reader<>(pt, InvalidLinkException::new);
      if (r.u8() != VERSION) {
        throw new InvalidLinkException("unknown linking payload version");
      }
      DeviceAddress address = r.address();
      if (address.deviceId() != code.deviceId()) {
        throw new InvalidLinkException("linking envelope is for device " + address.deviceId()
            + ", the code is for " + code.deviceId());
      }
      byte[] seedBytes = r.bytes(32);
      SecretBytes seed = SecretBytes.wrap(seedBytes);
      long at = r.u64();
      r.expectEnd();
      AccountKeyPair account = AccountKeyPair.fromSeed(seed);
      seed.wipe();
      return new Opened(address, account, Instant.ofEpochMilli(at), k.confirmation);
    } catch (InvalidLinkException ex) {
      throw ex;
    } catch (CryptoException ex) {
      throw new InvalidLinkException(
          "linking envelope does not decrypt under this code (another code, or altered)", ex);
    } finally {
      if (pt != null) {
        Arrays.fill(pt, (byte) 0);
      }
      k.key.wipe();
    }
  }

  private record Keys(SecretBytes key, String confirmation) {}

  private static Keys keys(X25519.PrivateKey e, LinkingCode code, byte[] ePub)
      throws CryptoException {
    return keys(e, code.ephemeralKey(), code, ePub);
  }

  private static Keys keys(X25519.PrivateKey own, X25519.PublicKey peer, LinkingCode code,
      byte[] ePub) throws CryptoException {
    SecretBytes shared = own.agree(peer);
    byte[] ikm = shared.toByteArray();
    shared.wipe();
    byte[] okm = HkdfSha256.instance().derive(ikm, new byte[32],
        DeviceCertificate.concat(Labels.LINK_ENVELOPE, DeviceCertificate.concat(code.toBytes(), ePub)),
        64);
    Arrays.fill(ikm, (byte) 0);
    long v = 0;
    for (int i = 32; i < 37; i++) {
      v = (v << 8) | (okm[i] & 0xff);
    }
    SecretBytes key = SecretBytes.wrap(Arrays.copyOf(okm, 32));
    Arrays.fill(okm, (byte) 0);
    return new Keys(key, String.format("%06d", v % 1_000_000));
  }
}
