package io.ciphertalk.client;

/**
 * Counters of one client since it was built, for monitoring and for a "messages lost" notice.
 * Immutable.
 *
 * @param delivered messages and control messages decrypted and handled
 * @param duplicates redeliveries recognised and dropped
 * @param undecryptable messages that could not be decrypted and were dropped (each also raised a
 *     {@link ChatEvent.MessageUndecryptable})
 * @param heldGroupMessages group messages waiting for their sender's key
 * @param outbox entries waiting in the outbox
 * @param sent messages and control messages the server answered as stored
 */
public record ClientStats(long delivered, long duplicates, long undecryptable,
    int heldGroupMessages, int outbox, long sent) {}
