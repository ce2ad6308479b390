package io.ciphertalk.core.store;

import java.util.Optional;

/**
 * The account (user, device, token) of this client. Thread-safe; arguments must not be null.
 * Failures are {@link StoreException}s.
 */
public interface AccountStore {

  /** The saved account, if any. */
  Optional<Account> account();

  /** Saves (or replaces) the account. */
  void saveAccount(Account account);

  /** Forgets the account (logout); true if there was one. */
  boolean clearAccount();
}
