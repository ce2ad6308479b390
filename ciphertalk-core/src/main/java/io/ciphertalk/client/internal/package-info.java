/**
 * Machinery of the client SDK: the engine, event dispatch, timers, outbox, codecs and the seams to
 * the server link and the end-to-end crypto. Not exported; may change at any time.
 */
package io.ciphertalk.client.internal;
