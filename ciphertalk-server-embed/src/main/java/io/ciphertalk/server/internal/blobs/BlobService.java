package io.ciphertalk.server.internal.blobs;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.server.BlobStore;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.store.Database;
import io.ciphertalk.server.internal.store.Rooms;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypted attachment blobs (docs/protocol.md, "Blob store (REST)"): creation bound to a room,
 * resumable appends, completion, reads by room members, references by message, and the sweep that
 * deletes blobs no message refers to any more and uploads abandoned for longer than the orphan
 * timeout. Bytes go to the {@link BlobStore}; metadata to the database. Thread-safe: calls for one
 * blob id are serialised here.
 */
public final class BlobService {
  private static final Logger LOG = LoggerFactory.getLogger(BlobService.class);

  /**
   * @param maxBlobBytes largest blob (ciphertext bytes)
   * @param quotaBytes bytes one user's blobs (unfinished ones at their declared size) may occupy
   * @param maxPartBytes largest body of one append
   * @param orphanTimeoutMillis an unfinished upload untouched this long is deleted
   * @param retentionMillis a reference older than this ends (its message left the server's history)
   */
  public record Limits(long maxBlobBytes, long quotaBytes, long maxPartBytes, long orphanTimeoutMillis,
      long retentionMillis) {}

  /** A blob's row. */
  public record Blob(String id, String owner, String roomId, long size, long received, boolean complete,
      long createdAt, long updatedAt) {}

  private final Database db;
  private final BlobStore store;
  private final Clock clock;
  private final RandomSource random;
  private final Limits limits;
  /** Blob ids with a call in progress: calls for one id never overlap (the store relies on it). */
  private final java.util.Set<String> busy = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public BlobService(Database db, BlobStore store, Clock clock, RandomSource random, Limits limits) {
    this.db = Objects.requireNonNull(db);
    this.store = Objects.requireNonNull(store);
    this.clock = Objects.requireNonNull(clock);
    this.random = Objects.requireNonNull(random);
    this.limits = Objects.requireNonNull(limits);
  }

  public Limits limits() {
    return limits;
  }

  /**
   * Creates an empty blob of {@code size} bytes in {@code roomId}, referred to by the message
   * {@code messageId} (which self-destructs at {@code expiresAt}, or null).
   */
  public Blob create(String user, String roomId, long size, String messageId, Long expiresAt) {
    if (size < 1) {
      throw new ServiceException("invalid_field", 400, "size must be positive");
    }
    if (size > limits.maxBlobBytes()) {
      throw new ServiceException("blob_too_large", 413,
          "size " + size + " is over this server's maximum of " + limits.maxBlobBytes() + " bytes");
    }
    long now = clock.millis();
    String id = HexFormat.of().formatHex(random.bytes(16));
    return db.inTransaction(h -> {
      if (Rooms.member(h, roomId, user).isEmpty()) {
        throw ServiceException.forbidden("not_member", "you are not a member of this room");
      }
      long used = h.createQuery("SELECT COALESCE(SUM(size), 0) FROM blobs WHERE owner_id = ?")
          .bind(0, user).mapTo(Long.class).one();
      if (used + size > limits.quotaBytes()) {
        throw ServiceException.forbidden("quota_exceeded", "your attachments would take " + (used + size)
            + " bytes; your quota is " + limits.quotaBytes() + " bytes (" + used + " in use)");
      }
      h.execute("INSERT INTO blobs (blob_id, owner_id, room_id, size, received, complete, created_at, updated_at)"
          + " VALUES (?, ?, ?, ?, 0, FALSE, ?, ?)", id, user, roomId, size, now, now);
      insertRef(h, id, messageId, user, expiresAt, now);
      return new Blob(id, user, roomId, size, 0, false, now, now);
    });
  }

  private static void insertRef(Handle h, String id, String messageId, String user, Long expiresAt, long now) {
    h.createUpdate("INSERT INTO blob_refs (blob_id, message_id, added_by, expires_at, created_at)"
            + " VALUES (?, ?, ?, ?, ?)")
        .bind(0, id).bind(1, messageId).bind(2, user).bind(3, expiresAt).bind(4, now).execute();
  }

