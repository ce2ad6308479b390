// CipherTalk protocol core and wire client for browsers and Node 20 (ES modules, no bundler).
export * from './bytes.js';
export * from './primitives.js';
export * from './session.js';
export * from './group.js';
export * from './account.js';
export * from './errors.js';
export * from './store.js';
export { decodeContent, encodeContent, privateRoomId } from './formats.js';
export * from './client.js';
export { LinkingRequest, RevocationBook } from './linking.js';
export { Outbox, backoffDelay, isTransient } from './outbox.js';
export { MAX_RECEIPT_IDS, TYPING_TTL_MS } from './messages.js';
export * from './idb-store.js';
export * from './account-backup.js';
export {
  Attachment, ciphertextLength, decryptAttachment, downloadAttachment, encryptAttachment, DEFAULT_CHUNK_SIZE,
} from './attachments.js';
