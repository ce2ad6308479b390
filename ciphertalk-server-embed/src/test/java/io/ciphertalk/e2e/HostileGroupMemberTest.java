package io.ciphertalk.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.store.SenderKeyStore;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.PrivateRoomId;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.core.store.memory.InMemoryLocalStore;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.TransportListener;
import io.ciphertalk.core.transport.TransportState;
import io.ciphertalk.core.transport.WebSocketTransport;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.GroupMessage;
import io.ciphertalk.crypto.group.GroupSession;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.server.CipherTalkServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The group key lifecycle against a hostile or removed member, over real WebSockets to the embedded
 * server. The removed member keeps every byte of its saved sender-key state and is handed every
 * group ciphertext the server stores (every {@code send_group} and group {@code deliver} frame any
 * client exchanged); whatever happens to the remover (a crash at any step of the removal, a rolled
 * back store) and whatever a member announces (an epoch at the end of the range, a sender key for
 * another room), it must decrypt nothing sent after its removal. The "control" message in each case
 * shows the saved state is a real threat: it decrypts what was sent before the removal.
 *
 * <p>Mallory runs a modified client: the SDK's own engine and crypto, except that the next sender
 * key she distributes is replaced by a crafted one. No public API lets a member send a crafted
 * sender key (that is the point), so {@link Forger} reaches the client's internal crypto seam by
 * reflection; the tests run on the class path.
 */
class HostileGroupMemberTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DeviceAddress CAROL = DeviceAddress.of("carol", 1);
  private static final DeviceAddress MALLORY = DeviceAddress.of("mallory", 1);

  @TempDir Path dir;
  private CipherTalkServer server;
  /** Every frame the server saw from or sent to any client, in order. */
  private final List<String> frames = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> open = new ArrayList<>();
  private final SecretBytes aliceStoreKey = SecretBytes.random(32, RandomSource.secure());

  private Events ra;
  private Events rb;
  private Events rc;
  private CipherTalkClient alice;
  private LocalStore aliceStore;
  private Tap aliceTap;
  private CipherTalkClient bob;
  private CipherTalkClient carol;
  private InMemoryLocalStore carolStore;

  @BeforeEach
  void startServer() {
    server = CipherTalkServer.builder().wsPort(0).httpPort(0).bindAddress("127.0.0.1")
        .dataDirectory(dir.resolve("server")).passwordHashing(64, 1).rateLimit(10_000, 10_000)
        .build().start();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    server.close();
  }

  // ------------------------------------------------------------------ the attacks

  /** Where the remover's process dies during the removal of Carol. */
  enum CrashPoint {
    /** No crash. */
    NONE,
    /** The server committed the removal; the remover died before saving anything about it. */
    BEFORE_SAVE,
    /** The removal is saved locally; the remover died before its next group send. */
    AFTER_SAVE,
    /** The new epoch is saved; the remover died before its sender key left. */
    BEFORE_DISTRIBUTION,
    /** The new sender key was distributed; the remover died before the group message left. */
    AFTER_DISTRIBUTION
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void removedMember_withSavedState_readsNothingAfterRemoval_whereverTheRemoverCrashes(
      CrashPoint crash) throws Exception {
    Room group = threeMemberGroup();
    byte[] carolsState = carolSavesHerState(group.id());
    int removedAt = frames.size();

    switch (crash) {
      case NONE, AFTER_SAVE -> group.remove("carol");
      case BEFORE_SAVE -> {
        aliceTap.dieOnAnswerTo(f -> type(f).equals("room_remove"));
        try {
          group.remove("carol");
        } catch (CipherTalkException | IllegalStateException expectedOnCrash) {
          // the reply never arrives: the process is gone
        }
      }
      case BEFORE_DISTRIBUTION, AFTER_DISTRIBUTION -> {
        group.remove("carol");
        String dies = crash == CrashPoint.BEFORE_DISTRIBUTION ? "send" : "send_group";
        aliceTap.dieInsteadOfSending(f -> type(f).equals(dies));
        group.send("sent as the remover crashed");
        awaitTrue(aliceTap::dead, "the remover crashed at " + crash);
        if (crash == CrashPoint.BEFORE_DISTRIBUTION) {
          assertThat(sentSince(removedAt, "send_group")).isZero();
        } else {
          assertThat(sentSince(removedAt, "send")).isPositive();
        }
      }
    }
    rb.awaitMembership("carol");
    if (crash != CrashPoint.NONE) {
      restartAlice();
      group = alice.room(group.id()).orElseThrow();
    }
    group.send("after removal");
    rb.awaitText("after removal");
    if (crash == CrashPoint.BEFORE_DISTRIBUTION || crash == CrashPoint.AFTER_DISTRIBUTION) {
      rb.awaitText("sent as the remover crashed"); // the outbox survived the crash
    }
    bob.room(group.id()).orElseThrow().send("bob after removal");
    awaitTrue(() -> groupCiphertextsSince(removedAt).size() >= 2, "both post-removal messages stored");

    assertRemovedMemberReadsNothing(CAROL, carolsState, groupCiphertextsSince(removedAt));
    assertThat(rc.sawText("after removal") || rc.sawText("bob after removal")).isFalse();
    assertNoKeyNoncePairRepeats();
  }

  @Test
  void senderStateRolledBack_neverRepeatsAKeyAndNonce_andStillRotatesAwayFromTheRemovedMember()
      throws Exception {
    Room group = threeMemberGroup();
    byte[] carolsState = carolSavesHerState(group.id());

    // A backup of the remover's store, taken while Carol is still a member.
    closeAlice();
    Path backup = dir.resolve("alice-backup");
    copyDirectory(dir.resolve("alice"), backup);
    int backupAt = frames.size();
    startAlice();
    alice.connect();
    MessageId x1 = alice.room(group.id()).orElseThrow().send("before the rollback");
    rb.awaitText("before the rollback");
    closeAlice();
    copyDirectory(backup, dir.resolve("alice")); // rolled back: the chain step is used again
    startAlice();
    alice.connect();
    MessageId x2 = alice.room(group.id()).orElseThrow().send("after the rollback");
    awaitTrue(() -> storedGroupMessage(x2) != null, "the repeated chain step was stored");
    GroupMessage m1 = storedGroupMessage(x1);
    // The rolled-back store used a chain step again (which one depends on what else the restored
    // outbox sent first, e.g. a message whose acknowledgement the backup missed), and the two
    // uses of that step carry different nonces.
    List<GroupMessage[]> reused = chainStepsUsedTwice("alice", backupAt);
    assertThat(reused).as("chain steps Alice used twice after the rollback").isNotEmpty();
    for (GroupMessage[] pair : reused) {
      assertThat(pair[1].nonce().orElseThrow()).isNotEqualTo(pair[0].nonce().orElseThrow());
    }

    // Carol is removed, then the remover is rolled back to the backup from before the removal.
    // The rollbacks also rewind Alice's 1:1 ratchets, so Bob may not get her new sender keys (a
    // rollback costs delivery, never confidentiality; liveness is the crash tests' job): what is
    // checked is that every message left the epoch Carol knows and Carol reads none of them.
    int removedAt = frames.size();
    alice.room(group.id()).orElseThrow().remove("carol");
    rb.awaitMembership("carol");
    MessageId afterRemoval = alice.room(group.id()).orElseThrow().send("after removal");
    awaitTrue(() -> storedGroupMessage(afterRemoval) != null, "the post-removal message was stored");
    assertThat(storedGroupMessage(afterRemoval).epoch()).isGreaterThan(m1.epoch());
    closeAlice();
    copyDirectory(backup, dir.resolve("alice"));
    startAlice();
    alice.connect();
    MessageId last = alice.room(group.id()).orElseThrow().send("after removal and rollback");
    awaitTrue(() -> storedGroupMessage(last) != null, "the post-rollback message was stored");
    assertThat(storedGroupMessage(last).epoch()).isGreaterThan(m1.epoch());

    assertRemovedMemberReadsNothing(CAROL, carolsState, groupCiphertextsSince(removedAt));
    assertNoKeyNoncePairRepeats();
  }

  @Test
  void memberAnnouncingTheLastEpoch_isIgnored_andItsRemovalStillRotates() throws Exception {
    Forger forge = new Forger();
    InMemoryLocalStore malloryStore = InMemoryLocalStore.create(Clock.systemUTC());
    Events rm = new Events("mallory");
    CipherTalkClient mallory = client(forge.install(CipherTalkClient.builder().store(malloryStore)
        .listener(rm)), "mallory");
    Room group = threeMemberGroup("mallory");
    mallory.room(group.id()).orElseThrow().send("hi from mallory");
    rb.awaitText("hi from mallory");
    long epoch = epochOfLastGroupMessageFrom("alice", group.id());

    // Mallory announces an epoch at the end of the range, hoping everyone follows and a later
    // "epoch + 1" overflows.
    forge.next = (room, real) -> forgeSenderKey(room, GroupSession.MAX_EPOCH, MALLORY);
    mallory.room(group.id()).orElseThrow().typing(true); // any group send redistributes
    byte[] mallorysState = malloryStore.senderKeys().loadSenderKey(group.id(), MALLORY).orElseThrow();
    awaitTrue(forge::used, "mallory sent her forged sender key");
    group.send("alice still in her epoch");
    rb.awaitText("alice still in her epoch");
    assertThat(epochOfLastGroupMessageFrom("alice", group.id())).isEqualTo(epoch);

    int removedAt = frames.size();
    group.remove("mallory");
    rb.awaitMembership("mallory");
    group.send("after removing mallory");
    rb.awaitText("after removing mallory");
    assertThat(epochOfLastGroupMessageFrom("alice", group.id())).isEqualTo(epoch + 1);
    assertRemovedMemberReadsNothing(MALLORY, mallorysState, groupCiphertextsSince(removedAt));
    assertThat(rm.sawText("after removing mallory")).isFalse();
  }

  @Test
  void senderKeyNamingAnotherRoom_isRejected_andMovesNothing() throws Exception {
    Forger forge = new Forger();
    InMemoryLocalStore malloryStore = InMemoryLocalStore.create(Clock.systemUTC());
    Events rm = new Events("mallory");
    CipherTalkClient mallory = client(forge.install(CipherTalkClient.builder().store(malloryStore)
        .listener(rm)), "mallory");
    Room group = threeMemberGroup("mallory");
    Room other = alice.createGroup("other", Set.of("bob"));
    group.send("hello");
    long epoch = epochOfLastGroupMessageFrom("alice", group.id());

    // A valid sender key of Mallory's, but for another room and 7 epochs on, inside this room.
    forge.next = (room, real) -> forgeSenderKey(other.id(), epoch + 7, MALLORY);
    mallory.room(group.id()).orElseThrow().send("with a smuggled key");
    awaitTrue(forge::used, "mallory sent her forged sender key");
    byte[] mallorysState = malloryStore.senderKeys().loadSenderKey(group.id(), MALLORY).orElseThrow();
    group.send("alice after the smuggled key");
    rb.awaitText("alice after the smuggled key");
    assertThat(epochOfLastGroupMessageFrom("alice", group.id())).isEqualTo(epoch);
    assertThat(rb.sawText("with a smuggled key")).isFalse(); // no key for it was installed

    int removedAt = frames.size();
    group.remove("mallory");
    rb.awaitMembership("mallory");
    group.send("after removing mallory");
    rb.awaitText("after removing mallory");
    assertThat(epochOfLastGroupMessageFrom("alice", group.id())).isEqualTo(epoch + 1);
    assertRemovedMemberReadsNothing(MALLORY, mallorysState, groupCiphertextsSince(removedAt));
  }

  @Test
  void privateRoomSquat_answeredByAHostileServer_isRefusedByTheClient() throws Exception {
    startBobAndCarol();
    startAlice();
    alice.register("alice", "password-alice");
    alice.connect();
    String squatted = PrivateRoomId.of("alice", "carol");
    // The server answers "the private room of alice and carol" with a room holding bob instead.
    aliceTap.rewriteIncoming = f -> {
      if (!type(f).equals("room")) {
        return f;
      }
      try {
        ObjectNode n = (ObjectNode) JSON.readTree(f);
        ObjectNode room = (ObjectNode) n.get("room");
        ArrayNode members = room.putArray("members");
        members.addObject().put("user", "alice").put("role", "OWNER");
        members.addObject().put("user", "bob").put("role", "MEMBER");
        room.put("roomId", squatted);
        return JSON.writeValueAsString(n);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    };
    assertThatThrownBy(() -> alice.privateRoom("carol"))
        .isInstanceOf(RequestFailedException.class)
        .satisfies(e -> assertThat(((RequestFailedException) e).code())
            .isEqualTo("private_room_mismatch"));
    // The forged view was not kept (the server's own room event may have told her the real one).
    alice.room(squatted).ifPresent(r -> assertThat(r.members()).doesNotContainKey("bob"));

    // Against the honest server the same call yields the genuine room.
    aliceTap.rewriteIncoming = UnaryOperator.identity();
    Room genuine = alice.privateRoom("carol");
    assertThat(genuine.id()).isEqualTo(squatted);
    assertThat(genuine.members()).containsOnlyKeys("alice", "carol");
  }

  // ------------------------------------------------------------------ the removed member's view

  /**
   * The removed member imports its saved state afresh for every ciphertext (so one failure cannot
   * hide a success) and tries to decrypt it.
   */
  private static void assertRemovedMemberReadsNothing(DeviceAddress who, byte[] savedState,
      List<byte[]> ciphertexts) throws CryptoException {
    assertThat(ciphertexts).isNotEmpty();
    List<String> read = new ArrayList<>();
    for (byte[] ct : ciphertexts) {
      GroupSession attacker = GroupSession.builder().localAddress(who).build();
      attacker.importRoom(SecretBytes.copyOf(savedState));
      try {
        read.add(new String(attacker.decrypt(GroupMessage.parse(ct)).plaintext(),
            StandardCharsets.UTF_8));
      } catch (CryptoException expected) {
        // nothing readable
      }
    }
    assertThat(read).as("what the removed member decrypted").isEmpty();
  }

  /** Carol's saved sender-key state, proven useful: it reads a message sent after it was saved. */
  private byte[] carolSavesHerState(String roomId) throws Exception {
    byte[] state = carolStore.senderKeys().loadSenderKey(roomId, CAROL).orElseThrow();
    int before = frames.size();
    alice.room(roomId).orElseThrow().send("control before removal");
    rc.awaitText("control before removal");
    List<byte[]> control = groupCiphertextsSince(before);
    GroupSession attacker = GroupSession.builder().localAddress(CAROL).build();
    attacker.importRoom(SecretBytes.copyOf(state));
    assertThat(new String(attacker.decrypt(GroupMessage.parse(control.get(0))).plaintext(),
        StandardCharsets.UTF_8)).contains("control before removal");
    return state;
  }

  /** No two stored group ciphertexts share a sender chain step and nonce (so key and nonce). */
  private void assertNoKeyNoncePairRepeats() throws Exception {
    Map<String, byte[]> seen = new HashMap<>();
    List<byte[]> all = groupCiphertextsSince(0);
    assertThat(all).hasSizeGreaterThan(2);
    for (byte[] ct : all) {
      GroupMessage m = GroupMessage.parse(ct);
      assertThat(m.version()).isEqualTo(GroupMessage.VERSION);
      String nonce = Base64.getEncoder().encodeToString(m.nonce().orElseThrow());
      byte[] other = seen.put(nonce, ct);
      assertThat(other).as("two ciphertexts with nonce " + nonce).isNull();
    }
  }

  // ------------------------------------------------------------------ setup

  private Room threeMemberGroup(String... extra) throws Exception {
    startBobAndCarol();
    startAlice();
    alice.register("alice", "password-alice");
    alice.connect();
    Set<String> members = new HashSet<>(Set.of("bob", "carol"));
    members.addAll(List.of(extra));
    Room group = alice.createGroup("g", members);
    awaitTrue(() -> bob.room(group.id()).isPresent() && carol.room(group.id()).isPresent(),
        "everyone knows the group");
    group.send("hello all");
    rb.awaitText("hello all");
    rc.awaitText("hello all");
    bob.room(group.id()).orElseThrow().send("hello from bob");
    rc.awaitText("hello from bob");
    ra.awaitText("hello from bob");
    return group;
  }

  private void startBobAndCarol() throws Exception {
    rb = new Events("bob");
    bob = client(CipherTalkClient.builder().listener(rb), "bob");
    rc = new Events("carol");
    carolStore = InMemoryLocalStore.create(Clock.systemUTC());
    carol = client(CipherTalkClient.builder().store(carolStore).listener(rc), "carol");
  }

  private CipherTalkClient client(CipherTalkClient.Builder b, String user) throws Exception {
    CipherTalkClient c = b.transport(new Tap(wsUri(), frames), httpUri()).deviceId(1).prekeyBatch(10)
        .requestTimeout(Duration.ofSeconds(10)).build();
    open.add(c);
    c.register(user, "password-" + user);
    c.connect();
    return c;
  }

  private void startAlice() throws Exception {
    if (ra == null) {
      ra = new Events("alice");
    }
    Files.createDirectories(dir.resolve("alice"));
    aliceStore = JdbiLocalStore.builder().file(dir.resolve("alice").resolve("store"))
        .key(SecretBytes.copyOf(aliceStoreKey.toByteArray())).open();
    aliceTap = new Tap(wsUri(), frames);
    alice = CipherTalkClient.builder().transport(aliceTap, httpUri()).store(aliceStore).deviceId(1)
        .prekeyBatch(10).requestTimeout(Duration.ofSeconds(3))
        .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)).listener(ra).build();
    open.add(alice);
    open.add(aliceStore::close);
  }

  private void closeAlice() {
    alice.close();
    aliceStore.close();
  }

  /** The process died; a new one opens the same store (account, keys, sessions, outbox). */
  private void restartAlice() throws Exception {
    closeAlice();
    startAlice();
    alice.connect();
  }

  private URI wsUri() {
    return URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
  }

  private URI httpUri() {
    return URI.create("http://127.0.0.1:" + server.httpPort() + "/");
  }

  // ------------------------------------------------------------------ what the server stored

  private static String type(String frame) {
    try {
      return JSON.readTree(frame).path("type").asText();
    } catch (IOException e) {
      return "";
    }
  }

  private long sentSince(int from, String type) {
    List<String> seen = List.copyOf(frames); // a view of the live list would fail on the next append
    return seen.subList(from, seen.size()).stream().filter(f -> type(f).equals(type)).count();
  }

  /**
   * Every distinct group ciphertext of the messages first sent at or after frame {@code from}: what
   * members sent with {@code send_group} and what the server delivered (a message sent before
   * {@code from} but delivered later is left out by its message id).
   */
  private List<byte[]> groupCiphertextsSince(int from) {
    List<String> snapshot = List.copyOf(frames);
    Set<String> earlier = new HashSet<>();
    for (String f : snapshot.subList(0, from)) {
      JsonNode n = tree(f);
      if ("send_group".equals(n.path("type").asText())) {
        earlier.add(n.path("messageId").asText());
      }
    }
    LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
    for (String f : snapshot.subList(from, snapshot.size())) {
      JsonNode n = tree(f);
      JsonNode ct = null;
      String id = null;
      if ("send_group".equals(n.path("type").asText())) {
        ct = n.get("ciphertext");
        id = n.path("messageId").asText();
      } else if ("deliver".equals(n.path("type").asText())
          && "GROUP".equals(n.path("delivery").path("kind").asText())) {
        ct = n.path("delivery").get("ciphertext");
        id = n.path("delivery").path("messageId").asText();
      }
      if (ct != null && !earlier.contains(id)) {
        out.putIfAbsent(ct.asText(), decode(ct.asText()));
      }
    }
    return new ArrayList<>(out.values());
  }

  private GroupMessage storedGroupMessage(MessageId id) {
    for (String f : frames) {
      JsonNode n = tree(f);
      if ("send_group".equals(n.path("type").asText())
          && id.toString().equals(n.path("messageId").asText())) {
        try {
          return GroupMessage.parse(decode(n.get("ciphertext").asText()));
        } catch (CryptoException e) {
          throw new AssertionError("a stored group message does not parse", e);
        }
      }
    }
    return null;
  }

  /** Pairs of different group ciphertexts that {@code user} sent since a frame at one chain step. */
  private List<GroupMessage[]> chainStepsUsedTwice(String user, int from) throws CryptoException {
    Map<String, GroupMessage> firstAtStep = new HashMap<>();
    Map<String, String> ciphertextAtStep = new HashMap<>();
    List<GroupMessage[]> pairs = new ArrayList<>();
    // One snapshot for both ends: frames is still being appended to (the size read after the copy
    // could pass its end, as a fresh-clone run found).
    List<String> seen = List.copyOf(frames);
    for (String f : seen.subList(from, seen.size())) {
      JsonNode n = tree(f);
      if (!"send_group".equals(n.path("type").asText())) {
        continue;
      }
      String ct = n.get("ciphertext").asText();
      GroupMessage m = GroupMessage.parse(decode(ct));
      if (!m.sender().userId().equals(user)) {
        continue;
      }
      String step = m.epoch() + "/" + m.chainId() + "/" + m.iteration();
      GroupMessage earlier = firstAtStep.putIfAbsent(step, m);
      if (earlier != null && !ct.equals(ciphertextAtStep.get(step))) {
        pairs.add(new GroupMessage[] {earlier, m});
      }
      ciphertextAtStep.putIfAbsent(step, ct);
    }
    return pairs;
  }

  private static JsonNode tree(String frame) {
    try {
      return JSON.readTree(frame);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private long epochOfLastGroupMessageFrom(String user, String roomId) throws Exception {
    GroupMessage last = null;
    for (byte[] ct : groupCiphertextsSince(0)) {
      GroupMessage m = GroupMessage.parse(ct);
      if (m.sender().userId().equals(user) && m.roomId().equals(roomId)) {
        last = m;
      }
    }
    assertThat(last).isNotNull();
    return last.epoch();
  }

  private static byte[] decode(String b64) {
    try {
      return Base64.getUrlDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      return Base64.getDecoder().decode(b64);
    }
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    if (Files.exists(to)) {
      try (Stream<Path> s = Files.walk(to)) {
        s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  // ------------------------------------------------------------------ Mallory's tools

  /** A sender-key distribution message built by hand (docs/protocol.md), validly self-signed. */
  private static byte[] forgeSenderKey(String roomId, long epoch, DeviceAddress sender) {
    Ed25519.PrivateKey key = Ed25519.generate(RandomSource.secure());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] room = roomId.getBytes(StandardCharsets.US_ASCII);
    body.write(1);
    body.write(0x10);
    body.write(room.length);
    body.writeBytes(room);
    body.writeBytes(ByteBuffer.allocate(8).putLong(epoch).array());
    body.writeBytes(sender.encode());
    body.writeBytes(ByteBuffer.allocate(4).putInt(42).array());
    body.writeBytes(ByteBuffer.allocate(4).putInt(0).array());
    body.writeBytes(RandomSource.secure().bytes(32));
    body.writeBytes(key.publicKey().toByteArray());
    byte[] b = body.toByteArray();
    ByteArrayOutputStream signed = new ByteArrayOutputStream();
    signed.writeBytes("CipherTalk group v1 distribution signature".getBytes(StandardCharsets.US_ASCII));
    signed.writeBytes(b);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(b);
    all.writeBytes(key.sign(signed.toByteArray()));
    return all.toByteArray();
  }

  /** Mallory's modified client: honest, except that the next distribution she sends is forged. */
  static final class Forger {
    volatile BiFunction<String, byte[], byte[]> next;
    private final AtomicBoolean used = new AtomicBoolean();

    boolean used() {
      return used.get();
    }

    CipherTalkClient.Builder install(CipherTalkClient.Builder b) throws Exception {
      Class<?> groupKeys = Class.forName("io.ciphertalk.client.internal.GroupKeys");
      Class<?> distribution = Class.forName("io.ciphertalk.client.internal.GroupKeys$Distribution");
      Constructor<?> senderKeyGroups = Class.forName("io.ciphertalk.client.internal.SenderKeyGroups")
          .getConstructor(DeviceAddress.class, RandomSource.class, Clock.class, SenderKeyStore.class);
      Constructor<?> sessionCrypto = Class.forName("io.ciphertalk.client.internal.SessionCrypto")
          .getConstructor(DeviceAddress.class, HandshakeSuite.class, RandomSource.class, groupKeys,
              LocalStore.class);
      Constructor<?> newDistribution = distribution.getConstructor(long.class,
          java.util.function.Supplier.class);
      Method epoch = distribution.getMethod("epoch");
      BiFunction<DeviceAddress, LocalStore, Object> factory = (address, store) -> {
        try {
          Object real = senderKeyGroups.newInstance(address, RandomSource.secure(),
              Clock.systemUTC(), store.senderKeys());
          Object keys = Proxy.newProxyInstance(groupKeys.getClassLoader(), new Class<?>[] {groupKeys},
              (proxy, method, args) -> {
                Object result;
                try {
                  result = method.invoke(real, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
                BiFunction<String, byte[], byte[]> f = next;
                if (!method.getName().equals("distribution") || f == null) {
                  return result;
                }
                next = null;
                used.set(true);
                // A distinct epoch number makes her engine send it to every member again.
                byte[] forged = f.apply((String) args[0], null);
                return newDistribution.newInstance((long) epoch.invoke(result) + 1_000_000,
                    (java.util.function.Supplier<byte[]>) () -> forged);
              });
          return sessionCrypto.newInstance(address, HandshakeSuite.X3DH, RandomSource.secure(),
              keys, store);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      };
      Method hook = CipherTalkClient.Builder.class.getDeclaredMethod("crypto", BiFunction.class);
      hook.setAccessible(true);
      hook.invoke(b, factory);
      return b;
    }
  }

  // ------------------------------------------------------------------ test plumbing

  static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }

  /** Records one client's events; bounded polling helpers. */
  static final class Events implements ChatListener {
    private final String name;
    private final List<ChatEvent> events = new CopyOnWriteArrayList<>();

    Events(String name) {
      this.name = name;
    }

    @Override
    public void onEvent(ChatEvent event) {
      events.add(event);
    }

    boolean sawText(String text) {
      return events.stream().anyMatch(e -> e instanceof ChatEvent.MessageReceived m
          && m.message().text().equals(text));
    }

    void awaitText(String text) {
      awaitTrue(() -> sawText(text), name + " reads '" + text + "'");
    }

    void awaitMembership(String removed) {
      awaitTrue(() -> events.stream().anyMatch(e -> e instanceof ChatEvent.MembershipChanged m
          && m.userId().equals(removed) && m.change() == ChatEvent.MembershipChange.REMOVED),
          name + " sees " + removed + " removed");
    }
  }

  /**
   * One client's WebSocket transports, recording every frame, able to play the client process
   * dying: at a chosen outgoing frame (sent or not), nothing more leaves or arrives, and
   * reconnects fail. Can also rewrite what the server sends (a hostile server).
   */
  static final class Tap implements java.util.function.Supplier<Transport> {
    private final URI uri;
    private final List<String> frames;
    private final AtomicBoolean dead = new AtomicBoolean();
    private volatile Predicate<String> dieBefore;
    private volatile Predicate<String> dieAfter;
    volatile UnaryOperator<String> rewriteIncoming = UnaryOperator.identity();
    private final List<Conn> conns = new CopyOnWriteArrayList<>();

    Tap(URI uri, List<String> frames) {
      this.uri = uri;
      this.frames = frames;
    }

    @Override
    public Transport get() {
      Conn c = new Conn(WebSocketTransport.builder(uri)
          .backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build());
      conns.add(c);
      return c;
    }

    /** The process dies just before sending the first frame matching {@code p}. */
    void dieInsteadOfSending(Predicate<String> p) {
      dieBefore = p;
    }

    /**
     * The process sends the first frame matching {@code p}, and dies when the server's answer to it
     * arrives, before handling it: the server has done the request for certain (dying right after
     * the send raced the request against the socket's close), the client kept nothing of the answer.
     */
    void dieOnAnswerTo(Predicate<String> p) {
      dieOnAnswerTo = p;
    }

    private volatile Predicate<String> dieOnAnswerTo;
    private volatile String answerId;

    boolean dead() {
      return dead.get();
    }

    private void die() {
      dead.set(true);
      conns.forEach(Conn::kill);
    }

    private final class Conn implements Transport {
      private final Transport inner;
      private volatile TransportListener listener;

      Conn(Transport inner) {
        this.inner = inner;
      }

      @Override
      public void start(TransportListener l) {
        listener = l;
        if (dead.get()) {
          l.onClosed(1006, "process is gone", false);
          return;
        }
        inner.start(new TransportListener() {
          @Override
          public void onOpen() {
            if (!dead.get()) {
              l.onOpen();
            }
          }

          @Override
          public void onFrame(String frame) {
            if (dead.get()) {
              return;
            }
            String awaited = answerId;
            if (awaited != null && frame.contains("\"id\":\"" + awaited + "\"")) {
              die();
              return;
            }
            String f = rewriteIncoming.apply(frame);
            frames.add(f);
            l.onFrame(f);
          }

          @Override
          public void onClosed(int code, String reason, boolean willReconnect) {
            l.onClosed(code, reason, willReconnect && !dead.get());
          }
        });
      }

      @Override
      public boolean send(String frame) {
        if (dead.get()) {
          return false;
        }
        Predicate<String> before = dieBefore;
        if (before != null && before.test(frame)) {
          die();
          return false;
        }
        frames.add(frame);
        Predicate<String> onAnswer = dieOnAnswerTo;
        if (onAnswer != null && onAnswer.test(frame)) {
          java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"id\":\"([^\"]+)\"").matcher(frame);
          if (id.find()) {
            answerId = id.group(1);
            dieOnAnswerTo = null;
          }
        }
        boolean ok = inner.send(frame);
        Predicate<String> after = dieAfter;
        if (after != null && after.test(frame)) {
          die();
        }
        return ok;
      }

      void kill() {
        inner.close();
        TransportListener l = listener;
        if (l != null) {
          l.onClosed(1006, "process died", false);
        }
      }

      @Override
      public TransportState state() {
        return inner.state();
      }

      @Override
      public void close() {
        inner.close();
      }
    }
  }
}
