package io.ciphertalk.crypto.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.crypto.SecretBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks docs/test-vectors/attachments.json byte for byte against the generator, and every case
 * against a from-the-spec re-implementation (JCE HMAC for HKDF, JCE AES-GCM, hand-written layout),
 * so the documented format, the code and the vectors agree.
 */
class AttachmentTestVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static JsonNode v;
  private static String fileText;

  @BeforeAll
  static void load() throws Exception {
    Path p = Path.of(AttachmentTestVectors.RELATIVE_PATH);
    if (!Files.exists(p)) {
      p = Path.of("..").resolve(AttachmentTestVectors.RELATIVE_PATH);
    }
    fileText = Files.readString(p, StandardCharsets.UTF_8);
    v = new ObjectMapper().readTree(fileText);
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

  /** The format as docs/protocol.md describes it, written without the production classes. */
  private static byte[] encryptFromSpec(byte[] key, byte[] fileId, int chunkSize, byte[] pt) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] header = ByteBuffer.allocate(24).put("CTA".getBytes(StandardCharsets.US_ASCII)).put((byte) 1)
        .putInt(chunkSize).put(fileId).array();
    out.writeBytes(header);
    byte[] prk = hmac(fileId, key);
    byte[] chunkKey = hmac(prk, "CipherTalk/1/attachment/chunk-key".getBytes(StandardCharsets.US_ASCII),
        new byte[] {1});
    int chunks = Math.max(1, (pt.length + chunkSize - 1) / chunkSize);
    for (int i = 0; i < chunks; i++) {
      boolean last = i == chunks - 1;
      byte[] nonce = ByteBuffer.allocate(12).putInt(0).putLong(i).array();
      byte[] ad = ByteBuffer.allocate(33).put(header).putLong(i).put((byte) (last ? 1 : 0)).array();
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(chunkKey, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(ad);
      out.writeBytes(c.doFinal(Arrays.copyOfRange(pt, i * chunkSize, Math.min(pt.length, (i + 1) * chunkSize))));
    }
    return out.toByteArray();
  }

  @Test
  void file_isExactlyWhatTheGeneratorProduces() throws Exception {
    assertThat(fileText).isEqualTo(AttachmentTestVectors.generate());
  }

  @Test
  void everyCase_matchesTheSpecReimplementation_andItsDigest_andDecrypts() throws Exception {
    int chunkSize = v.get("chunkSize").asInt();
    assertThat(v.get("cases")).hasSize(AttachmentTestVectors.LENGTHS.length);
    for (JsonNode c : v.get("cases")) {
      byte[] key = hex(c.get("key"));
      byte[] pt = hex(c.get("plaintext"));
      byte[] ct = hex(c.get("ciphertext"));
      assertThat(pt).hasSize(c.get("plaintextLength").asInt());
      assertThat(ct).isEqualTo(encryptFromSpec(key, hex(c.get("fileId")), chunkSize, pt));
      assertThat(ct.length).isEqualTo(AttachmentCipher.ciphertextLength(pt.length, chunkSize));
      assertThat(hex(c.get("digest"))).isEqualTo(MessageDigest.getInstance("SHA-256").digest(ct));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AttachmentCipher.decrypt(new ByteArrayInputStream(ct), out, SecretBytes.copyOf(key), hex(c.get("digest")));
      assertThat(out.toByteArray()).isEqualTo(pt);
    }
  }
}
