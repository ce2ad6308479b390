package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.group.internal.GroupReader;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.group.internal.ChainKdf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Hands one device's sender key for a room and epoch to another member device (docs/protocol.md,
 * "Groups (Sender Keys)", distribution message format v1):
 *
 * <pre>
 *   u8 version (1) | u8 type (0x10) | room id (u8 length + ASCII) | u64 epoch | sender address
 *   | u32 chain id | u32 iteration | 32-byte chain key | 32-byte Ed25519 signing public key
 *   | 64-byte Ed25519 signature by that key over the label {@value #SIGNATURE_LABEL} and every byte before it
 * </pre>
 *
 * <p>It carries a secret chain key: send it only inside a pairwise 1:1 session to a member device,
 * which must pass the session's authenticated peer address to {@link
 * GroupSession#processDistribution}. The self-signature gives integrity (any altered byte is
 * rejected) and proves possession of the signing key; who sent it is proven by the pairwise
 * session, not by the signature. The chain key is at the sender's current iteration, so the
 * recipient can read only messages from that point on.
 *
 * <p>Immutable and thread-safe until {@link #wipe()}; {@code toString} never shows the chain key.
 */
public final class SenderKeyDistributionMessage {
  /** Format version byte. */
  public static final int VERSION = 1;
  /** Type byte (0x10; see {@link GroupMessage#TYPE}). */
  public static final int TYPE = 0x10;
  /** Domain-separation prefix of the signed bytes. */
  public static final String SIGNATURE_LABEL = "CipherTalk group v1 distribution signature";
  /** Upper bound of an encoding (longest room id and user id). */
  public static final int MAX_ENCODED_LENGTH = 2 + 129 + 8 + 69 + 8 + 32 + 32 + 64;

  private static final byte[] LABEL = SIGNATURE_LABEL.getBytes(StandardCharsets.US_ASCII);

  private final String roomId;
  private final long epoch;
  private final DeviceAddress sender;
  private final int chainId;
  private final int iteration;
  private final byte[] chainKey;
  private final Ed25519.PublicKey signingKey;
  private final byte[] encoded;

  private SenderKeyDistributionMessage(
      String roomId, long epoch, DeviceAddress sender, int chainId, int iteration, byte[] chainKey,
      Ed25519.PublicKey signingKey, byte[] encoded) {
    this.roomId = roomId;
    this.epoch = epoch;
    this.sender = sender;
    this.chainId = chainId;
    this.iteration = iteration;
    this.chainKey = chainKey;
    this.signingKey = signingKey;
    this.encoded = encoded;
  }

  /** Encodes and signs a distribution message for the given chain state. */
  static SenderKeyDistributionMessage create(
      String roomId, long epoch, DeviceAddress sender, int chainId, int iteration, byte[] chainKey,
      Ed25519.PrivateKey signer) {
    ByteWriter w = new ByteWriter(MAX_ENCODED_LENGTH);
    try {
      w.u8(VERSION).u8(TYPE).ascii8(roomId).u64(epoch).address(sender).u32(chainId).u32(iteration)
          .bytes(chainKey).bytes(signer.publicKey().toByteArray());
      byte[] body = w.toByteArray();
      byte[] sig = signer.sign(concat(LABEL, body));
      byte[] all = Arrays.copyOf(body, body.length + sig.length);
      System.arraycopy(sig, 0, all, body.length, sig.length);
      Arrays.fill(body, (byte) 0);
      return new SenderKeyDistributionMessage(
          roomId, epoch, sender, chainId, iteration, chainKey.clone(), signer.publicKey(), all);
    } finally {
      w.wipe();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Parses and checks an encoded distribution message, including its self-signature.
   *
   * @throws InvalidGroupMessageException if malformed, of another version or type, or too long
   * @throws InvalidSignatureException if any byte was altered (the signature does not verify)
   */
  public static SenderKeyDistributionMessage parse(byte[] encoded)
      throws InvalidGroupMessageException, InvalidSignatureException {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length > MAX_ENCODED_LENGTH) {
      throw new InvalidGroupMessageException("distribution message too long");
    }
    GroupReader r = new GroupReader(encoded, "distribution message");
    if (r.u8() != VERSION) {
      throw new InvalidGroupMessageException("unsupported distribution message version");
    }
    if (r.u8() != TYPE) {
      throw new InvalidGroupMessageException("not a distribution message");
    }
    String roomId = r.roomId();
    long epoch = r.u64();
    if (epoch < 0 || epoch > GroupSession.MAX_EPOCH) {
      throw new InvalidGroupMessageException("distribution epoch out of range");
    }
    DeviceAddress sender = r.address();
    int chainId = r.u32();
    int iteration = r.u32();
    if (iteration < 0 || iteration == Integer.MAX_VALUE) {
      throw new InvalidGroupMessageException("distribution iteration out of range");
    }
    byte[] chainKey = r.bytes(ChainKdf.CHAIN_KEY_LENGTH);
    Ed25519.PublicKey pub;
    try {
      pub = Ed25519.PublicKey.of(r.bytes(Ed25519.PUBLIC_KEY_LENGTH));
    } catch (InvalidKeyMaterialException e) {
      Arrays.fill(chainKey, (byte) 0);
      throw new InvalidSignatureException("distribution message carries an invalid signing key");
    }
    int bodyLength = r.position();
    byte[] sig = r.bytes(Ed25519.SIGNATURE_LENGTH);
    r.expectEnd();
    byte[] signed = concat(LABEL, Arrays.copyOf(encoded, bodyLength));
    try {
      pub.verify(sig, signed);
    } catch (InvalidSignatureException e) {
      Arrays.fill(chainKey, (byte) 0);
      throw e;
    } finally {
      Arrays.fill(signed, (byte) 0);
    }
    return new SenderKeyDistributionMessage(
        roomId, epoch, sender, chainId, iteration, chainKey, pub, encoded.clone());
  }

  /** The encoding (a copy; it contains the secret chain key). */
  public byte[] toByteArray() {
    return encoded.clone();
  }

  public String roomId() {
    return roomId;
  }

  public long epoch() {
    return epoch;
  }

  /** The device whose sender key this is. */
  public DeviceAddress sender() {
    return sender;
  }

  public int chainId() {
    return chainId;
  }

  /** The chain position the enclosed chain key is at. */
  public int iteration() {
    return iteration;
  }

  /** The sender's signing public key for this chain. */
  public Ed25519.PublicKey signingKey() {
    return signingKey;
  }

  /** A copy of the chain key (secret). */
  byte[] chainKey() {
    return chainKey.clone();
  }

  /** Overwrites the chain key and the encoding. */
  public void wipe() {
    Arrays.fill(chainKey, (byte) 0);
    Arrays.fill(encoded, (byte) 0);
  }

  @Override
  public String toString() {
    return "SenderKeyDistributionMessage[room=" + roomId + ", epoch=" + epoch + ", sender=" + sender
        + ", iteration=" + iteration + "]";
  }
}
