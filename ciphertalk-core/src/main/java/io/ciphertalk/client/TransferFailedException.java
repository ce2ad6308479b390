package io.ciphertalk.client;

import java.util.Objects;

/**
 * An attachment upload ({@link Room#sendFile}) or download ({@link CipherTalkClient#download})
 * gave up: the connection to the server broke (or the server answered with a transient error)
 * {@link #attempts()} times in a row without the transfer moving forward. An upload gave up sends
 * no message; a download gave up leaves no file. The bytes the server already holds are kept
 * until its orphan timeout, but a new call starts a new transfer. The last failure is the
 * {@link #getCause() cause}.
 *
 * <p>Not thrown for a refusal (quota, size, membership: {@link RequestFailedException}), for
 * ciphertext that does not verify ({@link io.ciphertalk.crypto.attachment.AttachmentIntegrityException})
 * or for a cancellation.
 */
public final class TransferFailedException extends CipherTalkException {
  private static final long serialVersionUID = 1L;

  /** Which way the bytes were going. */
  public enum Direction {
    UPLOAD,
    DOWNLOAD
  }

  private final Direction direction;
  private final String blobId;
  private final long position;
  private final int attempts;

  public TransferFailedException(Direction direction, String blobId, long position, int attempts, Throwable cause) {
    super((direction == Direction.UPLOAD ? "upload" : "download") + " of blob " + blobId + " gave up at byte "
        + position + " after " + attempts + " failed attempts in a row", cause);
    this.direction = Objects.requireNonNull(direction, "direction");
    this.blobId = Objects.requireNonNull(blobId, "blobId");
    this.position = position;
    this.attempts = attempts;
  }

  /** Upload or download. */
  public Direction direction() {
    return direction;
  }

  /** The blob on the server. */
  public String blobId() {
    return blobId;
  }

  /**
   * Ciphertext bytes that got through: for an upload, the server's committed offset as last
   * known; for a download, the bytes received (of which only verified chunks were handed out).
   */
  public long position() {
    return position;
  }

  /** Failed attempts in a row, the last of which made it give up. */
  public int attempts() {
    return attempts;
  }
}
