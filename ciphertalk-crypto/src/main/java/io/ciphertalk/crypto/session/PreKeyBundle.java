package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.Rsa;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.internal.SessionReader;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a device publishes so that others can start sessions with it while it is offline: its
 * address and identity key, a signed X25519 prekey, optionally one one-time prekey, a signed
 * ML-KEM-768 prekey (for {@link HandshakeSuite#PQXDH}) and a signed RSA-3072 prekey (for
 * {@link HandshakeSuite#RSA_OAEP}).
 *
 * <p>An instance always holds verified signatures: {@link Builder#build()} and
 * {@link #deserialize(byte[])} check every prekey signature against the identity key and throw
 * {@link InvalidPreKeyBundleException} otherwise. The identity key itself is only as trustworthy as
 * the directory that served it: {@link Session} checks it with {@link IdentityTrust}.
 * Immutable and thread-safe; builder setters reject null.
 */
public final class PreKeyBundle {
  private static final int FORMAT_VERSION = 1;
  private static final int FLAG_ONE_TIME = 1;
  private static final int FLAG_KEM = 2;
  private static final int FLAG_RSA = 4;

  private final DeviceAddress address;
  private final IdentityKey identityKey;
  private final int signedPreKeyId;
  private final X25519.PublicKey signedPreKey;
  private final byte[] signedPreKeySignature;
  private final int oneTimePreKeyId;
  private final X25519.PublicKey oneTimePreKey;
  private final int kemPreKeyId;
  private final MlKem768.PublicKey kemPreKey;
  private final byte[] kemPreKeySignature;
  private final int rsaPreKeyId;
  private final Rsa.PublicKey rsaPreKey;
  private final byte[] rsaPreKeySignature;

  private PreKeyBundle(Builder b) {
    this.address = b.address;
    this.identityKey = b.identityKey;
    this.signedPreKeyId = b.signedPreKeyId;
    this.signedPreKey = b.signedPreKey;
    this.signedPreKeySignature = b.signedPreKeySignature;
    this.oneTimePreKeyId = b.oneTimePreKeyId;
    this.oneTimePreKey = b.oneTimePreKey;
    this.kemPreKeyId = b.kemPreKeyId;
    this.kemPreKey = b.kemPreKey;
    this.kemPreKeySignature = b.kemPreKeySignature;
    this.rsaPreKeyId = b.rsaPreKeyId;
    this.rsaPreKey = b.rsaPreKey;
    this.rsaPreKeySignature = b.rsaPreKeySignature;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder pre-filled with this bundle's parts, e.g. to add the one-time prekey a directory
   * serves separately: {@code bundle.toBuilder().oneTimePreKey(id, key).build()}.
   */
  public Builder toBuilder() {
    Builder b = builder().address(address).identityKey(identityKey)
        .signedPreKey(signedPreKeyId, signedPreKey, signedPreKeySignature);
    if (oneTimePreKey != null) {
      b.oneTimePreKey(oneTimePreKeyId, oneTimePreKey);
    }
    if (kemPreKey != null) {
      b.kemPreKey(kemPreKeyId, kemPreKey, kemPreKeySignature);
    }
    if (rsaPreKey != null) {
      b.rsaPreKey(rsaPreKeyId, rsaPreKey, rsaPreKeySignature);
    }
    return b;
  }

  /** The publishing device. */
  public DeviceAddress address() {
    return address;
  }

  /** The publishing device's identity key (self-signature verified; trust is the caller's decision). */
  public IdentityKey identityKey() {
    return identityKey;
  }

  /** The signed prekey's id. */
  public int signedPreKeyId() {
    return signedPreKeyId;
  }

  /** The signed X25519 prekey (signature verified). */
  public X25519.PublicKey signedPreKey() {
    return signedPreKey;
  }

  /** The signed prekey's signature (a copy). */
  public byte[] signedPreKeySignature() {
    return signedPreKeySignature.clone();
  }

  /** The one-time prekey's id, if the bundle has one. */
  public OptionalInt oneTimePreKeyId() {
    return oneTimePreKey == null ? OptionalInt.empty() : OptionalInt.of(oneTimePreKeyId);
  }

  /** The one-time prekey, if any. */
  public Optional<X25519.PublicKey> oneTimePreKey() {
    return Optional.ofNullable(oneTimePreKey);
  }

  /** The ML-KEM-768 prekey's id, if any. */
  public OptionalInt kemPreKeyId() {
    return kemPreKey == null ? OptionalInt.empty() : OptionalInt.of(kemPreKeyId);
  }

  /** The ML-KEM-768 prekey (signature verified), if any. */
  public Optional<MlKem768.PublicKey> kemPreKey() {
    return Optional.ofNullable(kemPreKey);
  }

  /** The KEM prekey's signature (a copy), if the bundle has a KEM prekey. */
  public Optional<byte[]> kemPreKeySignature() {
    return Optional.ofNullable(kemPreKeySignature).map(byte[]::clone);
  }

  /** The RSA prekey's id, if any. */
  public OptionalInt rsaPreKeyId() {
    return rsaPreKey == null ? OptionalInt.empty() : OptionalInt.of(rsaPreKeyId);
  }

  /** The RSA prekey (signature verified), if any. */
  public Optional<Rsa.PublicKey> rsaPreKey() {
    return Optional.ofNullable(rsaPreKey);
  }

  /** The RSA prekey's signature (a copy), if the bundle has an RSA prekey. */
  public Optional<byte[]> rsaPreKeySignature() {
    return Optional.ofNullable(rsaPreKeySignature).map(byte[]::clone);
  }

  /** Whether this bundle can start a session with {@code suite}. */
  public boolean supports(HandshakeSuite suite) {
    switch (Objects.requireNonNull(suite, "suite")) {
      case PQXDH:
        return kemPreKey != null;
      case RSA_OAEP:
        return rsaPreKey != null;
      default:
        return true;
    }
  }

  /**
   * Encoding (docs/protocol.md, "Prekey bundle"): {@code u8 1 || address || identity key (128) ||
   * u32 spkId || spk (32) || sig (64) || u8 flags || [u32 opkId || opk (32)] || [u32 kemId || kem
   * (1184) || sig (64)] || [u32 rsaId || u16 n || X.509 DER (n) || sig (64)]}.
   */
  public byte[] serialize() {
    byte[] addr = address.encode();
    ByteWriter w = new ByteWriter(2048);
    w.u8(FORMAT_VERSION).bytes(addr).bytes(identityKey.serialize());
    w.u32(signedPreKeyId).bytes(signedPreKey.toByteArray()).bytes(signedPreKeySignature);
    int flags = (oneTimePreKey != null ? FLAG_ONE_TIME : 0)
        | (kemPreKey != null ? FLAG_KEM : 0)
        | (rsaPreKey != null ? FLAG_RSA : 0);
    w.u8(flags);
    if (oneTimePreKey != null) {
      w.u32(oneTimePreKeyId).bytes(oneTimePreKey.toByteArray());
    }
    if (kemPreKey != null) {
      w.u32(kemPreKeyId).bytes(kemPreKey.toByteArray()).bytes(kemPreKeySignature);
    }
    if (rsaPreKey != null) {
      w.u32(rsaPreKeyId).var16(rsaPreKey.toX509()).bytes(rsaPreKeySignature);
    }
    return w.toByteArray();
  }

  /** Parses and verifies a bundle produced by {@link #serialize()} (at most 8 KiB). */
  public static PreKeyBundle deserialize(byte[] encoded) throws InvalidPreKeyBundleException {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length > 8192) {
      throw new InvalidPreKeyBundleException("bundle longer than 8192 bytes");
    }
    try {
      SessionReader r = new SessionReader(encoded);
      if (r.u8() != FORMAT_VERSION) {
        throw new InvalidPreKeyBundleException("unknown bundle format version");
      }
      int userLen = r.u8();
      String user = new String(r.bytes(userLen), StandardCharsets.UTF_8);
      DeviceAddress address;
      try {
        address = DeviceAddress.of(user, r.u32());
      } catch (IllegalArgumentException e) {
        throw new InvalidPreKeyBundleException("bad address: " + e.getMessage());
      }
      Builder b = builder().address(address).identityKey(IdentityKey.deserialize(r.bytes(128)));
      b.signedPreKey(r.u32(), X25519.PublicKey.of(r.bytes(32)), r.bytes(64));
      int flags = r.u8();
      if ((flags & ~(FLAG_ONE_TIME | FLAG_KEM | FLAG_RSA)) != 0) {
        throw new InvalidPreKeyBundleException("unknown bundle flags");
      }
      if ((flags & FLAG_ONE_TIME) != 0) {
        b.oneTimePreKey(r.u32(), X25519.PublicKey.of(r.bytes(32)));
      }
      if ((flags & FLAG_KEM) != 0) {
        b.kemPreKey(r.u32(), MlKem768.PublicKey.of(r.bytes(MlKem768.PUBLIC_KEY_LENGTH)), r.bytes(64));
      }
      if ((flags & FLAG_RSA) != 0) {
        b.rsaPreKey(r.u32(), Rsa.PublicKey.fromX509(r.var16()), r.bytes(64));
      }
      r.expectEnd();
      return b.build();
    } catch (InvalidPreKeyBundleException e) {
      throw e;
    } catch (SessionReader.Truncated | CryptoException | IllegalArgumentException e) {
      throw new InvalidPreKeyBundleException("malformed prekey bundle: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "PreKeyBundle[" + address + ", spk=" + signedPreKeyId
        + (oneTimePreKey != null ? ", opk=" + oneTimePreKeyId : "")
        + (kemPreKey != null ? ", kem=" + kemPreKeyId : "")
        + (rsaPreKey != null ? ", rsa=" + rsaPreKeyId : "") + "]";
  }

  /**
   * Collects the parts of a bundle; {@link #build()} checks completeness and every signature.
   * Not thread-safe. Setters reject null and non-positive ids immediately.
   */
  public static final class Builder {
    private DeviceAddress address;
    private IdentityKey identityKey;
    private int signedPreKeyId;
    private X25519.PublicKey signedPreKey;
    private byte[] signedPreKeySignature;
    private int oneTimePreKeyId;
    private X25519.PublicKey oneTimePreKey;
    private int kemPreKeyId;
    private MlKem768.PublicKey kemPreKey;
    private byte[] kemPreKeySignature;
    private int rsaPreKeyId;
    private Rsa.PublicKey rsaPreKey;
    private byte[] rsaPreKeySignature;

    private Builder() {}

    /** The publishing device's address (required). */
    public Builder address(DeviceAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The publishing device's identity key (required). */
    public Builder identityKey(IdentityKey identityKey) {
      this.identityKey = Objects.requireNonNull(identityKey, "identityKey");
      return this;
    }

    /** The signed X25519 prekey (required). */
    public Builder signedPreKey(int id, X25519.PublicKey key, byte[] signature) {
      this.signedPreKeyId = PreKeys.checkId(id);
      this.signedPreKey = Objects.requireNonNull(key, "key");
      this.signedPreKeySignature = Objects.requireNonNull(signature, "signature").clone();
      return this;
    }

    /** The public part of {@code key}. */
    public Builder signedPreKey(SignedPreKey key) {
      return signedPreKey(key.id(), key.publicKey(), key.signature());
    }

    /** One one-time prekey (optional; X3DH then adds a fourth DH term). */
    public Builder oneTimePreKey(int id, X25519.PublicKey key) {
      this.oneTimePreKeyId = PreKeys.checkId(id);
      this.oneTimePreKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** The public part of {@code key}. */
    public Builder oneTimePreKey(OneTimePreKey key) {
      return oneTimePreKey(key.id(), key.publicKey());
    }

    /** The signed ML-KEM-768 prekey (required for PQXDH). */
    public Builder kemPreKey(int id, MlKem768.PublicKey key, byte[] signature) {
      this.kemPreKeyId = PreKeys.checkId(id);
      this.kemPreKey = Objects.requireNonNull(key, "key");
      this.kemPreKeySignature = Objects.requireNonNull(signature, "signature").clone();
      return this;
    }

    /** The public part of {@code key}. */
    public Builder kemPreKey(KemPreKey key) {
      return kemPreKey(key.id(), key.publicKey(), key.signature());
    }

    /** The signed RSA prekey (required for RSA_OAEP); 3072 to 4096 bits. */
    public Builder rsaPreKey(int id, Rsa.PublicKey key, byte[] signature) {
      this.rsaPreKeyId = PreKeys.checkId(id);
      this.rsaPreKey = Objects.requireNonNull(key, "key");
      this.rsaPreKeySignature = Objects.requireNonNull(signature, "signature").clone();
      return this;
    }

    /** The public part of {@code key}. */
    public Builder rsaPreKey(RsaPreKey key) {
      return rsaPreKey(key.id(), key.publicKey(), key.signature());
    }

    /**
     * Checks that the required parts are present and that every signature verifies under the
     * identity key.
     *
     * @throws InvalidPreKeyBundleException naming the part that is missing or badly signed
     */
    public PreKeyBundle build() throws InvalidPreKeyBundleException {
      if (address == null) {
        throw new InvalidPreKeyBundleException("bundle has no address");
      }
      if (identityKey == null) {
        throw new InvalidPreKeyBundleException("bundle has no identity key");
      }
      if (signedPreKey == null) {
        throw new InvalidPreKeyBundleException("bundle has no signed prekey");
      }
      try {
        PreKeys.verify(identityKey, Kdfs.SIG_SIGNED_PREKEY, signedPreKeyId,
            signedPreKey.toByteArray(), signedPreKeySignature);
      } catch (InvalidSignatureException e) {
        throw new InvalidPreKeyBundleException("signed prekey signature does not verify", e);
      }
      if (kemPreKey != null) {
        try {
          PreKeys.verify(identityKey, Kdfs.SIG_KEM_PREKEY, kemPreKeyId, kemPreKey.toByteArray(),
              kemPreKeySignature);
        } catch (InvalidSignatureException e) {
          throw new InvalidPreKeyBundleException("KEM prekey signature does not verify", e);
        }
      }
      if (rsaPreKey != null) {
        if (rsaPreKey.modulusBits() < 3072 || rsaPreKey.modulusBits() > 4096) {
          throw new InvalidPreKeyBundleException(
              "RSA prekey has " + rsaPreKey.modulusBits() + " bits; 3072 to 4096 required");
        }
        try {
          PreKeys.verify(identityKey, Kdfs.SIG_RSA_PREKEY, rsaPreKeyId, rsaPreKey.toX509(),
              rsaPreKeySignature);
        } catch (InvalidSignatureException e) {
          throw new InvalidPreKeyBundleException("RSA prekey signature does not verify", e);
        }
      }
      return new PreKeyBundle(this);
    }
  }
}
