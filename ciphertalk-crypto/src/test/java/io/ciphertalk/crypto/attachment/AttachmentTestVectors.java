package io.ciphertalk.crypto.attachment;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Generates docs/test-vectors/attachments.json: seeded keys and file ids, plaintexts around the
 * chunk boundaries, and the exact ciphertext and digest {@link AttachmentCipher} produces.
 * {@link AttachmentTestVectorsTest} checks the file byte for byte against this generator and
 * re-derives every ciphertext from the spec with raw JCE calls.
 *
 * <p>Regenerate (only when the format deliberately changes) from the repository root:
 *
 * <pre>
 *   ./mvnw -B -q -pl ciphertalk-crypto test-compile
 *   ./mvnw -B -q -pl ciphertalk-crypto dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp "ciphertalk-crypto/target/classes:ciphertalk-crypto/target/test-classes:$(cat /tmp/cp.txt)" \
 *       io.ciphertalk.crypto.attachment.AttachmentTestVectors docs/test-vectors/attachments.json
 * </pre>
 */
public final class AttachmentTestVectors {
  static final String RELATIVE_PATH = "docs/test-vectors/attachments.json";
  static final int CHUNK_SIZE = 32;
  static final int[] LENGTHS = {0, 1, 31, 32, 33, 64, 100};
  private static final HexFormat HEX = HexFormat.of();

  private AttachmentTestVectors() {}

  static RandomSource rnd(String seed) {
    return RandomSource.deterministicForTesting(seed.getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] plaintext(int length) {
    byte[] p = new byte[length];
    for (int i = 0; i < length; i++) {
      p[i] = (byte) ('a' + i % 26);
    }
    return p;
  }

  static String generate() throws IOException {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("format", "CipherTalk attachment test vectors v1");
    root.put("spec", "docs/protocol.md, section \"Attachments\"");
    root.put("generator",
        "ciphertalk-crypto/src/test/java/io/ciphertalk/crypto/attachment/AttachmentTestVectors.java");
    root.put("note", "All byte strings are lower-case hex. Keys and file ids come from"
        + " RandomSource.deterministicForTesting(seed): never use them. The tiny chunk size makes"
        + " boundaries visible; real attachments use 65536.");
    root.put("chunkSize", CHUNK_SIZE);
    ArrayNode cases = root.putArray("cases");
    for (int len : LENGTHS) {
      SecretBytes key = AttachmentCipher.newKey(rnd("CipherTalk attachment vector: key " + len));
      RandomSource fileIds = rnd("CipherTalk attachment vector: file id " + len);
      byte[] fileId = rnd("CipherTalk attachment vector: file id " + len).bytes(16);
      byte[] pt = plaintext(len);
      ByteArrayOutputStream ct = new ByteArrayOutputStream();
      AttachmentCipher.Result r =
          AttachmentCipher.encrypt(new ByteArrayInputStream(pt), ct, key, CHUNK_SIZE, fileIds);
      ObjectNode c = cases.addObject();
      c.put("plaintextLength", len);
      c.put("key", HEX.formatHex(key.toByteArray()));
      c.put("fileId", HEX.formatHex(fileId));
      c.put("plaintext", HEX.formatHex(pt));
      c.put("chunks", Math.max(1, (len + CHUNK_SIZE - 1) / CHUNK_SIZE));
      c.put("ciphertext", HEX.formatHex(ct.toByteArray()));
      c.put("digest", HEX.formatHex(r.digest()));
    }
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter();
    pp.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
    return m.writer(pp).writeValueAsString(root).replace("\r\n", "\n") + "\n";
  }

  public static void main(String[] args) throws IOException {
    Files.writeString(Path.of(args.length > 0 ? args[0] : RELATIVE_PATH), generate(), StandardCharsets.UTF_8);
  }
}
