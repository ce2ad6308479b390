/**
 * The model shared by the wire codec, the plaintext content format and the local store: messages
 * as stored, receipts, typing states, rooms, members and roles, plus
 * {@link io.ciphertalk.core.model.MessageId}. An app using the client SDK sees its own API types
 * ({@code io.ciphertalk.client.Message}, {@code Presence}, {@code Contact}) and only the shared
 * values from here (message ids, roles, room kinds).
 */
package io.ciphertalk.core.model;
