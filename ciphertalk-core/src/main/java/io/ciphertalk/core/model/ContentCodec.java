package io.ciphertalk.core.model;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** The {@link PlaintextContent} format, version 1. Stateless. */
final class ContentCodec {
  private ContentCodec() {}

  static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    void start(int kind) {
      out.write(PlaintextContent.VERSION);
      out.write(kind);
    }

    void field(int tag, byte[] value) {
      out.write(tag);
      int n = value.length;
      while (n >= 0x80) {
        out.write((n & 0x7F) | 0x80);
        n >>>= 7;
      }
      out.write(n);
      out.write(value, 0, value.length);
    }

    void utf8(int tag, String s) {
      field(tag, s.getBytes(StandardCharsets.UTF_8));
    }

    void uuid(int tag, MessageId id) {
      field(
          tag,
          ByteBuffer.allocate(16)
              .putLong(id.uuid().getMostSignificantBits())
              .putLong(id.uuid().getLeastSignificantBits())
              .array());
    }

    void long8(int tag, long v) {
      field(tag, ByteBuffer.allocate(8).putLong(v).array());
    }

    void byte1(int tag, int v) {
      field(tag, new byte[] {(byte) v});
    }

    byte[] finishPadded() {
      int len = out.size() + 2; // padding tag and a one-byte length
      int pad = (PlaintextContent.PAD_BLOCK - len % PlaintextContent.PAD_BLOCK) % PlaintextContent.PAD_BLOCK;
      field(127, new byte[pad]);
      return out.toByteArray();
    }
  }

  static PlaintextContent decode(byte[] b) throws MalformedContentException {
    Objects.requireNonNull(b, "encoded");
    if (b.length > PlaintextContent.MAX_ENCODED_BYTES) {
      throw new MalformedContentException("content longer than " + PlaintextContent.MAX_ENCODED_BYTES + " bytes");
    }
    if (b.length < 2) {
      throw new MalformedContentException("content truncated");
    }
    if (b[0] != PlaintextContent.VERSION) {
      throw new MalformedContentException("unsupported content version " + (b[0] & 0xFF));
    }
    int kind = b[1] & 0xFF;
    byte[][] fields = new byte[10][];
    int i = 2;
    while (i < b.length) {
      int tag = b[i++] & 0xFF;
      int len = 0;
      int shift = 0;
      while (true) {
        if (i >= b.length || shift > 14) {
          throw new MalformedContentException("bad field length");
        }
        int x = b[i++] & 0xFF;
        len |= (x & 0x7F) << shift;
        shift += 7;
        if ((x & 0x80) == 0) {
          break;
        }
      }
      if (len > b.length - i) {
        throw new MalformedContentException("field " + tag + " truncated");
      }
      if (tag < fields.length) {
        if (fields[tag] != null) {
          throw new MalformedContentException("field " + tag + " appears twice");
        }
        fields[tag] = java.util.Arrays.copyOfRange(b, i, i + len);
      }
      i += len;
    }
    try {
      switch (kind) {
        case 1:
          return new PlaintextContent.Text(
              str(fields, 1, "body"),
              fields[2] == null ? null : uuid(fields, 2, "replyTo"),
              fields[3] == null ? null : Instant.ofEpochMilli(long8(fields, 3, "expiresAt")));
        case 2:
          return new PlaintextContent.Edit(uuid(fields, 4, "target"), str(fields, 1, "body"));
        case 3:
          return new PlaintextContent.Delete(uuid(fields, 4, "target"));
        case 4:
          return new PlaintextContent.Reaction(
              uuid(fields, 4, "target"), str(fields, 5, "emoji"), flag(fields, 6, "remove"));
        case 5:
          {
            int s = byte1(fields, 7, "status");
            if (s > 1) {
              throw new MalformedContentException("bad receipt status " + s);
            }
            byte[] ids = need(fields, 8, "messageIds");
            if (ids.length % 16 != 0) {
              throw new MalformedContentException("messageIds length not a multiple of 16");
            }
            ByteBuffer bb = ByteBuffer.wrap(ids);
            List<MessageId> list = new ArrayList<>();
            while (bb.hasRemaining()) {
              list.add(new MessageId(new UUID(bb.getLong(), bb.getLong())));
            }
            return new PlaintextContent.ReceiptControl(ReceiptStatus.values()[s], list);
          }
        case 6:
          return new PlaintextContent.TypingControl(flag(fields, 9, "typing"));
        default:
          return new PlaintextContent.Unsupported(kind);
      }
    } catch (IllegalArgumentException e) {
      throw new MalformedContentException("invalid content: " + e.getMessage());
    }
  }

  private static byte[] need(byte[][] f, int tag, String name) throws MalformedContentException {
    if (f[tag] == null) {
      throw new MalformedContentException("missing " + name);
    }
    return f[tag];
  }

  private static String str(byte[][] f, int tag, String name) throws MalformedContentException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(need(f, tag, name)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedContentException(name + " is not valid UTF-8");
    }
  }

  private static MessageId uuid(byte[][] f, int tag, String name) throws MalformedContentException {
    byte[] v = need(f, tag, name);
    if (v.length != 16) {
      throw new MalformedContentException(name + " must be 16 bytes");
    }
    ByteBuffer bb = ByteBuffer.wrap(v);
    return new MessageId(new UUID(bb.getLong(), bb.getLong()));
  }

  private static long long8(byte[][] f, int tag, String name) throws MalformedContentException {
    byte[] v = need(f, tag, name);
    if (v.length != 8) {
      throw new MalformedContentException(name + " must be 8 bytes");
    }
    long x = ByteBuffer.wrap(v).getLong();
    if (x < 0) {
      throw new MalformedContentException(name + " is negative");
    }
    return x;
  }

  private static int byte1(byte[][] f, int tag, String name) throws MalformedContentException {
    byte[] v = need(f, tag, name);
    if (v.length != 1) {
      throw new MalformedContentException(name + " must be 1 byte");
    }
    return v[0] & 0xFF;
  }

  private static boolean flag(byte[][] f, int tag, String name) throws MalformedContentException {
    int v = byte1(f, tag, name);
    if (v > 1) {
      throw new MalformedContentException(name + " must be 0 or 1");
    }
    return v == 1;
  }
}
