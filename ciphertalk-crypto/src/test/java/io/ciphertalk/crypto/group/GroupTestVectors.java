package io.ciphertalk.crypto.group;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.group.internal.ChainKdf;
import io.ciphertalk.crypto.group.internal.OwnSenderKey;
import io.ciphertalk.crypto.group.internal.RoomState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * Generates docs/test-vectors/groups-v2.json (group message format v2, what the code writes): fixed
 * inputs (a seeded sender, room, epoch, messages)
 * and the exact bytes CipherTalk produces for them. {@link GroupTestVectorsTest} checks the file
 * byte for byte against this generator and re-derives every value from the spec independently.
 *
 * <p>Regenerate (only when the format deliberately changes) from the repository root:
 *
 * <pre>
 *   ./mvnw -B -q -pl ciphertalk-crypto test-compile
 *   ./mvnw -B -q -pl ciphertalk-crypto dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp "ciphertalk-crypto/target/classes:ciphertalk-crypto/target/test-classes:$(cat /tmp/cp.txt)" \
 *       io.ciphertalk.crypto.group.GroupTestVectors docs/test-vectors/groups-v2.json
 * </pre>
 *
 * <p>docs/test-vectors/groups.json holds the format v1 vectors. The code no longer writes v1, so that
 * file is frozen; {@link GroupTestVectorsTest} checks that v1 messages still decrypt.
 */
public final class GroupTestVectors {
  static final String RELATIVE_PATH = "docs/test-vectors/groups-v2.json";
  static final String V1_RELATIVE_PATH = "docs/test-vectors/groups.json";
  static final byte[] SENDER_SEED = "CipherTalk group test vector sender".getBytes(StandardCharsets.US_ASCII);
  static final byte[] CHAIN_KEY = HexFormat.of().parseHex(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  static final String ROOM = "vectors.room-1";
  static final long EPOCH = 3;
  static final DeviceAddress SENDER = DeviceAddress.of("alice", 1);
  static final Set<DeviceAddress> MEMBERS =
      Set.of(SENDER, DeviceAddress.of("bob", 1), DeviceAddress.of("carol", 2));

  private static final HexFormat HEX = HexFormat.of();

  private GroupTestVectors() {}

  /** The vector file's exact contents. */
  static String generate() throws CryptoException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("format", "CipherTalk groups (Sender Keys) test vectors v2");
    root.put("spec", "docs/protocol.md, section \"Groups (Sender Keys)\"");
    root.put("generator",
        "ciphertalk-crypto/src/test/java/io/ciphertalk/crypto/group/GroupTestVectors.java");
    root.put("note", "All byte strings are lower-case hex. Randomness comes from "
        + "RandomSource.deterministicForTesting(senderRandomSeed): never use these keys.");

    ObjectNode chain = root.putObject("chain");
    chain.put("chainKey", HEX.formatHex(CHAIN_KEY));
    ArrayNode steps = chain.putArray("steps");
    byte[] ck = CHAIN_KEY.clone();
    for (int i = 0; i < 3; i++) {
      byte[] seed = ChainKdf.messageSeed(ck);
      byte[] nonce = new byte[12];
      Arrays.fill(nonce, (byte) (0x10 + i));
      byte[] next = ChainKdf.nextChainKey(ck);
      ObjectNode s = steps.addObject();
      s.put("iteration", i);
      s.put("messageSeed", HEX.formatHex(seed));
      s.put("nonce", HEX.formatHex(nonce));
      s.put("messageKey", HEX.formatHex(ChainKdf.keyV2(seed, nonce)));
      s.put("nextChainKey", HEX.formatHex(next));
      ck = next;
    }

    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    GroupSession alice = GroupSession.builder().localAddress(SENDER).clock(clock)
        .random(RandomSource.deterministicForTesting(SENDER_SEED)).build();
    SenderKeyDistributionMessage d0 = alice.startEpoch(ROOM, EPOCH, MEMBERS);
    OwnSenderKey own = RoomState.deserialize(alice.exportRoom(ROOM).toByteArray(), 1000, 2000, 1000).own();

    ObjectNode room = root.putObject("room");
    room.put("roomId", ROOM);
    room.put("epoch", EPOCH);
    room.put("senderUserId", SENDER.userId());
    room.put("senderDeviceId", SENDER.deviceId());
    room.put("senderAddressEncoding", HEX.formatHex(SENDER.encode()));
    room.put("senderRandomSeed", HEX.formatHex(SENDER_SEED));
    room.put("signingSeed", HEX.formatHex(own.signingKey().seed().toByteArray()));
    room.put("signingPublicKey", HEX.formatHex(own.signingKey().publicKey().toByteArray()));
    room.put("chainId", Integer.toUnsignedLong(own.chainId()));
    room.put("initialChainKey", HEX.formatHex(own.chainKeyCopy()));
    room.put("distributionAtIteration0", HEX.formatHex(d0.toByteArray()));

    ArrayNode messages = room.putArray("messages");
    Object[][] inputs = {
      {"hello, room", 0L},
      {"", 0L},
      {"this one self-destructs", Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli()},
    };
    for (int i = 0; i < inputs.length; i++) {
      byte[] plaintext = ((String) inputs[i][0]).getBytes(StandardCharsets.UTF_8);
      byte[] id = new byte[16];
      Arrays.fill(id, (byte) (0xa0 + i));
      long expiry = (Long) inputs[i][1];
      GroupMessage m = alice.encrypt(ROOM, plaintext, id, expiry);
      ObjectNode n = messages.addObject();
      n.put("iteration", m.iteration());
      n.put("messageId", HEX.formatHex(id));
      n.put("expiresAtEpochMillis", expiry);
      n.put("plaintext", HEX.formatHex(plaintext));
      n.put("nonce", HEX.formatHex(m.nonce().orElseThrow()));
      n.put("associatedData", HEX.formatHex(m.associatedData()));
      n.put("message", HEX.formatHex(m.toByteArray()));
    }
    room.put("distributionAtIteration3", HEX.formatHex(alice.currentDistribution(ROOM).toByteArray()));

    DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return json.writer(pp).writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the vectors to {@code args[0]} (default {@value #RELATIVE_PATH}). */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : RELATIVE_PATH);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, generate(), StandardCharsets.UTF_8);
  }
}
