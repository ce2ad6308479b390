package io.ciphertalk.crypto.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks docs/test-vectors/groups.json: byte for byte against the generator, and value by value
 * against a from-the-spec re-implementation (plain JCE HMAC/AES-GCM, hand-written HKDF and
 * encodings) so the documented format, the code and the vectors agree.
 */
class GroupTestVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static JsonNode vectors;
  private static String fileText;

  @BeforeAll
  static void load() throws Exception {
    Path p = Path.of(GroupTestVectors.RELATIVE_PATH);
    if (!Files.exists(p)) {
      p = Path.of("..").resolve(GroupTestVectors.RELATIVE_PATH);
    }
    fileText = Files.readString(p, StandardCharsets.UTF_8);
    vectors = new ObjectMapper().readTree(fileText);
  }

  private static byte[] hex(JsonNode n) {
    return HEX.parseHex(n.asText());
  }

  private static byte[] hmac(byte[] key, byte[]... parts) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    for (byte[] p : parts) {
      mac.update(p);
    }
    return mac.doFinal();
  }

  /** RFC 5869 with a 32-zero-byte salt, for L <= 64. */
  private static byte[] hkdf(byte[] ikm, byte[] info, int length) throws Exception {
    byte[] prk = hmac(new byte[32], ikm);
    byte[] t1 = hmac(prk, info, new byte[] {1});
    byte[] t2 = hmac(prk, t1, info, new byte[] {2});
    byte[] okm = new byte[64];
    System.arraycopy(t1, 0, okm, 0, 32);
    System.arraycopy(t2, 0, okm, 32, 32);
    return Arrays.copyOf(okm, length);
  }

  @Test
  void checkedInFile_isExactlyWhatTheGeneratorProduces() throws Exception {
    assertThat(fileText).isEqualTo(GroupTestVectors.generate());
  }

  @Test
  void chainSteps_matchTheSpec() throws Exception {
    JsonNode chain = vectors.get("chain");
    byte[] ck = hex(chain.get("chainKey"));
    for (JsonNode step : chain.get("steps")) {
      byte[] seed = hmac(ck, new byte[] {1});
      byte[] kn = hkdf(seed, "CipherTalk group v1 message key".getBytes(StandardCharsets.US_ASCII), 44);
      assertThat(seed).isEqualTo(hex(step.get("messageSeed")));
      assertThat(Arrays.copyOf(kn, 32)).isEqualTo(hex(step.get("messageKey")));
      assertThat(Arrays.copyOfRange(kn, 32, 44)).isEqualTo(hex(step.get("nonce")));
      ck = hmac(ck, new byte[] {2});
      assertThat(ck).isEqualTo(hex(step.get("nextChainKey")));
    }
  }

  @Test
  void distributionMessages_matchTheSpecLayout_andParse() throws Exception {
    JsonNode room = vectors.get("room");
    byte[] pub = hex(room.get("signingPublicKey"));
    Ed25519.PrivateKey signer = Ed25519.PrivateKey.fromSeed(SecretBytes.copyOf(hex(room.get("signingSeed"))));
    assertThat(signer.publicKey().toByteArray()).isEqualTo(pub);

    byte[] body = concat(
        new byte[] {1, 0x10},
        roomId(room.get("roomId").asText()),
        ByteBuffer.allocate(8).putLong(room.get("epoch").asLong()).array(),
        hex(room.get("senderAddressEncoding")),
        ByteBuffer.allocate(4).putInt((int) room.get("chainId").asLong()).array(),
        ByteBuffer.allocate(4).putInt(0).array(),
        hex(room.get("initialChainKey")),
        pub);
    byte[] sig = signer.sign(concat(
        "CipherTalk group v1 distribution signature".getBytes(StandardCharsets.US_ASCII), body));
    assertThat(concat(body, sig)).isEqualTo(hex(room.get("distributionAtIteration0")));

    SenderKeyDistributionMessage later =
        SenderKeyDistributionMessage.parse(hex(room.get("distributionAtIteration3")));
    assertThat(later.iteration()).isEqualTo(3);
    assertThat(later.sender()).isEqualTo(DeviceAddress.of("alice", 1));
    assertThat(later.signingKey().toByteArray()).isEqualTo(pub);
  }

  @Test
  void groupMessages_matchTheSpecLayout_andDecryptAtAnotherMember() throws Exception {
    JsonNode room = vectors.get("room");
    Ed25519.PrivateKey signer = Ed25519.PrivateKey.fromSeed(SecretBytes.copyOf(hex(room.get("signingSeed"))));
    byte[] ck = hex(room.get("initialChainKey"));
    DeviceAddress bob = DeviceAddress.of("bob", 1);
    GroupSession receiver = GroupTestSupport.session(bob, new GroupTestSupport.FakeClock(GroupTestSupport.START));
    receiver.startEpoch(room.get("roomId").asText(), room.get("epoch").asLong(), GroupTestVectors.MEMBERS);
    assertThat(receiver.processDistribution(DeviceAddress.of("alice", 1), hex(room.get("distributionAtIteration0"))))
        .isEqualTo(DistributionResult.ACCEPTED);

    for (JsonNode m : room.get("messages")) {
      int iteration = m.get("iteration").asInt();
      byte[] header = concat(
          new byte[] {1, 0x11},
          roomId(room.get("roomId").asText()),
          ByteBuffer.allocate(8).putLong(room.get("epoch").asLong()).array(),
          hex(room.get("senderAddressEncoding")),
          ByteBuffer.allocate(4).putInt((int) room.get("chainId").asLong()).array(),
          ByteBuffer.allocate(4).putInt(iteration).array(),
          hex(m.get("messageId")),
          ByteBuffer.allocate(8).putLong(m.get("expiresAtEpochMillis").asLong()).array());
      assertThat(header).isEqualTo(hex(m.get("associatedData")));
      byte[] kn = hkdf(hmac(ck, new byte[] {1}),
          "CipherTalk group v1 message key".getBytes(StandardCharsets.US_ASCII), 44);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Arrays.copyOf(kn, 32), "AES"),
          new GCMParameterSpec(128, Arrays.copyOfRange(kn, 32, 44)));
      gcm.updateAAD(header);
      byte[] ct = gcm.doFinal(hex(m.get("plaintext")));
      byte[] body = concat(header, ByteBuffer.allocate(4).putInt(ct.length).array(), ct);
      byte[] sig = signer.sign(concat(
          "CipherTalk group v1 message signature".getBytes(StandardCharsets.US_ASCII), body));
      assertThat(concat(body, sig)).isEqualTo(hex(m.get("message")));
      ck = hmac(ck, new byte[] {2});

      DecryptedGroupMessage d = receiver.decrypt(GroupMessage.parse(hex(m.get("message"))));
      assertThat(d.plaintext()).isEqualTo(hex(m.get("plaintext")));
      assertThat(d.messageId()).isEqualTo(hex(m.get("messageId")));
      assertThat(d.expiresAtEpochMillis()).isEqualTo(m.get("expiresAtEpochMillis").asLong());
    }
  }

  private static byte[] roomId(String id) {
    byte[] b = id.getBytes(StandardCharsets.US_ASCII);
    return concat(new byte[] {(byte) b.length}, b);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

}
