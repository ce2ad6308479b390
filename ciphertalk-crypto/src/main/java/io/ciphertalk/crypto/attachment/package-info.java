/**
 * Encrypted attachments: a streaming, chunked AES-256-GCM format (docs/protocol.md,
 * "Attachments") for files of any size in memory bounded by the chunk size.
 * {@link io.ciphertalk.crypto.attachment.AttachmentCipher} is the front door.
 */
package io.ciphertalk.crypto.attachment;
