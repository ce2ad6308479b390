package io.ciphertalk.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.core.model.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.MessageStatus;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.Room;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.model.RoomMember;
import io.ciphertalk.core.model.SendState;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LocalStore} must have. Subclasses supply the implementation; the same
 * tests run against each.
 */
public abstract class LocalStoreContractTest {
  protected static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  protected static final DeviceAddress ALICE1 = DeviceAddress.of("alice", 1);
  protected static final DeviceAddress BOB1 = DeviceAddress.of("bob", 1);
  protected static final DeviceAddress BOB2 = DeviceAddress.of("bob", 2);

  protected MutableClock clock;
  protected LocalStore store;
  private final RandomSource random = RandomSource.deterministicForTesting(new byte[] {7});

  /** A fresh, empty store using {@code clock}. */
  protected abstract LocalStore newStore(MutableClock clock) throws Exception;

  @BeforeEach
  void setUpStore() throws Exception {
    clock = new MutableClock(T0);
    store = newStore(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  protected MessageId newId() {
    return MessageId.generate(clock, random);
  }

  protected Message message(String room, String body, Instant sentAt) {
    return Message.builder().id(newId()).roomId(room).sender(BOB1).sentAt(sentAt).body(body).build();
  }

  // ------------------------------------------------------------------ identity

  @Test
  void localIdentity_isAbsent_thenSaved_thenReplaced() {
    assertThat(store.identities().localIdentity()).isEmpty();
    LocalIdentity id = LocalIdentity.of(ALICE1, new byte[] {1, 2, 3}, SecretBytes.copyOf(new byte[] {9, 8, 7}));
    store.identities().saveLocalIdentity(id);
    LocalIdentity loaded = store.identities().localIdentity().orElseThrow();
    assertThat(loaded).isEqualTo(id);
    assertThat(loaded.privateKey().toByteArray()).containsExactly(9, 8, 7);
    LocalIdentity other = LocalIdentity.of(DeviceAddress.of("alice", 2), new byte[] {4}, SecretBytes.copyOf(new byte[] {5}));
    store.identities().saveLocalIdentity(other);
    assertThat(store.identities().localIdentity().orElseThrow().address()).isEqualTo(DeviceAddress.of("alice", 2));
  }

  @Test
  void peerIdentity_reportsReplacementOfADifferentKeyOnly() {
    IdentityStore ids = store.identities();
    assertThat(ids.peerIdentity(BOB1)).isEmpty();
    assertThat(ids.savePeerIdentity(BOB1, new byte[] {1, 1})).isFalse();
    assertThat(ids.savePeerIdentity(BOB1, new byte[] {1, 1})).isFalse();
    assertThat(ids.savePeerIdentity(BOB1, new byte[] {2, 2})).isTrue();
    assertThat(ids.peerIdentity(BOB1).orElseThrow()).containsExactly(2, 2);
    assertThat(ids.peerIdentity(BOB2)).isEmpty();
    assertThat(ids.removePeerIdentity(BOB1)).isTrue();
    assertThat(ids.removePeerIdentity(BOB1)).isFalse();
    assertThat(ids.peerIdentity(BOB1)).isEmpty();
  }

  @Test
  void accountKeys_ownKeyCertificatePinsAndRevocations_roundTrip_andRevocationsAreNotDuplicated() {
    AccountKeyStore k = store.accountKeys();
    assertThat(k.accountKeyPair()).isEmpty();
    assertThat(k.ownCertificate()).isEmpty();
    assertThat(k.pinnedAccountKey("bob")).isEmpty();
    assertThat(k.revocations("bob")).isEmpty();
    k.saveAccountKeyPair(SecretBytes.copyOf(new byte[] {1, 7, 7}));
    k.saveOwnCertificate(new byte[] {3, 3});
    k.pinAccountKey("bob", new byte[] {4});
    k.pinAccountKey("bob", new byte[] {5});
    k.addRevocation("bob", new byte[] {6});
    k.addRevocation("bob", new byte[] {6});
    k.addRevocation("bob", new byte[] {8});
    assertThat(k.accountKeyPair().orElseThrow().toByteArray()).containsExactly(1, 7, 7);
    assertThat(k.ownCertificate().orElseThrow()).containsExactly(3, 3);
    assertThat(k.pinnedAccountKey("bob").orElseThrow()).containsExactly(5);
    assertThat(k.pinnedAccountKey("carol")).isEmpty();
    assertThat(k.revocations("bob")).containsExactly(new byte[] {6}, new byte[] {8});
    assertThat(k.revocations("carol")).isEmpty();
  }

  // ------------------------------------------------------------------ sessions

  @Test
  void session_isStoredReplacedAndDeleted_andCopiesAreIndependent() {
    SessionStore s = store.sessions();
    byte[] state = {1, 2, 3};
    s.storeSession(BOB1, state);
    state[0] = 99;
    byte[] loaded = s.loadSession(BOB1).orElseThrow();
    assertThat(loaded).containsExactly(1, 2, 3);
    loaded[1] = 42;
    assertThat(s.loadSession(BOB1).orElseThrow()).containsExactly(1, 2, 3);
    s.storeSession(BOB1, new byte[] {4});
    assertThat(s.loadSession(BOB1).orElseThrow()).containsExactly(4);
    assertThat(s.deleteSession(BOB1)).isTrue();
    assertThat(s.deleteSession(BOB1)).isFalse();
    assertThat(s.loadSession(BOB1)).isEmpty();
  }

  @Test
  void sessionDevices_listsOneUsersDevicesInOrder_allSessionDevicesListsEveryone_andDeleteAllRemovesOneUsers() {
    SessionStore s = store.sessions();
    s.storeSession(BOB2, new byte[] {2});
    s.storeSession(BOB1, new byte[] {1});
    s.storeSession(ALICE1, new byte[] {3});
    assertThat(s.sessionDevices("bob")).containsExactly(BOB1, BOB2);
    assertThat(s.allSessionDevices()).containsExactly(ALICE1, BOB1, BOB2);
    assertThat(s.deleteAllSessions("bob")).isEqualTo(2);
    assertThat(s.allSessionDevices()).containsExactly(ALICE1);
    assertThat(s.sessionDevices("bob")).isEmpty();
    assertThat(s.loadSession(ALICE1)).isPresent();
  }

  // ------------------------------------------------------------------ prekeys

  @Test
  void preKey_isLoadedUntilConsumed_andConsumedOnlyOnce() {
    PreKeyStore p = store.preKeys();
    p.storePreKey(PreKeyType.ONE_TIME, 5, SecretBytes.copyOf(new byte[] {5, 5}));
    p.storePreKey(PreKeyType.SIGNED, 5, SecretBytes.copyOf(new byte[] {6, 6}));
    assertThat(p.loadPreKey(PreKeyType.ONE_TIME, 5).orElseThrow().toByteArray()).containsExactly(5, 5);
    assertThat(p.consumePreKey(PreKeyType.ONE_TIME, 5).orElseThrow().toByteArray()).containsExactly(5, 5);
    assertThat(p.consumePreKey(PreKeyType.ONE_TIME, 5)).isEmpty();
    assertThat(p.loadPreKey(PreKeyType.ONE_TIME, 5)).isEmpty();
    assertThat(p.loadPreKey(PreKeyType.SIGNED, 5).orElseThrow().toByteArray()).containsExactly(6, 6);
  }

  @Test
  void preKeyIds_areSortedPerType_andRemoveWorks() {
    PreKeyStore p = store.preKeys();
    for (int id : new int[] {30, 10, 20}) {
      p.storePreKey(PreKeyType.ONE_TIME, id, SecretBytes.copyOf(new byte[] {(byte) id}));
    }
    p.storePreKey(PreKeyType.KEM, 1, SecretBytes.copyOf(new byte[] {1}));
    assertThat(p.preKeyIds(PreKeyType.ONE_TIME)).containsExactly(10, 20, 30);
    assertThat(p.preKeyIds(PreKeyType.KEM)).containsExactly(1);
    assertThat(p.preKeyIds(PreKeyType.RSA)).isEmpty();
    assertThat(p.removePreKey(PreKeyType.ONE_TIME, 20)).isTrue();
    assertThat(p.removePreKey(PreKeyType.ONE_TIME, 20)).isFalse();
    assertThat(p.preKeyIds(PreKeyType.ONE_TIME)).containsExactly(10, 30);
  }

  @Test
  void concurrentConsumers_getEachOneTimePreKeyExactlyOnce() throws Exception {
    PreKeyStore p = store.preKeys();
    int keys = 40;
    for (int i = 0; i < keys; i++) {
      p.storePreKey(PreKeyType.ONE_TIME, i, SecretBytes.copyOf(new byte[] {(byte) i}));
    }
    AtomicInteger got = new AtomicInteger();
    runConcurrently(4, t -> {
      for (int i = 0; i < keys; i++) {
        if (p.consumePreKey(PreKeyType.ONE_TIME, i).isPresent()) {
          got.incrementAndGet();
        }
      }
    });
    assertThat(got.get()).isEqualTo(keys);
    assertThat(p.preKeyIds(PreKeyType.ONE_TIME)).isEmpty();
  }

  // ------------------------------------------------------------------ sender keys

  @Test
  void senderKeys_areKeptPerRoomAndSender() {
    SenderKeyStore k = store.senderKeys();
    k.storeSenderKey("r1", BOB1, new byte[] {1});
    k.storeSenderKey("r1", BOB2, new byte[] {2});
    k.storeSenderKey("r2", BOB1, new byte[] {3});
    k.storeSenderKey("r1", BOB1, new byte[] {4});
    assertThat(k.loadSenderKey("r1", BOB1).orElseThrow()).containsExactly(4);
    assertThat(k.loadSenderKey("r2", BOB1).orElseThrow()).containsExactly(3);
    assertThat(k.deleteSenderKey("r1", BOB2)).isTrue();
    assertThat(k.loadSenderKey("r1", BOB2)).isEmpty();
    assertThat(k.deleteSenderKeys("r1")).isEqualTo(1);
    assertThat(k.loadSenderKey("r1", BOB1)).isEmpty();
    assertThat(k.loadSenderKey("r2", BOB1)).isPresent();
  }

  // ------------------------------------------------------------------ messages

  @Test
  void message_isSavedAndReplacedById() {
    Message m = message("r1", "hello", T0);
    store.messages().saveMessage(m);
    assertThat(store.messages().message(m.id())).contains(m);
    Message edited = m.withEdit("hello, edited");
    store.messages().saveMessage(edited);
    assertThat(store.messages().message(m.id())).contains(edited);
    assertThat(store.messages().history("r1", null, 10)).containsExactly(edited);
    assertThat(store.messages().deleteMessage(m.id())).isTrue();
    assertThat(store.messages().message(m.id())).isEmpty();
  }

  @Test
  void sendState_onlyMovesForward_failsOnlyFromQueued_andGoesWithTheMessage() {
    Message m = message("r1", "mine", T0);
    store.messages().saveMessage(m);
    MessageStore ms = store.messages();
    assertThat(ms.sendState(m.id())).isEmpty();
    assertThat(ms.updateSendState(m.id(), SendState.of(MessageStatus.QUEUED))).isTrue();
    assertThat(ms.updateSendState(m.id(), SendState.of(MessageStatus.SENT))).isTrue();
    // A read receipt that overtakes the delivery receipt: READ, and DELIVERED no longer applies.
    assertThat(ms.updateSendState(m.id(), SendState.of(MessageStatus.READ))).isTrue();
    assertThat(ms.updateSendState(m.id(), SendState.of(MessageStatus.DELIVERED))).isFalse();
    assertThat(ms.updateSendState(m.id(), SendState.of(MessageStatus.QUEUED))).isFalse();
    assertThat(ms.updateSendState(m.id(), SendState.failed("late"))).isFalse();
    assertThat(ms.sendState(m.id())).contains(SendState.of(MessageStatus.READ));

    Message f = message("r1", "refused", T0.plusSeconds(1));
    ms.saveMessage(f);
    assertThat(ms.updateSendState(f.id(), SendState.of(MessageStatus.QUEUED))).isTrue();
    assertThat(ms.updateSendState(f.id(), SendState.failed("not_member"))).isTrue();
    assertThat(ms.updateSendState(f.id(), SendState.of(MessageStatus.SENT))).isFalse();
    assertThat(ms.sendState(f.id())).contains(SendState.failed("not_member"));

    assertThat(ms.deleteMessage(m.id())).isTrue();
    assertThat(ms.sendState(m.id())).isEmpty();
  }

  @Test
  void inTransaction_commitsEverythingOrNothing() {
    Message kept = message("r1", "kept", T0);
    store.inTransaction(() -> {
      store.messages().saveMessage(kept);
      store.unread().addUnread("r1", kept.id());
      assertThat(store.seen().markSeen(kept.id())).isTrue();
    });
    assertThat(store.messages().message(kept.id())).contains(kept);
    assertThat(store.unread().unread("r1")).containsExactly(kept.id());
    assertThat(store.seen().isSeen(kept.id())).isTrue();
    if (!rollsBack()) {
      return;
    }
    Message lost = message("r1", "lost", T0.plusSeconds(1));
    assertThatThrownBy(() -> store.inTransaction(() -> {
      store.messages().saveMessage(lost);
      store.seen().markSeen(lost.id());
      throw new IllegalStateException("crash between two writes");
    })).isInstanceOf(IllegalStateException.class).hasMessageContaining("crash");
    assertThat(store.messages().message(lost.id())).isEmpty();
    assertThat(store.seen().isSeen(lost.id())).isFalse();
  }

  @Test
  void seenAmong_andStoredAmong_answerForManyIds_likeTheSingleQueries() {
    Message stored = message("r1", "stored", T0);
    Message expired = Message.builder().id(newId()).roomId("r1").sender(BOB1).sentAt(T0)
        .body("gone").expiresAt(T0.plusSeconds(1)).build();
    store.messages().saveMessage(stored);
    store.messages().saveMessage(expired);
    MessageId seen = newId();
    MessageId fresh = newId();
    store.seen().markSeen(seen);
    clock.advance(java.time.Duration.ofSeconds(2));

    assertThat(store.seen().seenAmong(List.of(seen, fresh, stored.id()))).containsExactly(seen);
    assertThat(store.messages().storedAmong(List.of(stored.id(), expired.id(), fresh)))
        .containsExactly(stored.id());
    assertThat(store.seen().seenAmong(List.of())).isEmpty();
  }

  /**
   * What a received batch does in one unit: read its ids at once, then check, mark and save each,
   * also a duplicate inside the batch and an edit of a message saved earlier in it. Every read in
   * the unit sees the unit's own writes (the Jdbi store holds them back for JDBC batches).
   */
  @Test
  void inTransaction_afterSeenAmong_readsItsOwnWrites_andCommitsThemAll() {
    Message old = message("r1", "old", T0);
    store.messages().saveMessage(old);
    store.seen().markSeen(old.id());
    List<Message> batch = new java.util.ArrayList<>();
    for (int i = 0; i < 600; i++) { // more than one IN list of the Jdbi store
      batch.add(message("r1", "m" + i, T0.plusMillis(1 + i)));
    }
    List<MessageId> ids = new java.util.ArrayList<>(batch.stream().map(Message::id).toList());
    ids.add(old.id());
    Message edited = Message.builder().id(batch.get(5).id()).roomId("r1").sender(BOB1)
        .sentAt(batch.get(5).sentAt()).body("m5 edited").edited(true).build();
    store.inTransaction(() -> {
      assertThat(store.seen().seenAmong(ids)).containsExactly(old.id());
      assertThat(store.messages().storedAmong(ids)).containsExactly(old.id());
      assertThat(store.seen().isSeen(old.id())).isTrue();
      assertThat(store.seen().markSeen(old.id())).isFalse();
      for (Message m : batch) {
        assertThat(store.seen().isSeen(m.id())).isFalse();
        assertThat(store.messages().message(m.id())).isEmpty();
        assertThat(store.seen().markSeen(m.id())).isTrue();
        store.messages().saveMessage(m);
        store.unread().addUnread("r1", m.id());
        assertThat(store.seen().isSeen(m.id())).isTrue();
        assertThat(store.seen().markSeen(m.id())).as("a duplicate in the batch").isFalse();
      }
      store.messages().saveMessage(edited);
      assertThat(store.messages().message(batch.get(7).id())).contains(batch.get(7));
      assertThat(store.messages().message(edited.id())).contains(edited);
      assertThat(store.unread().unread("r1")).hasSize(600);
      assertThat(store.messages().history("r1", null, 3)).extracting(Message::body)
          .containsExactly("m599", "m598", "m597");
      store.unread().addUnread("r1", batch.get(0).id()); // again: still one row
    });
    for (Message m : batch) {
      assertThat(store.seen().isSeen(m.id())).isTrue();
      assertThat(store.messages().message(m.id()))
          .contains(m.id().equals(edited.id()) ? edited : m);
    }
    assertThat(store.unread().unread("r1")).hasSize(600);
  }

  /** Whether {@link LocalStore#inTransaction} is all-or-nothing in this store. */
  protected boolean rollsBack() {
    return true;
  }

  @Test
  void message_keepsEveryField_toTheMillisecond() {
    Message m =
        Message.builder()
            .id(newId())
            .roomId("r1")
            .sender(ALICE1)
            .sentAt(T0.plusNanos(1_234_567))
            .body("multi\nline ✓ 👋")
            .replyTo(newId())
            .expiresAt(T0.plusSeconds(3600).plusNanos(999_999))
            .edited(true)
            .deleted(false)
            .build();
    store.messages().saveMessage(m);
    Message loaded = store.messages().message(m.id()).orElseThrow();
    assertThat(loaded.sentAt()).isEqualTo(T0.plusMillis(1));
    assertThat(loaded.expiresAt()).isEqualTo(T0.plusSeconds(3600));
    assertThat(loaded.body()).isEqualTo(m.body());
    assertThat(loaded.replyTo()).isEqualTo(m.replyTo());
    assertThat(loaded.edited()).isTrue();
    assertThat(loaded.sender()).isEqualTo(ALICE1);
  }

  @Test
  void history_pagesNewestFirst_throughTiesOnTime_andKeepsRoomsApart() {
    List<Message> saved = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      // Three messages share each timestamp, so the id must break ties.
      Message m = message("r1", "m" + i, T0.plusSeconds(i / 3));
      saved.add(m);
      store.messages().saveMessage(m);
    }
    store.messages().saveMessage(message("r2", "other room", T0.plusSeconds(100)));
    List<Message> expected = new ArrayList<>(saved);
    expected.sort((a, b) -> MessageCursor.of(b).compareTo(MessageCursor.of(a)));

    List<Message> pages = new ArrayList<>();
    MessageCursor cursor = null;
    while (true) {
      List<Message> page = store.messages().history("r1", cursor, 10);
      if (page.isEmpty()) {
        break;
      }
      assertThat(page.size()).isLessThanOrEqualTo(10);
      pages.addAll(page);
      cursor = MessageCursor.of(page.get(page.size() - 1));
    }
    assertThat(pages).containsExactlyElementsOf(expected);
    assertThat(store.messages().history("nope", null, 10)).isEmpty();
    assertThatThrownBy(() -> store.messages().history("r1", null, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.messages().history("r1", null, MessageStore.MAX_PAGE + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void search_findsBodiesIgnoringCase_newestFirst_perRoomOrEverywhere_skippingDeleted() {
    Message a = message("r1", "Lunch at noon?", T0);
    Message b = message("r2", "no LUNCH today", T0.plusSeconds(1));
    Message c = message("r1", "dinner", T0.plusSeconds(2));
    Message d = message("r1", "lunch (deleted)", T0.plusSeconds(3)).asDeleted();
    for (Message m : List.of(a, b, c, d)) {
      store.messages().saveMessage(m);
    }
    assertThat(store.messages().search(null, "lunch", 10)).containsExactly(b, a);
    assertThat(store.messages().search("r1", "LUNCH", 10)).containsExactly(a);
    assertThat(store.messages().search(null, "lunch", 1)).containsExactly(b);
    assertThat(store.messages().search(null, "breakfast", 10)).isEmpty();
  }

  @Test
  void expiredMessages_vanishFromQueriesAtTheirExpiry_andTheSweepDeletesThem() {
    Message shortLived =
        Message.builder().id(newId()).roomId("r1").sender(BOB1).sentAt(T0).body("self-destruct")
            .expiresAt(T0.plusSeconds(10)).build();
    Message longLived =
        Message.builder().id(newId()).roomId("r1").sender(BOB1).sentAt(T0.plusSeconds(1)).body("self-destruct later")
            .expiresAt(T0.plusSeconds(60)).build();
    Message forever = message("r1", "stays", T0.plusSeconds(2));
    for (Message m : List.of(shortLived, longLived, forever)) {
      store.messages().saveMessage(m);
    }
    assertThat(store.messages().history("r1", null, 10)).containsExactly(forever, longLived, shortLived);

    clock.advance(Duration.ofSeconds(10));
    // Expired but not yet swept: already invisible everywhere.
    assertThat(store.messages().message(shortLived.id())).isEmpty();
    assertThat(store.messages().history("r1", null, 10)).containsExactly(forever, longLived);
    assertThat(store.messages().search(null, "self-destruct", 10)).containsExactly(longLived);

    assertThat(store.messages().nextExpiry()).contains(T0.plusSeconds(10));
    assertThat(store.messages().sweepExpired()).containsExactly(shortLived);
    assertThat(store.messages().sweepExpired()).isEmpty();
    assertThat(store.messages().nextExpiry()).contains(T0.plusSeconds(60));

    clock.advance(Duration.ofSeconds(50));
    assertThat(store.messages().sweepExpired()).containsExactly(longLived);
    assertThat(store.messages().history("r1", null, 10)).containsExactly(forever);
    assertThat(store.messages().nextExpiry()).isEmpty();
  }

  @Test
  void reactions_arePersistedWithTheMessage_andDroppedOnDelete() {
    Message m = message("r1", "react to me", T0).withReaction("👍", "bob", false).withReaction("👍", "carol", false)
        .withReaction("🎉", "bob", false);
    store.messages().saveMessage(m);
    Message loaded = store.messages().message(m.id()).orElseThrow();
    assertThat(loaded.reactions()).isEqualTo(Map.of("👍", Set.of("bob", "carol"), "🎉", Set.of("bob")));
    Message less = loaded.withReaction("🎉", "bob", true);
    store.messages().saveMessage(less);
    assertThat(store.messages().message(m.id()).orElseThrow().reactions()).isEqualTo(Map.of("👍", Set.of("bob", "carol")));
    store.messages().saveMessage(less.asDeleted());
    Message deleted = store.messages().message(m.id()).orElseThrow();
    assertThat(deleted.deleted()).isTrue();
    assertThat(deleted.body()).isEmpty();
    assertThat(deleted.reactions()).isEmpty();
  }

  // ------------------------------------------------------------------ account, rooms, seen, unread

  @Test
  void account_isSavedReplacedAndCleared_andToStringHidesTheToken() {
    assertThat(store.account().account()).isEmpty();
    store.account().saveAccount(new Account("alice", 1, "tok-1"));
    store.account().saveAccount(new Account("alice", 2, "tok-2"));
    Account a = store.account().account().orElseThrow();
    assertThat(a).isEqualTo(new Account("alice", 2, "tok-2"));
    assertThat(a.toString()).doesNotContain("tok-2");
    assertThat(store.account().clearAccount()).isTrue();
    assertThat(store.account().clearAccount()).isFalse();
    assertThat(store.account().account()).isEmpty();
  }

  @Test
  void rooms_areCachedWithMembersInOrder_replacedAndRemoved() {
    Room group =
        new Room("r2", RoomKind.GROUP, "Team", "desc",
            List.of(new RoomMember("alice", Role.OWNER), new RoomMember("bob", Role.MEMBER)), 10);
    Room dm = new Room("r1", RoomKind.PRIVATE, null, null,
        List.of(new RoomMember("alice", Role.OWNER), new RoomMember("bob", Role.OWNER)), 2);
    store.rooms().saveRoom(group);
    store.rooms().saveRoom(dm);
    assertThat(store.rooms().room("r2")).contains(group);
    assertThat(store.rooms().rooms()).containsExactly(dm, group);
    Room renamed = new Room("r2", RoomKind.GROUP, "Renamed", null, List.of(new RoomMember("alice", Role.OWNER)), 10);
    store.rooms().saveRoom(renamed);
    assertThat(store.rooms().room("r2")).contains(renamed);
    assertThat(store.rooms().removeRoom("r2")).isTrue();
    assertThat(store.rooms().removeRoom("r2")).isFalse();
    assertThat(store.rooms().rooms()).containsExactly(dm);
  }

  @Test
  void rooms_savedConcurrently_lastOneWins_withoutErrors() throws Exception {
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String name = "name-" + t;
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 50; i++) {
          store.rooms().saveRoom(new Room("r9", RoomKind.GROUP, name, null,
              List.of(new RoomMember("alice", Role.OWNER)), 10));
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS); // throws if a save failed
    }
    pool.shutdown();
    assertThat(store.rooms().room("r9")).hasValueSatisfying(r -> {
      assertThat(r.name()).startsWith("name-");
      assertThat(r.members()).containsExactly(new RoomMember("alice", Role.OWNER));
    });
  }

  @Test
  void seen_recognisesDuplicates_andForgetsOldIds() {
    MessageId a = newId();
    MessageId b = newId();
    assertThat(store.seen().markSeen(a)).isTrue();
    assertThat(store.seen().markSeen(a)).isFalse();
    assertThat(store.seen().isSeen(a)).isTrue();
    assertThat(store.seen().isSeen(b)).isFalse();
    clock.advance(Duration.ofHours(1));
    store.seen().markSeen(b);
    assertThat(store.seen().forgetSeenBefore(T0.plusSeconds(60))).isEqualTo(1);
    assertThat(store.seen().isSeen(a)).isFalse();
    assertThat(store.seen().isSeen(b)).isTrue();
  }

  @Test
  void unread_isKeptPerRoom() {
    MessageId a = newId();
    MessageId b = newId();
    MessageId c = newId();
    store.unread().addUnread("r1", a);
    store.unread().addUnread("r1", a);
    store.unread().addUnread("r1", b);
    store.unread().addUnread("r2", c);
    assertThat(store.unread().unread("r1")).containsExactlyInAnyOrder(a, b);
    assertThat(store.unread().markRead("r1", Set.of(a, c))).isEqualTo(1);
    assertThat(store.unread().unread("r1")).containsExactly(b);
    store.unread().setUnread("r1", Set.of(a, c));
    assertThat(store.unread().unread("r1")).containsExactlyInAnyOrder(a, c);
    assertThat(store.unread().unread("r2")).containsExactly(c);
    assertThat(store.unread().unread("r3")).isEmpty();
  }

  @Test
  void appData_roundTrips_replaces_removes_andEnforcesItsLimits() {
    assertThat(store.appData().get("k")).isEmpty();
    byte[] v = {1, 2, 3};
    store.appData().put("k", v);
    v[0] = 9; // the store kept a copy
    assertThat(store.appData().get("k").orElseThrow()).containsExactly(1, 2, 3);
    store.appData().put("k", new byte[] {4});
    assertThat(store.appData().get("k").orElseThrow()).containsExactly(4);
    assertThat(store.appData().remove("k")).isTrue();
    assertThat(store.appData().remove("k")).isFalse();
    assertThatThrownBy(() -> store.appData().put("", new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.appData().put("x".repeat(129), new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.appData().put("big", new byte[256 * 1024 + 1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.appData().get("big")).isEmpty();
  }

  // ------------------------------------------------------------------ outbox

  @Test
  void outbox_keepsEnqueueOrder_isIdempotentPerMessage_andRemovesOnAck() {
    OutboxStore o = store.outbox();
    MessageId a = newId();
    MessageId b = newId();
    MessageId c = newId();
    OutboxEntry ea = o.enqueue(a, "r1", "first".getBytes(StandardCharsets.UTF_8));
    clock.advance(Duration.ofSeconds(1));
    o.enqueue(b, "r2", "second".getBytes(StandardCharsets.UTF_8));
    o.enqueue(c, "r1", "third".getBytes(StandardCharsets.UTF_8));
    assertThat(o.enqueue(a, "r1", "changed".getBytes(StandardCharsets.UTF_8))).isEqualTo(ea);
    assertThat(ea.enqueuedAt()).isEqualTo(T0);
    assertThat(o.size()).isEqualTo(3);
    List<OutboxEntry> pending = o.pending(10);
    assertThat(pending).extracting(OutboxEntry::messageId).containsExactly(a, b, c);
    assertThat(new String(pending.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("first");
    assertThat(pending.get(0).seq()).isLessThan(pending.get(1).seq());
    assertThat(o.pending(2)).extracting(OutboxEntry::messageId).containsExactly(a, b);
    assertThat(o.remove(b)).isTrue();
    assertThat(o.remove(b)).isFalse();
    assertThat(o.pending(10)).extracting(OutboxEntry::messageId).containsExactly(a, c);
    assertThat(o.size()).isEqualTo(2);
  }

  // ------------------------------------------------------------------ held envelopes

  @Test
  void held_keepsOrderPerSender_isIdempotentPerMessage_andRemovesOnceProcessed() {
    HeldEnvelopeStore held = store.held();
    MessageId a = newId();
    MessageId b = newId();
    MessageId c = newId();
    assertThat(held.hold(a, "bob", "first".getBytes(StandardCharsets.UTF_8))).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(held.hold(b, "carol", "second".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(held.hold(c, "bob", "third".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(held.hold(a, "bob", "changed".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(held.count("bob")).isEqualTo(2);
    assertThat(held.count("dave")).isZero();
    List<HeldEnvelope> fromBob = held.from("bob", 10);
    assertThat(fromBob).extracting(HeldEnvelope::messageId).containsExactly(a, c);
    assertThat(new String(fromBob.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("first");
    assertThat(fromBob.get(0).heldAt()).isEqualTo(T0);
    assertThat(fromBob.get(0).senderUserId()).isEqualTo("bob");
    assertThat(held.from("bob", 1)).extracting(HeldEnvelope::messageId).containsExactly(a);
    assertThat(held.all(10)).extracting(HeldEnvelope::messageId).containsExactly(a, b, c);
    assertThat(held.remove(a)).isTrue();
    assertThat(held.remove(a)).isFalse();
    assertThat(held.from("bob", 10)).extracting(HeldEnvelope::messageId).containsExactly(c);
    assertThatThrownBy(() -> held.all(0)).isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ concurrency and lifecycle

  @Test
  void concurrentWriters_loseNothing() throws Exception {
    int threads = 4;
    int perThread = 25;
    List<List<Message>> written = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Message> mine = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        mine.add(message("room-" + (i % 3), "t" + t + " m" + i, T0.plusMillis(t * 1000L + i)));
      }
      written.add(mine);
    }
    runConcurrently(threads, t -> {
      for (int i = 0; i < perThread; i++) {
        store.messages().saveMessage(written.get(t).get(i));
        store.sessions().storeSession(DeviceAddress.of("u" + t, i + 1), new byte[] {(byte) i});
        // Every thread also overwrites one shared row.
        store.sessions().storeSession(BOB1, new byte[] {(byte) t});
        store.outbox().enqueue(written.get(t).get(i).id(), "r", new byte[] {(byte) t});
      }
    });
    for (int t = 0; t < threads; t++) {
      for (Message m : written.get(t)) {
        assertThat(store.messages().message(m.id())).contains(m);
      }
      assertThat(store.sessions().sessionDevices("u" + t)).hasSize(perThread);
    }
    assertThat(store.sessions().loadSession(BOB1).orElseThrow()).hasSize(1);
    assertThat(store.outbox().size()).isEqualTo(threads * perThread);
  }

  @Test
  void closedStore_refusesUse() {
    store.close();
    assertThatThrownBy(() -> store.sessions().loadSession(BOB1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.messages().history("r1", null, 1)).isInstanceOf(IllegalStateException.class);
  }

  /** Runs {@code body(threadIndex)} on {@code n} threads started together; rethrows failures. */
  protected static void runConcurrently(int n, ThrowingIntConsumer body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Void>> futures = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        int index = t;
        Callable<Void> task = () -> {
          start.await();
          body.accept(index);
          return null;
        };
        futures.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A consumer of a thread index that may throw. */
  @FunctionalInterface
  protected interface ThrowingIntConsumer {
    void accept(int index) throws Exception;
  }
}
