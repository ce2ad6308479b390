package io.ciphertalk.core.store;

/**
 * The rows of the store whose rollback matters (the trust table of pinned identities, the pinned
 * account keys and this device's own keys, and the group sender-key state) are not the ones this
 * store last wrote: a row was replaced by an older copy of itself or by another row's value,
 * deleted, or inserted behind the store's back. Thrown by {@code JdbiLocalStore.Builder.open()};
 * the store is not opened, since using it could pin a replaced identity again or reuse group keys.
 *
 * <p>A rollback of the whole store file (or of every protected row together with the store's
 * digest of them) cannot be detected from inside the file; docs/threat-model.md says what is and
 * is not detected.
 */
public final class StoreRollbackException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreRollbackException(String message) {
    super(message);
  }
}
