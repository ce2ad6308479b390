package io.ciphertalk.core.store;

/**
 * Everything a client keeps on its device, as one object the client builder takes: in memory
 * ({@code io.ciphertalk.core.store.memory.InMemoryLocalStore}) or encrypted on disk
 * ({@code io.ciphertalk.core.store.jdbi.JdbiLocalStore}). Thread-safe. After {@link #close()}
 * every store throws {@link IllegalStateException}.
 */
public interface LocalStore extends AutoCloseable {
  IdentityStore identities();

  AccountKeyStore accountKeys();

  SessionStore sessions();

  PreKeyStore preKeys();

  SenderKeyStore senderKeys();

  MessageStore messages();

  OutboxStore outbox();

  HeldEnvelopeStore held();

  AccountStore account();

  RoomStore rooms();

  SeenStore seen();

  UnreadStore unread();

  /**
   * Runs {@code work}, whose calls on this store from the current thread form one unit: a store
   * that can commits their writes once, when {@code work} returns, and none of them if it throws
   * (the exception is rethrown). Other threads see the writes only after the commit, and may wait
   * for rows the unit has written until then, so keep units short. A nested call joins the outer
   * unit. The client runs each batch of received messages in one unit, so a batch costs one commit
   * instead of several per message.
   *
   * <p>The default runs {@code work} directly: every call is its own unit (right for stores whose
   * calls are already cheap and atomic, like the in-memory one).
   */
  default void inTransaction(Runnable work) {
    work.run();
  }

  /** The host app's own small records ({@link AppDataStore}). */
  AppDataStore appData();

  /** Releases the store (closes the database); idempotent. */
  @Override
  void close();
}
