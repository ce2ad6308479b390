package io.ciphertalk.client.internal;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.InvalidSessionStateException;
import io.ciphertalk.crypto.session.Session;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The sessions held with one peer device: the <em>current</em> session, on which this device
 * sends, and up to {@link #MAX_PREVIOUS} <em>previous</em> sessions (newest first), which are
 * only used to decrypt messages the peer encrypted under them (crossed handshakes, a peer that
 * re-established a session while earlier messages were in flight). See docs/protocol.md,
 * "Client payloads", "Pairwise session records".
 *
 * <p>Serialized form (secret; stored in the encrypted local store):
 * {@code u8 0xA1 || u8 n (1..5) || n x (u32 len || Session.serialize())}, current first. A stored
 * value that begins with the session state format version {@code 1} is a bare session from an
 * earlier version and is read as a record without previous sessions.
 *
 * <p>Not thread-safe: {@link SessionCrypto} guards it.
 */
final class SessionRecord {
  /** Previous session states kept per peer device. */
  static final int MAX_PREVIOUS = 4;
  static final int FORMAT = 0xA1;
  private static final int MAX_STATE = 1 << 20;

  private Session current;
  private final List<Session> previous = new ArrayList<>();

  SessionRecord(Session current) {
    this.current = Objects.requireNonNull(current, "current");
  }

  Session current() {
    return current;
  }

  /** Previous sessions, newest first (unmodifiable view). */
  List<Session> previous() {
    return Collections.unmodifiableList(previous);
  }

  /** The held session (current first, then previous, newest first) created by this handshake. */
  Session find(InitialMessage m) {
    if (current.isSameHandshake(m)) {
      return current;
    }
    for (Session s : previous) {
      if (s.isSameHandshake(m)) {
        return s;
      }
    }
    return null;
  }

  /** Makes {@code s} current; the old current becomes the newest previous session. */
  void promote(Session s) {
    Session old = current;
    current = Objects.requireNonNull(s, "s");
    previous.remove(s);
    if (old != s) {
      previous.add(0, old);
    }
    trim();
  }

  /** Keeps {@code s} as the newest previous session; the current one stays. */
  void archive(Session s) {
    previous.add(0, Objects.requireNonNull(s, "s"));
    trim();
  }

  private void trim() {
    while (previous.size() > MAX_PREVIOUS) {
      previous.remove(previous.size() - 1).wipe();
    }
  }

  void wipe() {
    current.wipe();
    previous.forEach(Session::wipe);
    previous.clear();
  }

  byte[] serialize() {
    List<byte[]> states = new ArrayList<>(1 + previous.size());
    int total = 2;
    try {
      for (Session s : all()) {
        SecretBytes b = s.serialize();
        byte[] raw = b.toByteArray();
        b.wipe();
        states.add(raw);
        total += 4 + raw.length;
      }
      ByteBuffer out = ByteBuffer.allocate(total);
      out.put((byte) FORMAT).put((byte) states.size());
      for (byte[] raw : states) {
        out.putInt(raw.length).put(raw);
      }
      return out.array();
    } finally {
      states.forEach(raw -> Arrays.fill(raw, (byte) 0));
    }
  }

  private List<Session> all() {
    List<Session> out = new ArrayList<>(1 + previous.size());
    out.add(current);
    out.addAll(previous);
    return out;
  }

  /** Reads a record (or a bare session of the earlier format); takes ownership of {@code b}. */
  static SessionRecord deserialize(byte[] b, RandomSource random)
      throws InvalidSessionStateException {
    try {
      if (b.length > 0 && b[0] == 1) {
        return new SessionRecord(Session.deserialize(SecretBytes.copyOf(b), random));
      }
      ByteBuffer in = ByteBuffer.wrap(b);
      if (b.length < 2 || (in.get() & 0xff) != FORMAT) {
        throw new InvalidSessionStateException("unknown session record format");
      }
      int n = in.get() & 0xff;
      if (n < 1 || n > 1 + MAX_PREVIOUS) {
        throw new InvalidSessionStateException("bad session count in record");
      }
      List<Session> states = new ArrayList<>(n);
      try {
        for (int i = 0; i < n; i++) {
          if (in.remaining() < 4) {
            throw new InvalidSessionStateException("truncated session record");
          }
          int len = in.getInt();
          if (len < 1 || len > MAX_STATE || len > in.remaining()) {
            throw new InvalidSessionStateException("bad session length in record");
          }
          byte[] raw = new byte[len];
          in.get(raw);
          states.add(Session.deserialize(SecretBytes.wrap(raw), random));
        }
        if (in.hasRemaining()) {
          throw new InvalidSessionStateException("trailing bytes in session record");
        }
      } catch (InvalidSessionStateException | RuntimeException e) {
        states.forEach(Session::wipe);
        throw e;
      }
      SessionRecord r = new SessionRecord(states.get(0));
      r.previous.addAll(states.subList(1, n));
      return r;
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }
}
