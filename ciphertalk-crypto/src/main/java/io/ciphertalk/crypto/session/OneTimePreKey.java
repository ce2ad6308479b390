package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.internal.SessionReader;
import io.ciphertalk.crypto.internal.ByteWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A one-time X25519 prekey (X3DH's OPK) with its id. Unsigned, as in X3DH: the server hands each
 * one out at most once and the device deletes its private key when a session consumes it. This
 * object holds the private key.
 *
 * <p>Thread-safe; {@link #wipe()} must not race with use. No method accepts null.
 */
public final class OneTimePreKey {
  private final int id;
  private final X25519.PrivateKey key;

  private OneTimePreKey(int id, X25519.PrivateKey key) {
    this.id = id;
    this.key = key;
  }

  /** Generates one prekey with the given positive id. */
  public static OneTimePreKey generate(int id, RandomSource random) {
    Objects.requireNonNull(random, "random");
    return new OneTimePreKey(PreKeys.checkId(id), X25519.generate(random));
  }

  /** Generates {@code count} (1..1000) prekeys with consecutive ids from {@code firstId}. */
  public static List<OneTimePreKey> generateBatch(int firstId, int count, RandomSource random) {
    PreKeys.checkId(firstId);
    if (count < 1 || count > 1000 || firstId > Integer.MAX_VALUE - count) {
      throw new IllegalArgumentException("count must be 1..1000 and ids must stay positive: " + count);
    }
    List<OneTimePreKey> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(generate(firstId + i, random));
    }
    return List.copyOf(out);
  }

  /** The prekey id (positive). */
  public int id() {
    return id;
  }

  /** The public key to publish. */
  public X25519.PublicKey publicKey() {
    return key.publicKey();
  }

  X25519.PrivateKey privateKey() {
    return key;
  }

  /** Secret encoding: {@code u8 1 || u32 id || x25519 private (32)}. */
  public SecretBytes serialize() {
    byte[] s = key.secret().toByteArray();
    byte[] out = new ByteWriter(37).u8(PreKeys.FORMAT_VERSION).u32(id).bytes(s).toByteArray();
    Arrays.fill(s, (byte) 0);
    return SecretBytes.wrap(out);
  }

  /** Restores a prekey from {@link #serialize()}. */
  public static OneTimePreKey deserialize(SecretBytes encoded) throws InvalidKeyMaterialException {
    byte[] b = Objects.requireNonNull(encoded, "encoded").toByteArray();
    try {
      SessionReader r = new SessionReader(b);
      if (r.u8() != PreKeys.FORMAT_VERSION) {
        throw new InvalidKeyMaterialException("unknown one-time prekey format");
      }
      int id = r.u32();
      byte[] s = r.bytes(32);
      r.expectEnd();
      if (id < 1) {
        throw new InvalidKeyMaterialException("one-time prekey id must be positive");
      }
      X25519.PrivateKey k = X25519.PrivateKey.of(SecretBytes.wrap(s));
      Arrays.fill(s, (byte) 0);
      return new OneTimePreKey(id, k);
    } catch (SessionReader.Truncated e) {
      throw PreKeys.malformed("one-time prekey", e);
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  /** Overwrites the private key. */
  public void wipe() {
    key.wipe();
  }

  @Override
  public String toString() {
    return "OneTimePreKey[id=" + id + "]";
  }
}
