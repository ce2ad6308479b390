package io.ciphertalk.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Where the server keeps attachment ciphertext (opaque bytes, encrypted by the clients; the server
 * never has a key). The default keeps files under {@code <data directory>/blobs}
 * ({@link #fileSystem}); an operator who wants S3-compatible object storage implements this
 * interface and hands it to {@link CipherTalkServer.Builder#blobStore}. Blob metadata (owner, room,
 * size, references) stays in the server's database; a store holds bytes only.
 *
 * <p>An upload arrives as appends at increasing offsets (one per REST {@code PUT}), possibly across
 * reconnects, then is {@linkplain #commit committed}; only committed blobs are read. The server
 * serialises calls for one blob id (never two appends for one id at once), so implementations need
 * thread-safety across ids only. A mapping to S3: each append is one part of a multipart upload
 * (clients send parts of at least 5 MiB except the last, see docs/server-guide.md), {@code commit}
 * completes it, {@code open} is a ranged {@code GetObject}, {@code delete} aborts or deletes.
 *
 * <p>Blob ids are 32 lower-case hex characters chosen by the server.
 */
public interface BlobStore {

  /**
   * Stores the bytes of {@code data} (read to its end) at {@code offset} of the unfinished blob
   * {@code id}, discarding anything previously stored at or after {@code offset} (an earlier append
   * the server did not record, e.g. because it crashed). {@code offset} 0 starts the blob. Returns
   * when the bytes are durable.
   *
   * @return the number of bytes stored
   */
  long append(String id, long offset, InputStream data) throws IOException;

  /** Marks the unfinished blob {@code id} of {@code size} bytes complete; it is then readable. */
  void commit(String id, long size) throws IOException;

  /** Reads {@code length} bytes of the committed blob {@code id} from {@code offset}. */
  InputStream open(String id, long offset, long length) throws IOException;

  /** Deletes the blob, finished or not; does nothing if it does not exist. */
  void delete(String id) throws IOException;

  /**
   * A store in the directory {@code dir} (created when first needed): {@code <id>.part} while
   * uploading, {@code <id>} once committed (renamed atomically).
   */
  static BlobStore fileSystem(Path dir) {
    return new io.ciphertalk.server.internal.blobs.FileSystemBlobStore(dir);
  }
}
