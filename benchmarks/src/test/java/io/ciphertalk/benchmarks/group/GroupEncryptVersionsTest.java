package io.ciphertalk.benchmarks.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/**
 * The straight-line v1 and v2 group encryption that {@link GroupEncryptVersionsBenchmark} compares
 * writes exactly the published vectors (docs/test-vectors/groups.json for v1, groups-v2.json for
 * v2), so the benchmark measures the protocol and not something cheaper.
 */
class GroupEncryptVersionsTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void v1Writer_reproducesThePublishedV1GroupMessages_byteForByte() throws Exception {
    check(1);
  }

  @Test
  void v2Writer_reproducesThePublishedV2GroupMessages_byteForByte() throws Exception {
    check(2);
  }

  private static void check(int version) throws Exception {
    String file = version == 1 ? "groups.json" : "groups-v2.json";
    JsonNode room = new ObjectMapper()
        .readTree(Path.of("..", "docs", "test-vectors", file).toFile()).get("room");
    Queue<byte[]> nonces = new ArrayDeque<>();
    for (JsonNode m : room.get("messages")) {
      if (m.has("nonce")) {
        nonces.add(HEX.parseHex(m.get("nonce").asText()));
      }
    }
    RandomSource vectorNonces = out -> System.arraycopy(nonces.remove(), 0, out, 0, out.length);
    var writer = new GroupEncryptVersionsBenchmark.GroupMessageWriter(version,
        room.get("roomId").asText(), room.get("epoch").asLong(),
        DeviceAddress.of(room.get("senderUserId").asText(), room.get("senderDeviceId").asInt()),
        room.get("chainId").asInt(), HEX.parseHex(room.get("initialChainKey").asText()),
        HEX.parseHex(room.get("signingSeed").asText()), vectorNonces);
    int checked = 0;
    for (JsonNode m : room.get("messages")) {
      assertThat(m.get("iteration").asInt()).isEqualTo(checked);
      byte[] written = writer.encrypt(HEX.parseHex(m.get("plaintext").asText()),
          HEX.parseHex(m.get("messageId").asText()), m.get("expiresAtEpochMillis").asLong());
      assertThat(HEX.formatHex(written)).as("v%d message %d", version, checked)
          .isEqualTo(m.get("message").asText());
      checked++;
    }
    assertThat(checked).isEqualTo(3);
  }
}
