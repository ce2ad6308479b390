package io.ciphertalk.client.internal;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Tracks who is typing in which room. A "started" raises {@code TypingChanged(true)} once and arms
 * an expiry on the client's clock; a "stopped" or the expiry raises {@code TypingChanged(false)}.
 * Thread-safe (synchronized; the expiry runs on the scheduler).
 */
public final class TypingTracker {
  private record Key(String roomId, String userId) {}

  private final Clock clock;
  private final Scheduler scheduler;
  private final Duration ttl;
  private final Consumer<ChatEvent> sink;
  private final Map<Key, Scheduler.Cancellable> typing = new HashMap<>();

  public TypingTracker(Clock clock, Scheduler scheduler, Duration ttl, Consumer<ChatEvent> sink) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.ttl = ttl;
    this.sink = sink;
  }

  public synchronized void update(String roomId, String userId, boolean isTyping) {
    Key k = new Key(roomId, userId);
    Scheduler.Cancellable previous = typing.remove(k);
    if (previous != null) {
      previous.cancel();
    }
    if (isTyping) {
      // Arm the expiry before announcing, so whoever reacts to the event sees a running timer.
      typing.put(k, scheduler.schedule(clock.instant().plus(ttl), () -> expire(k)));
      if (previous == null) {
        sink.accept(new ChatEvent.TypingChanged(roomId, userId, true));
      }
    } else if (previous != null) {
      sink.accept(new ChatEvent.TypingChanged(roomId, userId, false));
    }
  }

  private void expire(Key k) {
    synchronized (this) {
      if (typing.remove(k) == null) {
        return;
      }
    }
    sink.accept(new ChatEvent.TypingChanged(k.roomId(), k.userId(), false));
  }

  public synchronized boolean isTyping(String roomId, String userId) {
    return typing.containsKey(new Key(roomId, userId));
  }
}
