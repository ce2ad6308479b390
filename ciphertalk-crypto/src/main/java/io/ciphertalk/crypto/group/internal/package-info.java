/**
 * Machinery behind {@link io.ciphertalk.crypto.group}: the byte codec, the sender-key chain
 * derivations and the mutable per-room state. Not exported by the module; may change at any time.
 */
package io.ciphertalk.crypto.group.internal;
