// Typed errors of the CipherTalk JavaScript client. Every failure a caller must handle has its own
// class carrying what recovery needs; they share one root, CipherTalkError, so an application can
// tell them from programming errors (TypeError, RangeError for misuse).

/** Root of every CipherTalk error. `code` is a stable, machine-readable name. */
export class CipherTalkError extends Error {
  /** @param {string} code @param {string} message @param {object} [options] */
  constructor(code, message, options) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A 1:1 or group message that does not authenticate: altered ciphertext, header or associated data,
 * a wrong key, a bad signature, or bytes that do not parse. The session state is unchanged.
 */
export class InvalidMessageError extends CipherTalkError {
  constructor(message, options) {
    super('invalid_message', message, options);
  }
}

/** A message whose key was already used (a replay, or a key evicted from the skipped keys). */
export class DuplicateMessageError extends CipherTalkError {
  /** @param {string} message @param {Uint8Array} messageId the 16-byte id from the header */
  constructor(message, messageId) {
    super('duplicate_message', message);
    this.messageId = messageId;
  }
}

/** A message further ahead in its chain than MAX_SKIP: refused, nothing changed. */
export class TooManySkippedMessagesError extends CipherTalkError {
  constructor(message) {
    super('too_many_skipped', message);
  }
}

/** No session or sender key can read this message (e.g. a group message before its sender key). */
export class NoSessionError extends CipherTalkError {
  constructor(message) {
    super('no_session', message);
  }
}

/**
 * A device whose certificate does not verify, names another identity key or another account key
 * than the one pinned for its user. `userId`/`deviceId` name the device.
 */
export class UntrustedDeviceError extends CipherTalkError {
  /** @param {string} message @param {{userId: string, deviceId: number}} address @param {{revoked?: boolean}} [details] */
  constructor(message, address, details = {}) {
    super('untrusted_device', message);
    this.address = address;
    /** True when a verified revocation of the device's account removed it. */
    this.revoked = details.revoked === true;
  }
}

/** A stored value that does not decode (corrupt or from an unknown format version). */
export class InvalidStateError extends CipherTalkError {
  constructor(message, options) {
    super('invalid_state', message, options);
  }
}

/**
 * The server answered a request with an `error` frame or a REST error status. `code` is the
 * server's code (e.g. `STALE_DEVICES`, `RATE_LIMITED`, `AUTH_FAILED`, or for REST the JSON
 * `error` field), `retryAfterMs`, `missingDevices` and `extraDevices` are copied when given.
 */
export class RequestFailedError extends CipherTalkError {
  constructor(code, message, details = {}) {
    super(code, message);
    this.retryAfterMs = details.retryAfterMs;
    this.missingDevices = details.missingDevices ?? [];
    this.extraDevices = details.extraDevices ?? [];
    this.status = details.status;
  }
}

/** The connection is closed or was never opened; `closeCode` is the WebSocket close code if any. */
export class ConnectionClosedError extends CipherTalkError {
  constructor(message, closeCode) {
    super('connection_closed', message);
    this.closeCode = closeCode;
  }
}

/** A request got no answer in time. */
export class TimeoutError extends CipherTalkError {
  constructor(message) {
    super('timeout', message);
  }
}

/**
 * A mistyped, damaged or foreign linking code, a device id already in use, or a linking envelope
 * that does not open or carries another account's key (InvalidLinkException in Java).
 */
export class InvalidLinkError extends CipherTalkError {
  constructor(message) {
    super('invalid_link', message);
  }
}

/**
 * An attachment's ciphertext that does not verify (docs/protocol.md "Attachments", decryption
 * rules; AttachmentIntegrityException in Java). `reason` says what was found: `BAD_HEADER`,
 * `TAMPERED` (a chunk's tag fails: altered, reordered, from another file, or the wrong key),
 * `TRUNCATED` (it ends before its final chunk, or the server sent fewer bytes than the message
 * says), `EXTENDED` (bytes after the final chunk), `DIGEST_MISMATCH` (every chunk verified but the
 * SHA-256 of the ciphertext is not the message's), `SIZE_MISMATCH` (the plaintext is not the
 * size the message says), `TOO_LONG` (more chunks than the format allows). `chunkIndex` is the
 * chunk at fault (-1 for the header). No plaintext is handed out with it.
 */
export class AttachmentIntegrityError extends CipherTalkError {
  /** @param {string} reason @param {number} chunkIndex @param {string} message */
  constructor(reason, chunkIndex, message) {
    super('attachment_integrity', message);
    this.reason = reason;
    this.chunkIndex = chunkIndex;
  }
}

/** An attachment larger than the caller's `maxBytes` (it would be held in memory): nothing was fetched. */
export class AttachmentTooLargeError extends CipherTalkError {
  /** @param {number} size ciphertext bytes @param {number} limit */
  constructor(size, limit) {
    super('attachment_too_large', `the attachment has ${size} bytes of ciphertext, more than the limit of ${limit}`);
    this.size = size;
    this.limit = limit;
  }
}
