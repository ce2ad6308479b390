package io.ciphertalk.client;

import io.ciphertalk.client.internal.ClientEngine;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.attachment.AttachmentCipher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/** {@link Room#sendFile}: checks, thumbnail, upload, then the file message. Stateless. */
final class FileSender {
  private final ClientEngine engine;
  private final AttachmentTransfers transfers;
  private final RandomSource random;
  private final Clock clock;

  FileSender(ClientEngine engine, AttachmentTransfers transfers, RandomSource random, Clock clock) {
    this.engine = engine;
    this.transfers = transfers;
    this.random = random;
    this.clock = clock;
  }

  Message send(String roomId, Path file, String name, String mimeType, FileOptions options) throws IOException {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("not a regular file: " + file.getFileName());
    }
    long size = Files.size(file);
    return send(roomId, () -> Files.newInputStream(file), size, name, mimeType, options);
  }

  Message send(String roomId, InputStream content, String name, String mimeType, FileOptions options)
      throws IOException {
    Objects.requireNonNull(content, "content");
    checkArguments(roomId, name, mimeType, options);
    // Spool under a throwaway key: the upload can then re-read (and resume) without keeping
    // plaintext anywhere but memory, a chunk at a time.
    Path spool = Files.createTempFile("ciphertalk-", ".spool");
    SecretBytes spoolKey = AttachmentCipher.newKey(random);
    try {
      AttachmentCipher.Result r;
      try (OutputStream out = Files.newOutputStream(spool)) {
        r = AttachmentCipher.encrypt(content, out, spoolKey, AttachmentCipher.DEFAULT_CHUNK_SIZE, random);
      }
      byte[] digest = r.digest();
      return send(roomId, () -> AttachmentCipher.decrypting(Files.newInputStream(spool), spoolKey, digest),
          r.plaintextLength(), name, mimeType, options);
    } finally {
      spoolKey.wipe();
      Files.deleteIfExists(spool);
    }
  }

  private void checkArguments(String roomId, String name, String mimeType, FileOptions options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mimeType, "mimeType");
    Objects.requireNonNull(options, "options");
    if (name.isBlank() || name.length() > Attachment.MAX_NAME_CHARS || name.contains("/") || name.contains("\\")) {
      throw new IllegalArgumentException("name must be 1 to " + Attachment.MAX_NAME_CHARS
          + " characters without a path separator");
    }
    if (!mimeType.matches("[A-Za-z0-9!#$&^_.+-]{1,127}/[A-Za-z0-9!#$&^_.+-]{1,127}")) {
      throw new IllegalArgumentException("mimeType must look like type/subtype: " + mimeType);
    }
    engine.checkRoom(roomId);
  }

  private Message send(String roomId, AttachmentTransfers.Plaintext plaintext, long size, String name,
      String mimeType, FileOptions options) throws IOException {
    checkArguments(roomId, name, mimeType, options);
    String mime = mimeType.toLowerCase(Locale.ROOT);
    byte[] thumbnail = null;
    if (options.thumbnail() && mime.startsWith("image/") && size <= Thumbnails.MAX_SOURCE_BYTES) {
      try (InputStream in = plaintext.open()) {
        thumbnail = Thumbnails.of(in);
      }
    }
    MessageId id = engine.newMessageId();
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Instant expires = options.sendOptions().expiresAfter().map(now::plus).orElse(null);
    Attachment a = transfers.upload(roomId, id, expires == null ? null : expires.toEpochMilli(), plaintext, size,
        name, mime, thumbnail, options.listener().orElse(null), options.transfer().orElse(null));
    return engine.sendFile(roomId, id, name, a.encode(), options.sendOptions(), expires);
  }
}