  private static Optional<Blob> find(Handle h, String id) {
    return h.createQuery("SELECT blob_id, owner_id, room_id, size, received, complete, created_at, updated_at"
            + " FROM blobs WHERE blob_id = ?")
        .bind(0, id)
        .map((rs, ctx) -> new Blob(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
            rs.getLong(5), rs.getBoolean(6), rs.getLong(7), rs.getLong(8)))
        .findOne();
  }

  private Blob owned(String user, String id) {
    return db.withHandle(h -> find(h, id)).filter(b -> b.owner().equals(user))
        .orElseThrow(() -> ServiceException.notFound("no such upload"));
  }

  /** The upload state of one of {@code user}'s blobs (404 for anyone else's). */
  public Blob status(String user, String id) {
    return owned(user, id);
  }

  /**
   * Appends {@code length} bytes read from {@code body} at {@code offset}, which must be what the
   * server has received so far ({@code offset_mismatch} otherwise, naming the current offset).
   *
   * @return the new received offset
   */
  public long append(String user, String id, long offset, long length, InputStream body) throws IOException {
    if (length > limits.maxPartBytes()) {
      throw new ServiceException("payload_too_large", 413, "a part may hold at most " + limits.maxPartBytes() + " bytes");
    }
    claim(id);
    try {
      Blob b = owned(user, id);
      if (b.complete()) {
        throw new ServiceException("upload_complete", 409, "this blob is already complete");
      }
      if (offset != b.received()) {
        throw new ServiceException("offset_mismatch", 409, "the server holds " + b.received() + " bytes of this blob");
      }
      if (offset + length > b.size()) {
        throw new ServiceException("blob_too_large", 413, "the part ends past the declared size of " + b.size() + " bytes");
      }
      LimitedInputStream in = new LimitedInputStream(body, length);
      long n = store.append(id, offset, in);
      if (n != length) {
        // The body ended early (client gone): nothing is recorded, the next append overwrites it.
        throw new ServiceException("incomplete_body", 400, "the body ended after " + n + " of " + length + " bytes");
      }
      long now = clock.millis();
      db.useHandle(h -> h.execute("UPDATE blobs SET received = ?, updated_at = ? WHERE blob_id = ?",
          offset + n, now, id));
      return offset + n;
    } finally {
      busy.remove(id);
    }
  }

  /** Claims {@code id} for one request; a second concurrent request for it is refused. */
  private void claim(String id) {
    if (!busy.add(id)) {
      throw new ServiceException("upload_busy", 409, "another request for this blob is in progress");
    }
  }

  /** Completes an upload whose every byte has arrived; the blob is then readable by the room. */
  public Blob finish(String user, String id) throws IOException {
    claim(id);
    try {
      Blob b = owned(user, id);
      if (b.complete()) {
        return b;
      }
      if (b.received() != b.size()) {
        throw new ServiceException("incomplete_upload", 409, "the server holds " + b.received() + " of "
            + b.size() + " bytes");
      }
      store.commit(id, b.size());
      long now = clock.millis();
      db.useHandle(h -> h.execute("UPDATE blobs SET complete = TRUE, updated_at = ? WHERE blob_id = ?", now, id));
      return new Blob(b.id(), b.owner(), b.roomId(), b.size(), b.received(), true, b.createdAt(), now);
    } finally {
      busy.remove(id);
    }
  }

  /**
   * A complete blob {@code user} may read: a current member of its room. Anything else, including
   * a blob of a room {@code user} is not in, is {@code not_found}, so its existence is not revealed.
   */
  public Blob readable(String user, String id) {
    return db.withHandle(h -> find(h, id)
        .filter(Blob::complete)
        .filter(b -> Rooms.member(h, b.roomId(), user).isPresent()))
        .orElseThrow(() -> ServiceException.notFound("no such blob"));
  }

  /** Opens bytes of a blob returned by {@link #readable}. */
  public InputStream open(Blob b, long offset, long length) throws IOException {
    return store.open(b.id(), offset, length);
  }

