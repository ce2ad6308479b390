package io.ciphertalk.core.wire;

import java.util.Objects;

/**
 * A frame could not be decoded. Carries the {@link ErrorCode} to send back, the field that was
 * wrong (a path such as {@code recipients[2].ciphertext}, or null when the problem is not one
 * field), and the frame id if it had been read before the problem was found, so the server can
 * answer with an {@code error} frame correlated to the request.
 *
 * <p>The message names the problem but never repeats field contents (they may be tokens or
 * ciphertext). Immutable.
 */
public final class WireException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String field;
  private final String frameId;

  /** A decoding failure with {@code code}, optionally naming {@code field} and {@code frameId}. */
  public WireException(ErrorCode code, String field, String frameId, String message) {
    super(describe(code, field, message));
    this.code = Objects.requireNonNull(code, "code");
    this.field = field;
    this.frameId = frameId;
  }

  private static String describe(ErrorCode code, String field, String message) {
    StringBuilder sb = new StringBuilder(code.name());
    if (field != null) {
      sb.append(" at '").append(field).append('\'');
    }
    if (message != null && !message.isEmpty()) {
      sb.append(": ").append(message);
    }
    return sb.toString();
  }

  /** What went wrong. */
  public ErrorCode code() {
    return code;
  }

  /** The offending field path, or null. */
  public String field() {
    return field;
  }

  /** The frame id if it was read before the failure, else null. */
  public String frameId() {
    return frameId;
  }

  /** The {@code error} frame to answer with (id {@code "0"} when the frame id is unknown). */
  public Frame.ErrorReply toReply() {
    String msg = getMessage();
    if (msg.length() > Limits.MAX_MESSAGE_CHARS) {
      msg = msg.substring(0, Limits.MAX_MESSAGE_CHARS);
    }
    return Frame.ErrorReply.of(frameId == null ? "0" : frameId, code, msg);
  }
}
