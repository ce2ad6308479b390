package io.ciphertalk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.store.AccountStore;
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
import io.ciphertalk.core.store.memory.InMemoryLocalStore;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Deliveries are processed in batches, one store transaction each, and acknowledged only after
 * that transaction committed: a crash (or a failing commit) between storing and acknowledging
 * loses nothing, because the server still has everything unacknowledged.
 */
class InboundBatcherTest {
  /** An in-memory store whose transactions can be made to fail at the commit, and are logged. */
  static final class CommitLoggingStore implements LocalStore {
    final LocalStore inner = InMemoryLocalStore.create(Clock.systemUTC());
    final List<String> log = new ArrayList<>();
    boolean failCommits;

    @Override
    public void inTransaction(Runnable work) {
      log.add("begin");
      work.run();
      if (failCommits) {
        log.add("rollback");
        throw new StoreException("disk full");
      }
      log.add("commit");
    }

    @Override public IdentityStore identities() { return inner.identities(); }
    @Override public io.ciphertalk.core.store.AccountKeyStore accountKeys() { return inner.accountKeys(); }
    @Override public SessionStore sessions() { return inner.sessions(); }
    @Override public PreKeyStore preKeys() { return inner.preKeys(); }
    @Override public SenderKeyStore senderKeys() { return inner.senderKeys(); }
    @Override public MessageStore messages() { return inner.messages(); }
    @Override public OutboxStore outbox() { return inner.outbox(); }
    @Override public HeldEnvelopeStore held() { return inner.held(); }
    @Override public AccountStore account() { return inner.account(); }
    @Override public RoomStore rooms() { return inner.rooms(); }
    @Override public io.ciphertalk.core.store.AppDataStore appData() { return inner.appData(); }
    @Override public SeenStore seen() { return inner.seen(); }
    @Override public UnreadStore unread() { return inner.unread(); }
    @Override public void close() { inner.close(); }
  }

  final CommitLoggingStore store = new CommitLoggingStore();
  final Queue<Runnable> engine = new ArrayDeque<>();
  final List<RuntimeException> failures = new ArrayList<>();
  int afterBatches;
  final InboundBatcher batcher = new InboundBatcher(engine::add, new StoreLocalData(store),
      () -> store.log.add("begin of batch"), () -> store.log.add("end of batch"),
      () -> afterBatches++, failures::add);

  void runEngine() {
    for (Runnable r; (r = engine.poll()) != null; ) {
      r.run();
    }
  }

  Consumer<Runnable> handled(String name) {
    return done -> {
      store.log.add("handle " + name);
      done.run();
    };
  }

  Runnable ack(String name) {
    return () -> store.log.add("ack " + name);
  }

  @Test
  void aBatch_isOneTransaction_andItsAcksFollowTheCommit() {
    batcher.submit(handled("a"), ack("a"));
    batcher.submit(handled("b"), ack("b"));
    assertThat(engine).as("one engine task for everything queued").hasSize(1);
    runEngine();
    assertThat(store.log).containsExactly("begin", "begin of batch", "handle a", "handle b",
        "end of batch", "commit", "ack a", "ack b");
    assertThat(afterBatches).isEqualTo(1);
  }

  @Test
  void aFailingCommit_acknowledgesNothing_andReportsTheFailure() {
    store.failCommits = true;
    batcher.submit(handled("a"), ack("a"));
    runEngine();
    assertThat(store.log).containsExactly("begin", "begin of batch", "handle a", "end of batch",
        "rollback");
    assertThat(failures).hasSize(1).first().isInstanceOf(StoreException.class);
    assertThat(afterBatches).isZero();
  }

  @Test
  void aDeliveryWhoseHandlerThrows_isDroppedAndAcknowledged_withoutHoldingUpTheOthers() {
    batcher.submit(done -> {
      throw new IllegalStateException("poison");
    }, ack("poison"));
    batcher.submit(handled("next"), ack("next"));
    runEngine();
    assertThat(store.log).containsExactly("begin", "begin of batch", "handle next", "end of batch",
        "commit", "ack poison", "ack next");
    assertThat(failures).isEmpty();
  }

  @Test
  void moreThanOneBatchQueued_isSplitIntoBoundedTransactions() {
    int n = InboundBatcher.MAX_BATCH + 3;
    for (int i = 0; i < n; i++) {
      batcher.submit(done -> done.run(), () -> { });
    }
    runEngine();
    assertThat(store.log).containsExactly("begin", "begin of batch", "end of batch", "commit",
        "begin", "begin of batch", "end of batch", "commit");
    assertThat(afterBatches).isEqualTo(2);
  }
}
