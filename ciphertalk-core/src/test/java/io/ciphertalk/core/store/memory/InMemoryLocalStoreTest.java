package io.ciphertalk.core.store.memory;

import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.LocalStoreContractTest;
import io.ciphertalk.core.store.MutableClock;

class InMemoryLocalStoreTest extends LocalStoreContractTest {
  @Override
  protected LocalStore newStore(MutableClock clock) {
    return InMemoryLocalStore.create(clock);
  }
}