  /** Another message (forwarded in the same room) refers to the blob. */
  public void addReference(String user, String id, String messageId, Long expiresAt) {
    Blob b = readable(user, id);
    long now = clock.millis();
    db.useTransaction(h -> {
      boolean exists = h.createQuery("SELECT COUNT(*) FROM blob_refs WHERE blob_id = ? AND message_id = ?")
          .bind(0, b.id()).bind(1, messageId).mapTo(Integer.class).one() > 0;
      if (!exists) {
        insertRef(h, b.id(), messageId, user, expiresAt, now);
      }
    });
  }

  /**
   * The message {@code messageId} was deleted for everyone by its sender {@code user}: the reference
   * ends, and the blob is deleted at once if it was the last. Only the user who added a reference
   * may end it ({@code not_found} otherwise).
   */
  public void dropReference(String user, String id, String messageId) throws IOException {
    int n = db.withHandle(h -> h.createUpdate("DELETE FROM blob_refs WHERE blob_id = ? AND message_id = ? AND added_by = ?")
        .bind(0, id).bind(1, messageId).bind(2, user).execute());
    if (n == 0) {
      throw ServiceException.notFound("no such reference");
    }
    deleteUnreferenced(List.of(id));
  }

  /** Counts from one {@link #sweep}. */
  public record Swept(int references, int blobs, int orphans) {}

  /**
   * Ends references whose message expired or left the history, then deletes complete blobs with no
   * reference left and unfinished uploads untouched for the orphan timeout (times from the clock).
   */
  public Swept sweep() {
    long now = clock.millis();
    int refs = db.withHandle(h -> h.createUpdate(
            "DELETE FROM blob_refs WHERE (expires_at IS NOT NULL AND expires_at <= ?) OR created_at < ?")
        .bind(0, now).bind(1, limits.retentionMillis() > 0 ? now - limits.retentionMillis() : Long.MIN_VALUE)
        .execute());
    List<String> unreferenced = db.withHandle(h -> h.createQuery("SELECT blob_id FROM blobs b WHERE complete = TRUE"
        + " AND NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.blob_id = b.blob_id)").mapTo(String.class).list());
    int blobs = deleteUnreferenced(unreferenced);
    List<String> orphans = db.withHandle(h -> h.createQuery(
            "SELECT blob_id FROM blobs WHERE complete = FALSE AND updated_at <= ?")
        .bind(0, now - limits.orphanTimeoutMillis()).mapTo(String.class).list());
    int orphaned = 0;
    for (String id : orphans) {
      if (!busy.add(id)) {
        continue;
      }
      try {
        if (deleteBlob(id, "complete = FALSE AND updated_at <= " + (now - limits.orphanTimeoutMillis()))) {
          orphaned++;
        }
      } finally {
        busy.remove(id);
      }
    }
    if (refs + blobs + orphaned > 0) {
      LOG.debug("blob sweep: {} references ended, {} blobs and {} abandoned uploads deleted", refs, blobs, orphaned);
    }
    return new Swept(refs, blobs, orphaned);
  }

  private int deleteUnreferenced(List<String> ids) throws RuntimeException {
    int n = 0;
    for (String id : ids) {
      if (!busy.add(id)) {
        continue;
      }
      try {
        if (deleteBlob(id, "complete = TRUE AND NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.blob_id = blobs.blob_id)")) {
          n++;
        }
      } finally {
        busy.remove(id);
      }
    }
    return n;
  }

  /** Deletes the row if {@code condition} still holds, then the bytes; true if it deleted. */
  private boolean deleteBlob(String id, String condition) {
    int rows = db.withHandle(h -> h.createUpdate("DELETE FROM blobs WHERE blob_id = ? AND " + condition)
        .bind(0, id).execute());
    if (rows == 0) {
      return false;
    }
    try {
      store.delete(id);
    } catch (IOException e) {
      LOG.warn("blob {} removed from the database but its bytes could not be deleted: {}", id, e.toString());
    }
    return true;
  }

  /** Reads at most {@code limit} bytes of a request body. */
  static final class LimitedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    LimitedInputStream(InputStream in, long limit) {
      this.in = in;
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
