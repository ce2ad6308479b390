/**
 * The CipherTalk wire protocol, version 1: {@link io.ciphertalk.core.wire.Frame} (one record per
 * frame type), {@link io.ciphertalk.core.wire.WireCodec} (strict JSON encode/decode),
 * {@link io.ciphertalk.core.wire.ErrorCode} and {@link io.ciphertalk.core.wire.WireException}.
 * Shared by the server and the client SDK. Normative description: {@code docs/protocol.md},
 * section "Wire".
 */
package io.ciphertalk.core.wire;
