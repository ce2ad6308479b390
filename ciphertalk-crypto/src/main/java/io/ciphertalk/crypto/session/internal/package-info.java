/**
 * Machinery behind {@code io.ciphertalk.crypto.session}: byte codecs, KDF labels and the ratchet
 * state. Not exported from the module; may change at any time.
 */
package io.ciphertalk.crypto.session.internal;
