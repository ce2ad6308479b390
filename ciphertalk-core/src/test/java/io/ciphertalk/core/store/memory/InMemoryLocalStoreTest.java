package io.ciphertalk.core.store.memory;

import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.LocalStoreContractTest;
import io.ciphertalk.core.store.MutableClock;

class InMemoryLocalStoreTest extends LocalStoreContractTest {
  @Override
  protected LocalStore newStore(MutableClock clock) {
    return InMemoryLocalStore.create(clock);
  }

  /** Each call of the in-memory store is atomic on its own; a unit of several is not undone. */
  @Override
  protected boolean rollsBack() {
    return false;
  }
}
