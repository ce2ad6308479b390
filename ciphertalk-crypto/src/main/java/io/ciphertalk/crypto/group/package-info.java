/**
 * End-to-end encryption for group rooms with Sender Keys and membership epochs. Start at {@link
 * io.ciphertalk.crypto.group.GroupSession}; the wire types are {@link
 * io.ciphertalk.crypto.group.GroupMessage} (sent once to the room) and {@link
 * io.ciphertalk.crypto.group.SenderKeyDistributionMessage} (sent to each member device over its
 * pairwise 1:1 session). The normative format is docs/protocol.md, "Groups (Sender Keys)".
 */
package io.ciphertalk.crypto.group;
