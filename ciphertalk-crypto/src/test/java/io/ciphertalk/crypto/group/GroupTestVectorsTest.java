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
 * Checks docs/test-vectors/groups-v2.json (format v2, written by the code): byte for byte against
 * the generator, and value by value against a from-the-spec re-implementation (plain JCE
 * HMAC/AES-GCM, hand-written HKDF and encodings) so the documented format, the code and the vectors
 * agree. The frozen v1 file docs/test-vectors/groups.json is re-derived from the v1 spec and must
 * still decrypt with today's code.
 */
class GroupTestVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static JsonNode vectors;
  private static JsonNode v1;
  private static String fileText;

  @BeforeAll
  static void load() throws Exception {
    fileText = read(GroupTestVectors.RELATIVE_PATH);
    vectors = new ObjectMapper().readTree(fileText);
    v1 = new ObjectMapper().readTree(read(GroupTestVectors.V1_RELATIVE_PATH));
  }

  private static String read(String relative) throws Exception {
    Path p = Path.of(relative);
    if (!Files.exists(p)) {
      p = Path.of("..").resolve(relative);
    }
    return Files.readString(p, StandardCharsets.UTF_8);
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
    return hkdf(new byte[32], ikm, info, length);
  }

  /** RFC 5869, for L <= 64. */
  private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws Exception {
    byte[] prk = hmac(salt, ikm);
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
  void chainSteps_matchTheSpec_v2() throws Exception {
    JsonNode chain = vectors.get("chain");
    byte[] ck = hex(chain.get("chainKey"));
    for (JsonNode step : chain.get("steps")) {
      byte[] seed = hmac(ck, new byte[] {1});
      byte[] key = hkdf(hex(step.get("nonce")), seed,
          "CipherTalk group v2 message key".getBytes(StandardCharsets.US_ASCII), 32);
      assertThat(seed).isEqualTo(hex(step.get("messageSeed")));
      assertThat(key).isEqualTo(hex(step.get("messageKey")));
      ck = hmac(ck, new byte[] {2});
      assertThat(ck).isEqualTo(hex(step.get("nextChainKey")));
    }
  }

  @Test
  void chainSteps_matchTheSpec_v1() throws Exception {
    JsonNode chain = v1.get("chain");
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
    checkDistributions(vectors.get("room"));
    checkDistributions(v1.get("room"));
  }

  private static void checkDistributions(JsonNode room) throws Exception {
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
  void groupMessagesV2_matchTheSpecLayout_andDecryptAtAnotherMember() throws Exception {
    JsonNode room = vectors.get("room");
    Ed25519.PrivateKey signer = Ed25519.PrivateKey.fromSeed(SecretBytes.copyOf(hex(room.get("signingSeed"))));
    byte[] ck = hex(room.get("initialChainKey"));
    GroupSession receiver = GroupTestSupport.session(DeviceAddress.of("bob", 1),
        new GroupTestSupport.FakeClock(GroupTestSupport.START));
    receiver.startEpoch(room.get("roomId").asText(), room.get("epoch").asLong(), GroupTestVectors.MEMBERS);
    receiver.processDistribution(DeviceAddress.of("alice", 1), hex(room.get("distributionAtIteration0")));

    for (JsonNode m : room.get("messages")) {
      byte[] nonce = hex(m.get("nonce"));
      byte[] header = concat(
          new byte[] {2, 0x11},
          roomId(room.get("roomId").asText()),
          ByteBuffer.allocate(8).putLong(room.get("epoch").asLong()).array(),
          hex(room.get("senderAddressEncoding")),
          ByteBuffer.allocate(4).putInt((int) room.get("chainId").asLong()).array(),
          ByteBuffer.allocate(4).putInt(m.get("iteration").asInt()).array(),
          hex(m.get("messageId")),
          ByteBuffer.allocate(8).putLong(m.get("expiresAtEpochMillis").asLong()).array(),
          nonce);
      assertThat(header).isEqualTo(hex(m.get("associatedData")));
      byte[] key = hkdf(nonce, hmac(ck, new byte[] {1}),
          "CipherTalk group v2 message key".getBytes(StandardCharsets.US_ASCII), 32);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      gcm.updateAAD(header);
      byte[] ct = gcm.doFinal(hex(m.get("plaintext")));
      byte[] body = concat(header, ByteBuffer.allocate(4).putInt(ct.length).array(), ct);
      byte[] sig = signer.sign(concat(
          "CipherTalk group v2 message signature".getBytes(StandardCharsets.US_ASCII), body));
      assertThat(concat(body, sig)).isEqualTo(hex(m.get("message")));
      ck = hmac(ck, new byte[] {2});

      DecryptedGroupMessage d = receiver.decrypt(GroupMessage.parse(hex(m.get("message"))));
      assertThat(d.plaintext()).isEqualTo(hex(m.get("plaintext")));
    }
  }

  @Test
  void groupMessagesV1_matchTheSpecLayout_andStillDecryptAtAnotherMember() throws Exception {
    JsonNode room = v1.get("room");
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
