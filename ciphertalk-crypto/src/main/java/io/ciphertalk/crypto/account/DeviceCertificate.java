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
 * The account key's statement "device {@code address} of this account has identity key {@code
 * identityKey}, since {@code createdAt}". A contact accepts a device only with a certificate that
 * verifies under the account key it pinned for that user, for exactly that address and identity
 * key (Matrix cross-signing's self-signing signature; Signal's linked-device provisioning).
 *
 * <p>Encoding, version 1 ({@link #serialize()}, 240 to 303 bytes):
 *
 * <pre>
 * u8 1 || u8 n || userId [n] || u32 deviceId || IdentityKey [128] || i64 createdAt (Unix ms)
 *      || AccountKey [32] || sig [64]
 * sig = Ed25519-Sign(account, "CipherTalk/1/sig/device-certificate" || every byte before sig)
 * </pre>
 *
 * An instance always carries a verified signature; {@link #verify} additionally checks it against a
 * pinned account key and an expected address. Immutable and thread-safe; no method accepts null.
 */
public final class DeviceCertificate {
  /** The only format version. */
  public static final int VERSION = 1;
  /** Shortest encoding (one-character user id). */
  public static final int MIN_LENGTH = 1 + 1 + 1 + 4 + IdentityKey.ENCODED_LENGTH + 8 + 32 + 64;
  /** Longest encoding (64-character user id). */
  public static final int MAX_LENGTH = MIN_LENGTH + 63;

  private final DeviceAddress address;
  private final IdentityKey identityKey;
  private final long createdAt;
  private final AccountKey accountKey;
  private final byte[] encoded;

  private DeviceCertificate(DeviceAddress address, IdentityKey identityKey, long createdAt,
      AccountKey accountKey, byte[] encoded) {
    this.address = address;
    this.identityKey = identityKey;
    this.createdAt = createdAt;
    this.accountKey = accountKey;
    this.encoded = encoded;
  }

  /**
   * Signs a certificate for {@code address} and {@code identityKey} with the account key.
   *
   * @throws IllegalArgumentException if {@code createdAt} is before the epoch
   */
  public static DeviceCertificate issue(AccountKeyPair account, DeviceAddress address,
      IdentityKey identityKey, Instant createdAt) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(identityKey, "identityKey");
    long at = Objects.requireNonNull(createdAt, "createdAt").toEpochMilli();
    if (at < 0) {
      throw new IllegalArgumentException("createdAt before the epoch: " + createdAt);
    }
    byte[] body = new ByteWriter(MAX_LENGTH).u8(VERSION).address(address)
        .bytes(identityKey.serialize()).u64(at).bytes(account.publicKey().serialize())
        .toByteArray();
    byte[] sig = account.sign(concat(Labels.SIG_DEVICE_CERTIFICATE, body));
    return new DeviceCertificate(address, identityKey, at, account.publicKey(), concat(body, sig));
  }

  /**
   * Parses a certificate and verifies its signature under the account key it names, checking, in
   * order: the length (240..303), the version, the address, the identity key (its self-signature),
   * that {@code createdAt} is not negative, the account key encoding, and the signature.
   *
   * @throws InvalidCertificateException at the first check that fails
   */
  public static DeviceCertificate deserialize(byte[] encoded) throws InvalidCertificateException {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length < MIN_LENGTH || encoded.length > MAX_LENGTH) {
      throw new InvalidCertificateException("device certificate length " + encoded.length
          + " outside " + MIN_LENGTH + ".." + MAX_LENGTH);
    }
    Reader<InvalidCertificateException> r = new Reader<>(encoded, InvalidCertificateException::new);
    int version = r.u8();
    if (version != VERSION) {
      throw new InvalidCertificateException("unknown device certificate version " + version);
    }
    DeviceAddress address = r.address();
    IdentityKey identity;
    try {
      identity = IdentityKey.deserialize(r.bytes(IdentityKey.ENCODED_LENGTH));
    } catch (InvalidKeyMaterialException e) {
      throw new InvalidCertificateException("certified identity key is invalid", e);
    }
    long createdAt = r.u64();
    if (createdAt < 0) {
      throw new InvalidCertificateException("negative creation time");
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
      account.verify(sig, concat(Labels.SIG_DEVICE_CERTIFICATE, Arrays.copyOf(encoded, signed)));
    } catch (InvalidSignatureException e) {
      throw new InvalidCertificateException("device certificate signature does not verify", e);
    }
    return new DeviceCertificate(address, identity, createdAt, account, encoded.clone());
  }

  /**
   * Checks that this certificate was signed by {@code pinned} and is for {@code expected}.
   *
   * @throws InvalidCertificateException naming the mismatch
   */
  public void verify(AccountKey pinned, DeviceAddress expected) throws InvalidCertificateException {
    if (!accountKey.equals(Objects.requireNonNull(pinned, "pinned"))) {
      throw new InvalidCertificateException("certificate of " + address
          + " is signed by another account key than the pinned one");
    }
    if (!address.equals(Objects.requireNonNull(expected, "expected"))) {
      throw new InvalidCertificateException("certificate is for " + address + ", not " + expected);
    }
  }

  /** The certified device. */
  public DeviceAddress address() {
    return address;
  }

  /** The certified device's identity key. */
  public IdentityKey identityKey() {
    return identityKey;
  }

  /** When the account key certified the device. */
  public Instant createdAt() {
    return Instant.ofEpochMilli(createdAt);
  }

  /** The account key that signed this certificate (verified). */
  public AccountKey accountKey() {
    return accountKey;
  }

  /** The encoding (a copy). */
  public byte[] serialize() {
    return encoded.clone();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceCertificate && Arrays.equals(encoded, ((DeviceCertificate) o).encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "DeviceCertificate[" + address + ", " + identityKey + ", " + accountKey + "]";
  }
}
