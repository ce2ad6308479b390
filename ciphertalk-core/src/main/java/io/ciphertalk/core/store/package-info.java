/**
 * Local store SPIs of the client: identity, sessions, prekeys, sender keys, message history and
 * the outbox, bundled as {@link io.ciphertalk.core.store.LocalStore}. Implementations: {@code
 * .memory} (for tests and ephemeral clients) and {@code .jdbi} (H2 file database, encrypted at
 * rest).
 */
package io.ciphertalk.core.store;
