package io.ciphertalk.core.store;

/**
 * Everything a client keeps on its device, as one object the client builder takes: in memory
 * ({@code io.ciphertalk.core.store.memory.InMemoryLocalStore}) or encrypted on disk
 * ({@code io.ciphertalk.core.store.jdbi.JdbiLocalStore}). Thread-safe. After {@link #close()}
 * every store throws {@link IllegalStateException}.
 */
public interface LocalStore extends AutoCloseable {
  IdentityStore identities();

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

  /** Releases the store (closes the database); idempotent. */
  @Override
  void close();
}
