package io.ciphertalk.client;

import static io.ciphertalk.client.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.internal.ManualClock;
import io.ciphertalk.client.internal.ManualScheduler;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.store.AccountKeyStore;
import io.ciphertalk.core.store.AccountStore;
import io.ciphertalk.core.store.AppDataStore;
import io.ciphertalk.core.store.HeldEnvelopeStore;
import io.ciphertalk.core.store.IdentityStore;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.MessageStore;
import io.ciphertalk.core.store.OutboxStore;
import io.ciphertalk.core.store.PreKeyStore;
import io.ciphertalk.core.store.RoomStore;
import io.ciphertalk.core.store.SeenStore;
import io.ciphertalk.core.store.SenderKeyStore;
import io.ciphertalk.core.store.SessionStore;
import io.ciphertalk.core.store.StoreException;
import io.ciphertalk.core.store.UnreadStore;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch of received messages whose store transaction fails halfway is rolled back, and nothing
 * the client keeps in memory may disagree with the store afterwards. The batch's first messages
 * were already decrypted (their ratchet or sender-key chain advanced, in memory) when the store
 * failed; if that advanced state survived the rollback, the server's redelivery would not decrypt
 * (the message keys already used up) and those messages would be lost.
 */
class FailedBatchTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeHub hub = new FakeHub(clock);
  private final List<CipherTalkClient> clients = new ArrayList<>();
  private final SecretBytes key = SecretBytes.random(32, RandomSource.secure());

  @AfterEach
  void close() {
    clients.forEach(CipherTalkClient::close);
  }

  @ParameterizedTest(name = "{0} room")
  @EnumSource(RoomKind.class)
  void aBatchFailingHalfway_isRolledBack_andItsRedeliveryDecryptsEveryMessageOnce(RoomKind kind,
      @TempDir Path dir) throws Exception {
    // The third message stored in the next transaction fails: two were decrypted before it.
    failedBatchIsRedelivered(kind, dir, store -> store.failSaveInNextBatchAt = 3);
  }

  /**
   * The failure happens in the database, inside the JDBC batch that writes the batch's held-back
   * INSERTs just before the commit (a value the column refuses, in the middle of the unread ids):
   * every message of the batch was decrypted and "stored" by then, and none may be acknowledged.
   */
  @ParameterizedTest(name = "{0} room")
  @EnumSource(RoomKind.class)
  void aJdbcBatchFailingInTheMiddle_beforeTheCommit_losesNothing(RoomKind kind,
      @TempDir Path dir) throws Exception {
    failedBatchIsRedelivered(kind, dir, store -> store.refusedUnreadInNextBatchAt = 3);
  }

  /**
   * An event the app's own thread raises while the engine thread is inside a received batch (here
   * the QUEUED state of a message the app sends) is the app thread's: it is published at once. It
   * used to be parked with the batch's events whenever the engine happened to be in a batch, and
   * a batch that then failed dropped it (and two threads appended to one list).
   */
  @ParameterizedTest(name = "{0} room")
  @EnumSource(RoomKind.class)
  void aSendDuringAReceivedBatchThatFails_stillAnnouncesItsQueuedState_andNothingIsLost(RoomKind kind,
      @TempDir Path dir) throws Exception {
    Pair p = pair(kind, dir);
    Recorder ra = p.ra();
    Recorder rb = p.rb();
    FailingStore store = p.store();
    CipherTalkClient bob = p.bob();
    Room room = p.room();
    Room bobsRoom = bob.room(room.id()).orElseThrow();

    bob.disconnect();
    room.send("queued 0");
    room.send("queued 1");
    java.util.concurrent.CountDownLatch engineInBatch = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch appSent = new java.util.concurrent.CountDownLatch(1);
    store.onSaveInTransaction = () -> {
      engineInBatch.countDown();
      try {
        appSent.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new StoreException("injected: disk full");
    };
    bob.connect();
    assertThat(engineInBatch.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the batch began").isTrue();
    // The engine thread is now inside the batch's transaction; the app sends from its own thread.
    io.ciphertalk.core.model.MessageId mine = bobsRoom.send("sent while a batch is open");
    appSent.countDown();

    awaitTrue(() -> !rb.all(ChatEvent.MessageStatusChanged.class, e -> e.messageId().equals(mine)
        && e.state().status() == io.ciphertalk.core.model.MessageStatus.QUEUED).isEmpty(),
        "bob's app was told its message is queued");
    awaitTrue(() -> {
      scheduler.advance(Duration.ofSeconds(30)); // the reconnect after the failed batch
      return rb.sawText("queued 0") && rb.sawText("queued 1") && ra.sawText("sent while a batch is open");
    }, "the failed batch was delivered again and bob's message went out");
    assertThat(rb.all(ChatEvent.MessageStatusChanged.class, e -> e.messageId().equals(mine)
        && e.state().status() == io.ciphertalk.core.model.MessageStatus.QUEUED)).hasSize(1);
    assertThat(ra.all(ChatEvent.MessageReceived.class,
        e -> e.message().text().equals("sent while a batch is open"))).hasSize(1);
  }

  /**
   * A send whose outbox entry cannot be written leaves nothing behind: the message, its seen id
   * and its QUEUED state are written in the same transaction, so the history never shows a message
   * as queued that nothing will ever send (and a restart finds none either).
   */
  @Test
  void aSendWhoseOutboxWriteFails_throws_andLeavesNoQueuedMessageBehind(@TempDir Path dir) throws Exception {
    Pair p = pair(RoomKind.PRIVATE, dir);
    Recorder ra = p.ra();
    Recorder rb = p.rb();
    FailingStore store = p.store();
    CipherTalkClient bob = p.bob();
    Room room = p.room();
    Room bobsRoom = bob.room(room.id()).orElseThrow();

    store.failNextOutboxAppend = true;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> bobsRoom.send("never stored"))
        .isInstanceOf(StoreException.class);
    assertThat(bobsRoom.history(50)).extracting(Message::text).doesNotContain("never stored");
    io.ciphertalk.core.model.MessageId stored = bobsRoom.send("stored");
    ra.awaitText("stored");
    // The same for a delete for everyone and an edit: not done here unless the others will be told.
    store.failNextOutboxAppend = true;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> bobsRoom.deleteForEveryone(stored))
        .isInstanceOf(StoreException.class);
    store.failNextOutboxAppend = true;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> bobsRoom.edit(stored, "edited"))
        .isInstanceOf(StoreException.class);
    assertThat(bobsRoom.history(50)).filteredOn(m -> m.id().equals(stored)).singleElement()
        .satisfies(m -> {
          assertThat(m.deleted()).as("not deleted").isFalse();
          assertThat(m.text()).isEqualTo("stored");
        });

    bob.close();
    clients.remove(bob);
    CipherTalkClient bob2 = client(open(dir), new Recorder("bob-restarted"));
    assertThat(bob2.room(room.id()).orElseThrow().history(50)).extracting(Message::text)
        .contains("hello", "stored").doesNotContain("never stored");
    assertThat(ra.sawText("never stored")).isFalse();
  }

  private void failedBatchIsRedelivered(RoomKind kind, Path dir,
      java.util.function.Consumer<FailingStore> arm) throws Exception {
    Pair p = pair(kind, dir);
    Recorder rb = p.rb();
    FailingStore store = p.store();
    CipherTalkClient bob = p.bob();
    Room room = p.room();

    bob.disconnect();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      texts.add("queued " + i);
      room.send("queued " + i);
    }
    arm.accept(store);
    bob.connect();
    awaitTrue(() -> store.injectedFailures == 1, "the injected store failure happened");
    awaitTrue(() -> {
      scheduler.advance(Duration.ofSeconds(30)); // the reconnect after the failed batch
      return texts.stream().allMatch(rb::sawText);
    }, "bob received everything again after the failed batch: "
        + rb.all(ChatEvent.MessageReceived.class).size());

    for (String t : texts) {
      assertThat(rb.all(ChatEvent.MessageReceived.class, e -> e.message().text().equals(t)))
          .as("%s, once", t).hasSize(1);
    }
    assertThat(rb.all(ChatEvent.MessageUndecryptable.class)).as("nothing lost").isEmpty();
    assertThat(bob.room(room.id()).orElseThrow().history(50)).extracting(Message::text)
        .contains(texts.toArray(String[]::new));

    // What was committed after the redelivery is what bob's memory held: a restarted bob, reading
    // everything from the store, goes on decrypting.
    bob.close();
    clients.remove(bob);
    Recorder rb2 = new Recorder("bob-restarted");
    CipherTalkClient bob2 = client(open(dir), rb2);
    bob2.connect();
    room.send("after restart");
    rb2.awaitText("after restart");
    assertThat(rb2.all(ChatEvent.MessageUndecryptable.class)).isEmpty();
  }

  /** alice (in memory) and bob (on a {@link FailingStore}), a room of {@code kind}, "hello" received. */
  private record Pair(Recorder ra, Recorder rb, FailingStore store, CipherTalkClient bob, Room room) {}

  private Pair pair(RoomKind kind, Path dir) throws Exception {
    Recorder ra = new Recorder("alice");
    CipherTalkClient alice = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).listener(ra).prekeyBatch(5).build();
    clients.add(alice);
    alice.register("alice", "pw-alice");
    alice.connect();
    Recorder rb = new Recorder("bob");
    FailingStore store = new FailingStore(open(dir));
    CipherTalkClient bob = client(store, rb);
    bob.register("bob", "pw-bob");
    bob.connect();
    Room room = kind == RoomKind.PRIVATE ? alice.privateRoom("bob")
        : alice.createGroup("g", Set.of("bob"));
    room.send("hello");
    rb.awaitText("hello");
    return new Pair(ra, rb, store, bob, room);
  }

  private JdbiLocalStore open(Path dir) throws Exception {
    return JdbiLocalStore.builder().file(dir.resolve("bob")).key(key).clock(clock).open();
  }

  private CipherTalkClient client(LocalStore store, Recorder r) {
    CipherTalkClient c = CipherTalkClient.builder().link(hub.link()).store(store).clock(clock)
        .scheduler(scheduler).listener(r).prekeyBatch(5).build();
    clients.add(c);
    return c;
  }

  /**
   * The encrypted file store (real transactions, real rollback) with one injected failure: the
   * n-th message saved inside the next transaction throws, as a full disk would.
   */
  static final class FailingStore implements LocalStore {
    final JdbiLocalStore inner;
    volatile int failSaveInNextBatchAt;
    /** The n-th unread id of the next transaction goes to a room id longer than its column. */
    volatile int refusedUnreadInNextBatchAt;
    volatile int injectedFailures;
    /** Runs (once) on the thread saving a message inside a transaction; may throw. */
    volatile Runnable onSaveInTransaction;
    private final ThreadLocal<Boolean> inTransaction = ThreadLocal.withInitial(() -> false);
    private int savesInTransaction;
    private int unreadInTransaction;
    private final MessageStore messages;
    private final UnreadStore unread;
    private final OutboxStore outbox;
    /** The next outbox entry appended fails, as a full disk would. */
    volatile boolean failNextOutboxAppend;

    FailingStore(JdbiLocalStore inner) {
      this.inner = inner;
      this.messages = (MessageStore) Proxy.newProxyInstance(MessageStore.class.getClassLoader(),
          new Class<?>[] {MessageStore.class}, (proxy, method, args) -> {
            Runnable hook = onSaveInTransaction;
            if (method.getName().equals("saveMessage") && hook != null && inTransaction.get()) {
              onSaveInTransaction = null;
              injectedFailures++;
              hook.run();
            }
            if (method.getName().equals("saveMessage") && failSaveInNextBatchAt > 0
                && ++savesInTransaction == failSaveInNextBatchAt) {
              failSaveInNextBatchAt = 0;
              injectedFailures++;
              throw new StoreException("injected: disk full");
            }
            try {
              return method.invoke(inner.messages(), args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      this.outbox = (OutboxStore) Proxy.newProxyInstance(OutboxStore.class.getClassLoader(),
          new Class<?>[] {OutboxStore.class}, (proxy, method, args) -> {
            if (method.getName().equals("enqueue") && failNextOutboxAppend) {
              failNextOutboxAppend = false;
              injectedFailures++;
              throw new StoreException("injected: disk full");
            }
            try {
              return method.invoke(inner.outbox(), args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      this.unread = (UnreadStore) Proxy.newProxyInstance(UnreadStore.class.getClassLoader(),
          new Class<?>[] {UnreadStore.class}, (proxy, method, args) -> {
            if (method.getName().equals("addUnread") && refusedUnreadInNextBatchAt > 0
                && ++unreadInTransaction == refusedUnreadInNextBatchAt) {
              refusedUnreadInNextBatchAt = 0;
              injectedFailures++;
              args = new Object[] {"r".repeat(65), args[1]}; // the column holds 64
            }
            try {
              return method.invoke(inner.unread(), args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public void inTransaction(Runnable work) {
      savesInTransaction = 0;
      unreadInTransaction = 0;
      boolean outer = !inTransaction.get();
      inTransaction.set(true);
      try {
        inner.inTransaction(work);
      } finally {
        if (outer) {
          inTransaction.set(false);
        }
      }
    }

    @Override public MessageStore messages() { return messages; }
    @Override public IdentityStore identities() { return inner.identities(); }
    @Override public AccountKeyStore accountKeys() { return inner.accountKeys(); }
    @Override public SessionStore sessions() { return inner.sessions(); }
    @Override public PreKeyStore preKeys() { return inner.preKeys(); }
    @Override public SenderKeyStore senderKeys() { return inner.senderKeys(); }
    @Override public OutboxStore outbox() { return outbox; }
    @Override public HeldEnvelopeStore held() { return inner.held(); }
    @Override public AccountStore account() { return inner.account(); }
    @Override public RoomStore rooms() { return inner.rooms(); }
    @Override public AppDataStore appData() { return inner.appData(); }
    @Override public SeenStore seen() { return inner.seen(); }
    @Override public UnreadStore unread() { return unread; }
    @Override public void close() { inner.close(); }
  }
}
