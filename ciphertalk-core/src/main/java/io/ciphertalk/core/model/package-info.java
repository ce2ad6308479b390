/**
 * The message model the app sees: immutable records for messages, receipts, typing and presence
 * states, rooms and contacts, plus {@link io.ciphertalk.core.model.MessageId}.
 */
package io.ciphertalk.core.model;
