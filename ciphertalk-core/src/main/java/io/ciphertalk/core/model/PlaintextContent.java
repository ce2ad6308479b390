package io.ciphertalk.core.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a client encrypts: the content of a message or control message, kept apart from routing
 * metadata (which the server sees in the wire frame). Encoded with {@link #encode} and decoded
 * with {@link #decode} in a small versioned binary format, padded to a multiple of
 * {@value #PAD_BLOCK} bytes so that ciphertext sizes reveal less about the text.
 *
 * <p>Format version 1 (all integers big-endian):
 *
 * <pre>
 *   version (1 byte, = 1) | kind (1 byte) | field*
 *   field = tag (1 byte) | length (unsigned LEB128, at most 3 bytes) | value
 * </pre>
 *
 * Kinds: 1 text, 2 edit, 3 delete, 4 reaction, 5 receipt, 6 typing. Tags: 1 body (UTF-8),
 * 2 replyTo (16-byte UUID), 3 expiresAt (8-byte Unix ms), 4 target (16-byte UUID), 5 emoji
 * (UTF-8), 6 remove (1 byte 0/1), 7 status (1 byte: 0 delivered, 1 read), 8 messageIds (n x 16
 * bytes), 9 typing (1 byte 0/1), 127 padding (ignored). A reader ignores tags it does not know
 * (later minor revisions add fields that way) and decodes an unknown kind as {@link Unsupported};
 * a duplicate tag, a missing required field or another version is a
 * {@link MalformedContentException}.
 *
 * <p>All variants are immutable records; {@code toString} never prints bodies.
 */
public sealed interface PlaintextContent {

  /** Format version written. */
  int VERSION = 1;
  /** Longest text body, in chars. */
  int MAX_BODY_CHARS = 8192;
  /** Longest reaction emoji, in UTF-8 bytes. */
  int MAX_EMOJI_BYTES = 64;
  /** Most message ids in a receipt. */
  int MAX_RECEIPT_IDS = 256;
  /** Encodings are padded to a multiple of this many bytes. */
  int PAD_BLOCK = 64;
  /** Largest encoding accepted by {@link #decode}. */
  int MAX_ENCODED_BYTES = 48 * 1024;

  /**
   * A text message.
   *
   * @param body the text, at most {@value #MAX_BODY_CHARS} chars, never null
   * @param replyTo the message replied to, or null
   * @param expiresAt self-destruct time (bound into the ciphertext, so the server cannot change
   *     it), or null
   */
  record Text(String body, MessageId replyTo, Instant expiresAt) implements PlaintextContent {
    public Text {
      checkBody(body);
    }

    @Override
    public String toString() {
      return "Text[<" + body.length() + " chars>, replyTo=" + replyTo + ", expiresAt=" + expiresAt + "]";
    }
  }

  /** Replaces the body of the sender's own message {@code target}. */
  record Edit(MessageId target, String body) implements PlaintextContent {
    public Edit {
      Objects.requireNonNull(target, "target");
      checkBody(body);
    }

    @Override
    public String toString() {
      return "Edit[target=" + target + ", <" + body.length() + " chars>]";
    }
  }

  /** Deletes the sender's own message {@code target} for everyone. */
  record Delete(MessageId target) implements PlaintextContent {
    public Delete {
      Objects.requireNonNull(target, "target");
    }
  }

  /** Adds (or, with {@code remove}, takes back) an emoji reaction to {@code target}. */
  record Reaction(MessageId target, String emoji, boolean remove) implements PlaintextContent {
    public Reaction {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(emoji, "emoji");
      int n = emoji.getBytes(StandardCharsets.UTF_8).length;
      if (n == 0 || n > MAX_EMOJI_BYTES) {
        throw new IllegalArgumentException("emoji must be 1 to " + MAX_EMOJI_BYTES + " UTF-8 bytes");
      }
    }
  }

  /** An end-to-end encrypted delivery or read receipt for {@code messageIds}. */
  record ReceiptControl(ReceiptStatus status, List<MessageId> messageIds)
      implements PlaintextContent {
    public ReceiptControl {
      Objects.requireNonNull(status, "status");
      messageIds = List.copyOf(messageIds);
      if (messageIds.isEmpty() || messageIds.size() > MAX_RECEIPT_IDS) {
        throw new IllegalArgumentException("1 to " + MAX_RECEIPT_IDS + " message ids");
      }
    }
  }

  /** An end-to-end encrypted typing indicator. */
  record TypingControl(boolean typing) implements PlaintextContent {}

  /**
   * A kind this version does not know (sent by a newer client); the app should ignore it.
   *
   * @param kind the kind byte
   */
  record Unsupported(int kind) implements PlaintextContent {}

  private static void checkBody(String body) {
    Objects.requireNonNull(body, "body");
    if (body.length() > MAX_BODY_CHARS) {
      throw new IllegalArgumentException("body longer than " + MAX_BODY_CHARS + " chars");
    }
  }

  /** Encodes {@code content} (not {@link Unsupported}) in format version {@value #VERSION}. */
  static byte[] encode(PlaintextContent content) {
    Objects.requireNonNull(content, "content");
    ContentCodec.Writer w = new ContentCodec.Writer();
    if (content instanceof Text t) {
      w.start(1);
      w.utf8(1, t.body());
      if (t.replyTo() != null) {
        w.uuid(2, t.replyTo());
      }
      if (t.expiresAt() != null) {
        w.long8(3, t.expiresAt().toEpochMilli());
      }
    } else if (content instanceof Edit e) {
      w.start(2);
      w.uuid(4, e.target());
      w.utf8(1, e.body());
    } else if (content instanceof Delete d) {
      w.start(3);
      w.uuid(4, d.target());
    } else if (content instanceof Reaction r) {
      w.start(4);
      w.uuid(4, r.target());
      w.utf8(5, r.emoji());
      w.byte1(6, r.remove() ? 1 : 0);
    } else if (content instanceof ReceiptControl rc) {
      w.start(5);
      w.byte1(7, rc.status().ordinal());
      byte[] ids = new byte[16 * rc.messageIds().size()];
      ByteBuffer bb = ByteBuffer.wrap(ids);
      for (MessageId id : rc.messageIds()) {
        bb.putLong(id.uuid().getMostSignificantBits()).putLong(id.uuid().getLeastSignificantBits());
      }
      w.field(8, ids);
    } else if (content instanceof TypingControl tc) {
      w.start(6);
      w.byte1(9, tc.typing() ? 1 : 0);
    } else {
      throw new IllegalArgumentException("cannot encode " + content.getClass().getSimpleName());
    }
    return w.finishPadded();
  }

  /**
   * Decodes an encoding made by {@link #encode}.
   *
   * @throws MalformedContentException if it is not a valid version-1 encoding
   */
  static PlaintextContent decode(byte[] encoded) throws MalformedContentException {
    return ContentCodec.decode(encoded);
  }
}
