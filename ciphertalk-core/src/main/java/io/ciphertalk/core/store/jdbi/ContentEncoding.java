package io.ciphertalk.core.store.jdbi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The sealed part of a stored message: body and reactions. Format 1: version byte, body
 * (modified UTF-8 with a 2-byte length, as {@link DataOutputStream#writeUTF}), reaction count
 * (int), then per emoji (sorted): emoji, user count, users (sorted).
 */
final class ContentEncoding {
  private ContentEncoding() {}

  record Content(String body, Map<String, Set<String>> reactions) {}

  static byte[] encode(String body, Map<String, Set<String>> reactions) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length() + 16);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(1);
      out.writeUTF(body);
      out.writeInt(reactions.size());
      for (Map.Entry<String, Set<String>> e : new TreeMap<>(reactions).entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().size());
        for (String user : new TreeSet<>(e.getValue())) {
          out.writeUTF(user);
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Content decode(byte[] sealedPlaintext) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(sealedPlaintext));
    if (in.readByte() != 1) {
      throw new IOException("unknown message content format");
    }
    String body = in.readUTF();
    int n = in.readInt();
    if (n < 0 || n > 10_000) {
      throw new IOException("bad reaction count");
    }
    Map<String, Set<String>> reactions = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String emoji = in.readUTF();
      int users = in.readInt();
      if (users < 0 || users > 100_000) {
        throw new IOException("bad user count");
      }
      Set<String> set = new HashSet<>();
      for (int j = 0; j < users; j++) {
        set.add(in.readUTF());
      }
      reactions.put(emoji, set);
    }
    return new Content(body, reactions);
  }
}
