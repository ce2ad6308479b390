package io.ciphertalk.client.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Decides what to acknowledge on each delivery stream, and when.
 *
 * <p><b>What.</b> The server's {@code ack} is cumulative ("everything up to {@code seq} is
 * stored"), but the engine finishes deliveries out of order: a group message waiting for its
 * sender key, or an envelope held for an identity decision, finishes after the messages behind it.
 * So the acknowledged position never passes the oldest delivery still unfinished; otherwise the
 * server would drop it and a restart before it finished would lose it.
 *
 * <p><b>When.</b> Acks are coalesced: the first finished delivery after an ack arms a timer of
 * {@link #DELAY}, and when it fires one ack per stream covers everything finished by then; after
 * {@link #MAX_UNACKED} finished deliveries the ack goes out at once. An ack costs the server a
 * frame and a cursor update, so a busy room costs one ack per {@code DELAY} instead of one per
 * message. The delay is invisible to users (deliveries are not held back); it bounds what the
 * server delivers again after a crash, which the client deduplicates anyway.
 *
 * <p>Thread-safe: {@link #received} runs on the transport's thread, {@link #finished} on the
 * engine's, {@link #takeDue} on the timer's.
 */
final class StreamAcks {

  /** How long a finished delivery may wait for its ack when fewer than MAX_UNACKED are pending. */
  static final Duration DELAY = Duration.ofMillis(50);

  /** Finished deliveries of a stream after which its ack goes out without waiting. */
  static final int MAX_UNACKED = 64;

  /** {@link #finished} result: nothing new to acknowledge. */
  static final long NOTHING = -1;

  /** {@link #finished} result: acknowledge when the timer fires ({@link #takeDue}). */
  static final long LATER = -2;

  private static final class Stream {
    /** Received and not yet finished, in seq order. */
    final TreeSet<Long> unfinished = new TreeSet<>();
    long maxFinished;
    long lastSent;
    int finishedSinceSent;

    long ackable() {
      return unfinished.isEmpty() ? maxFinished : Math.min(maxFinished, unfinished.first() - 1);
    }
  }

  private final Map<String, Stream> streams = new LinkedHashMap<>();

  /** A delivery arrived (in stream order on one connection). */
  synchronized void received(String stream, long seq) {
    streams.computeIfAbsent(stream, k -> new Stream()).unfinished.add(seq);
  }

  /**
   * A delivery is safely processed (stored, or dropped on purpose).
   *
   * @return the seq to acknowledge on {@code stream} at once, {@link #LATER} if an ack is due
   *     when the timer fires, or {@link #NOTHING}
   */
  synchronized long finished(String stream, long seq) {
    Stream s = streams.computeIfAbsent(stream, k -> new Stream());
    s.unfinished.remove(seq);
    s.maxFinished = Math.max(s.maxFinished, seq);
    s.finishedSinceSent++;
    long ackable = s.ackable();
    if (ackable <= s.lastSent) {
      return NOTHING;
    }
    if (s.finishedSinceSent < MAX_UNACKED) {
      return LATER;
    }
    s.lastSent = ackable;
    s.finishedSinceSent = 0;
    return ackable;
  }

  /** The ack of every stream that has something new to acknowledge, as stream to seq; marks them sent. */
  synchronized Map<String, Long> takeDue() {
    Map<String, Long> due = new LinkedHashMap<>();
    for (Map.Entry<String, Stream> e : streams.entrySet()) {
      Stream s = e.getValue();
      long ackable = s.ackable();
      if (ackable > s.lastSent) {
        s.lastSent = ackable;
        s.finishedSinceSent = 0;
        due.put(e.getKey(), ackable);
      }
    }
    return due;
  }

  /**
   * A new connection is authenticated. The server may not have persisted the last acks of the old
   * one, so the next ack is sent even if it repeats one. Unfinished deliveries stay unfinished: the
   * server delivers them again, and the acked position still must not pass them.
   */
  synchronized void reconnected() {
    for (Stream s : streams.values()) {
      s.lastSent = 0;
    }
  }
}
