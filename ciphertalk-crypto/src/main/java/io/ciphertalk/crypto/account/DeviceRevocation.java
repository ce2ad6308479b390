package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.IdentityKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The account key's statement "device {@code address}, with identity key {@code identityKey}, is
 * revoked since {@code revokedAt}", signed on device {@code revokedBy} of the same account (the
 * revoked device itself on logout, or a remaining device when one is lost). Contacts that verify it
 * under the pinned account key stop encrypting to the device and drop its messages.
 *
 * <p>Encoding, version 1 ({@link #serialize()}, 180 to 243 bytes):
 *
 * <pre>
 * u8 1 || u8 n || userId [n] || u32 deviceId || IKs_pub [32] || IK_pub [32] || i64 revokedAt
 *      || u32 revokedBy || AccountKey [32] || sig [64]
 * sig = Ed25519-Sign(account, "CipherTalk/1/sig/device-revocation" || every byte before sig)
 * </pre>
 *
 * The revoked identity key is named so that a revocation cannot be replayed against a later device
 * that reuses the device id. Immutable and thread-safe; no method accepts null.
 */
public final class DeviceRevocation {
  /** The only format version. */
  public static final int VERSION = 1;
  /** Shortest encoding (one-character user id). */
  public static final int MIN_LENGTH = 1 + 1 + 1 + 4 + 64 + 8 + 4 + 32 + 64;
  /** Longest encoding (64-character user id). */
  public static final int MAX_LENGTH = MIN_LENGTH + 63;

  private final DeviceAddress address;
  private final byte[] identityKey64;
  private final long revokedAt;
  private final int revokedBy;
  private final AccountKey accountKey;
  private final byte[] encoded;

  private DeviceRevocation(DeviceAddress address, byte[] identityKey64, long revokedAt,
      int revokedBy, AccountKey accountKey, byte[] encoded) {
    this.address = address;
    this.identityKey64 = identityKey64;
    this.revokedAt = revokedAt;
    this.revokedBy = revokedBy;
    this.accountKey = accountKey;
    this.encoded = encoded;
  }

  /**
   * Signs the revocation of {@code certificate}'s device, made on device {@code revokedBy}.
   *
   * @throws IllegalArgumentException if the certificate is of another account, {@code revokedBy}
   *     is not positive, or {@code revokedAt} is before the epoch
   */
  public static DeviceRevocation issue(AccountKeyPair account, DeviceCertificate certificate,
      int revokedBy, Instant revokedAt) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(certificate, "certificate");
    if (!certificate.accountKey().equals(account.publicKey())) {
      throw new IllegalArgumentException("certificate of " + certificate.address()
          + " belongs to another account key");
    }
    if (revokedBy < 1) {
      throw new IllegalArgumentException("revokedBy must be a device id: " + revokedBy);
    }
    long at = Objects.requireNonNull(revokedAt, "revokedAt").toEpochMilli();
    if (at < 0) {
      throw new IllegalArgumentException("revokedAt before the epoch: " + revokedAt);
    }
    byte[] ik = certificate.identityKey().publicKeyBytes();
    byte[] body = new ByteWriter(MAX_LENGTH).u8(VERSION).address(certificate.address()).bytes(ik)
        .u64(at).u32(revokedBy).bytes(account.publicKey().serialize()).toByteArray();
    byte[] sig = account.sign(DeviceCertificate.concat(Labels.SIG_DEVICE_REVOCATION, body));
    return new DeviceRevocation(certificate.address(), ik, at, revokedBy, account.publicKey(),
        DeviceCertificate.concat(body, sig));
  }

  /**
   * Parses a revocation and verifies its signature under the account key it names, checking, in
   * order: the length (180..243), the version, the address, that {@code revokedAt} is not negative,
   * that {@code revokedBy} is positive, the account key encoding, and the signature.
   *
   * @throws InvalidCertificateException at the first check that fails
   */
  public static DeviceRevocation deserialize(byte[] encoded) throws InvalidCertificateException {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length < MIN_LENGTH || encoded.length > MAX_LENGTH) {
      throw new InvalidCertificateException("device revocation length " + encoded.length
          + " outside " + MIN_LENGTH + ".." + MAX_LENGTH);
    }
    Reader<InvalidCertificateException> r = new Reader<>(encoded, InvalidCertificateException::new);
    int version = r.u8();
    if (version != VERSION) {
      throw new InvalidCertificateException("unknown device revocation version " + version);
    }
    DeviceAddress address = r.address();
    byte[] ik = r.bytes(64);
    long at = r.u64();
    if (at < 0) {
      throw new InvalidCertificateException("negative revocation time");
    }
    int by = r.u32();
    if (by < 1) {
      throw new InvalidCertificateException("revokedBy is not a device id: " + by);
    }
    AccountKey account;
    try {
      account = AccountKey.deserialize(r.bytes(AccountKey.ENCODED_LENGTH));
    } catch (InvalidKeyMaterialException e) {
      throw new InvalidCertificateException("account key is invalid", e);
    }
    int signed = r.position();
    byte[] sig = r.bytes(Ed25519.SIGNATURE_LENGTH);
    r.expectEnd();
    try {
      account.verify(sig, DeviceCertificate.concat(Labels.SIG_DEVICE_REVOCATION,
          Arrays.copyOf(encoded, signed)));
    } catch (InvalidSignatureException e) {
      throw new InvalidCertificateException("device revocation signature does not verify", e);
    }
    return new DeviceRevocation(address, ik, at, by, account, encoded.clone());
  }

  /**
   * Checks that this revocation was signed by {@code pinned}.
   *
   * @throws InvalidCertificateException if another account key signed it
   */
  public void verify(AccountKey pinned) throws InvalidCertificateException {
    if (!accountKey.equals(Objects.requireNonNull(pinned, "pinned"))) {
      throw new InvalidCertificateException("revocation of " + address
          + " is signed by another account key than the pinned one");
    }
  }

  /** Whether this revocation applies to {@code certificate}: same account, address and key. */
  public boolean revokes(DeviceCertificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    return certificate.accountKey().equals(accountKey) && certificate.address().equals(address)
        && Arrays.equals(certificate.identityKey().publicKeyBytes(), identityKey64);
  }

  /** The revoked device. */
  public DeviceAddress address() {
    return address;
  }

  /** {@code IKs_pub || IK_pub} of the revoked device (a copy). */
  public byte[] identityKeyBytes() {
    return identityKey64.clone();
  }

  /** When the device was revoked. */
  public Instant revokedAt() {
    return Instant.ofEpochMilli(revokedAt);
  }

  /** The device id of the account's device that signed the revocation. */
  public int revokedBy() {
    return revokedBy;
  }

  /** The account key that signed this revocation (verified). */
  public AccountKey accountKey() {
    return accountKey;
  }

  /** The encoding (a copy). */
  public byte[] serialize() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceRevocation && Arrays.equals(encoded, ((DeviceRevocation) o).encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "DeviceRevocation[" + address + " by device " + revokedBy + "]";
  }
}
