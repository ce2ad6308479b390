package io.ciphertalk.benchmarks.group;

import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.HkdfSha256;
import io.ciphertalk.crypto.HmacSha256;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.GroupMessage;
import io.ciphertalk.crypto.group.GroupSession;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Group message format v1 (key and nonce from the chain) against v2 (a random 96-bit nonce that
 * also salts the key) in the <em>same run</em>, so machine load hits both alike and their ratio
 * means something even on a busy machine (issue 15: the random nonce may cost at most 5% of a
 * group encrypt). The library only writes v2 now, so both formats are encrypted here by one
 * straight-line implementation of docs/protocol.md ("Chain", "Group message") that differs only
 * in the per-message derivation and header; {@code GroupEncryptVersionsTest} checks that it
 * reproduces the published v1 and v2 test vectors byte for byte. {@code librarySessionV2} is the
 * library's own {@link GroupSession#encrypt} (v2), to show the straight-line code costs the same.
 * Each operation: one chain step, the key derivation, AES-256-GCM of 256 bytes, one Ed25519
 * signature.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GroupEncryptVersionsBenchmark {
  private static final String ROOM = "bench-room";
  private final byte[] plaintext = new byte[256];
  private final byte[] messageId = new byte[16];
  private GroupMessageWriter v1;
  private GroupMessageWriter v2;
  private GroupSession session;

  @Setup
  public void setup() {
    RandomSource random = RandomSource.secure();
    DeviceAddress alice = DeviceAddress.of("alice", 1);
    v1 = new GroupMessageWriter(1, ROOM, 1, alice, 42, random.bytes(32), random.bytes(32), random);
    v2 = new GroupMessageWriter(2, ROOM, 1, alice, 42, random.bytes(32), random.bytes(32), random);
    session = GroupSession.builder().localAddress(alice).build();
    session.startEpoch(ROOM, 1, Set.of(alice, DeviceAddress.of("bob", 1)));
  }

  @Benchmark
  public byte[] encryptV1() throws CryptoException {
    return v1.encrypt(plaintext, messageId, 0);
  }

  @Benchmark
  public byte[] encryptV2() throws CryptoException {
    return v2.encrypt(plaintext, messageId, 0);
  }

  @Benchmark
  public byte[] librarySessionV2() throws CryptoException {
    GroupMessage m = session.encrypt(ROOM, plaintext, messageId, GroupMessage.NO_EXPIRY);
    return m.toByteArray();
  }

  /**
   * One sender chain writing group messages of one format version, straight from the spec. Not
   * thread-safe; for benchmarks and their vector test only.
   */
  static final class GroupMessageWriter {
    private static final byte[] ZERO_SALT = new byte[32];
    private final int version;
    private final byte[] keyInfo;
    private final byte[] signatureLabel;
    private final String roomId;
    private final long epoch;
    private final DeviceAddress sender;
    private final int chainId;
    private final Ed25519.PrivateKey signer;
    private final RandomSource random;
    private byte[] chainKey;
    private int iteration;

    GroupMessageWriter(int version, String roomId, long epoch, DeviceAddress sender, int chainId,
        byte[] chainKey, byte[] signingSeed, RandomSource random) {
      if (version != 1 && version != 2) {
        throw new IllegalArgumentException("group format version 1 or 2, not " + version);
      }
      this.version = version;
      this.keyInfo = ascii("CipherTalk group v" + version + " message key");
      this.signatureLabel = ascii("CipherTalk group v" + version + " message signature");
      this.roomId = roomId;
      this.epoch = epoch;
      this.sender = sender;
      this.chainId = chainId;
      this.chainKey = chainKey.clone();
      try {
        this.signer = Ed25519.PrivateKey.fromSeed(SecretBytes.copyOf(signingSeed));
      } catch (CryptoException e) {
        throw new IllegalArgumentException("signing seed", e);
      }
      this.random = random;
    }

    byte[] encrypt(byte[] plaintext, byte[] messageId, long expiresAt) throws CryptoException {
      byte[] seed = HmacSha256.computeWithKey(chainKey, new byte[] {0x01});
      byte[] key;
      byte[] nonce;
      if (version == 1) {
        byte[] keyAndNonce = HkdfSha256.instance().derive(seed, ZERO_SALT, keyInfo, 44);
        key = Arrays.copyOf(keyAndNonce, 32);
        nonce = Arrays.copyOfRange(keyAndNonce, 32, 44);
        Arrays.fill(keyAndNonce, (byte) 0);
      } else {
        nonce = random.bytes(12);
        key = HkdfSha256.instance().derive(seed, nonce, keyInfo, 32);
      }
      Arrays.fill(seed, (byte) 0);
      ByteArrayOutputStream header = new ByteArrayOutputStream(112);
      header.write(version);
      header.write(0x11);
      byte[] room = ascii(roomId);
      header.write(room.length);
      header.writeBytes(room);
      header.writeBytes(u64(epoch));
      header.writeBytes(sender.encode());
      header.writeBytes(u32(chainId));
      header.writeBytes(u32(iteration));
      header.writeBytes(messageId);
      header.writeBytes(u64(expiresAt));
      if (version == 2) {
        header.writeBytes(nonce);
      }
      byte[] ad = header.toByteArray();
      SecretBytes k = SecretBytes.wrap(key);
      byte[] ciphertext;
      try {
        ciphertext = AesGcm.create(k).seal(nonce, plaintext, ad);
      } finally {
        k.wipe();
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream(ad.length + 4 + ciphertext.length + 64);
      body.writeBytes(ad);
      body.writeBytes(u32(ciphertext.length));
      body.writeBytes(ciphertext);
      byte[] signed = body.toByteArray();
      byte[] labelled = Arrays.copyOf(signatureLabel, signatureLabel.length + signed.length);
      System.arraycopy(signed, 0, labelled, signatureLabel.length, signed.length);
      body.writeBytes(signer.sign(labelled));
      byte[] next = HmacSha256.computeWithKey(chainKey, new byte[] {0x02});
      Arrays.fill(chainKey, (byte) 0);
      chainKey = next;
      iteration++;
      return body.toByteArray();
    }

    private static byte[] ascii(String s) {
      return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] u32(int v) {
      return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] u64(long v) {
      byte[] b = new byte[8];
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (v >>> (56 - 8 * i));
      }
      return b;
    }
  }
}
