package io.ciphertalk.server;

import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.OneTimePreKey;
import io.ciphertalk.core.wire.SignedPreKey;
import java.util.ArrayList;
import java.util.List;

/** Frame-building helpers for the socket tests. */
final class Fixtures {
  private Fixtures() {}

  static Bytes bytes(int n, int fill) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) fill);
    return Bytes.of(b);
  }

  /** Publishes (fake, public-only) keys and {@code oneTime} one-time prekeys with ids from {@code firstId}. */
  static void publish(RawClient c, int oneTime, int firstId) throws InterruptedException {
    List<OneTimePreKey> otps = new ArrayList<>();
    for (int i = 0; i < oneTime; i++) {
      otps.add(new OneTimePreKey(firstId + i, bytes(32, i + 1)));
    }
    Frame r = c.call(id -> new Frame.PreKeysPublish(id, bytes(32, 7), new SignedPreKey(1, bytes(32, 8), bytes(64, 9)),
        otps, null, null));
    if (!(r instanceof Frame.Ok)) {
      throw new AssertionError("publish failed: " + r);
    }
  }

  static Frame.RoomReply createRoom(RawClient c, RoomKind kind, String name, String... members)
      throws InterruptedException {
    Frame r = c.call(id -> new Frame.RoomCreate(id, kind, name, null, List.of(members), null));
    if (!(r instanceof Frame.RoomReply room)) {
      throw new AssertionError("room create failed: " + r);
    }
    return room;
  }

  static Bytes text(String s) {
    return Bytes.of(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String text(Bytes b) {
    return new String(b.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
