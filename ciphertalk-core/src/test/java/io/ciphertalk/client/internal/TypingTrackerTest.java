package io.ciphertalk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypingTrackerTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<ChatEvent> events = new ArrayList<>();
  private final TypingTracker tracker = new TypingTracker(clock, scheduler, Duration.ofSeconds(6),
      events::add);

  @Test
  void started_expiresOnTheClock_withoutAStop() {
    tracker.update("r", "bob", true);
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(tracker.isTyping("r", "bob")).isTrue();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(tracker.isTyping("r", "bob")).isFalse();
    assertThat(events).containsExactly(new ChatEvent.TypingChanged("r", "bob", true),
        new ChatEvent.TypingChanged("r", "bob", false));
  }

  @Test
  void repeatedStart_isAnnouncedOnce_andExtendsTheExpiry() {
    tracker.update("r", "bob", true);
    scheduler.advance(Duration.ofSeconds(4));
    tracker.update("r", "bob", true);
    scheduler.advance(Duration.ofSeconds(4));
    assertThat(tracker.isTyping("r", "bob")).isTrue();
    assertThat(events).containsExactly(new ChatEvent.TypingChanged("r", "bob", true));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(events).hasSize(2);
  }

  @Test
  void stop_announcesOnce_andCancelsTheExpiry() {
    tracker.update("r", "bob", true);
    tracker.update("r", "bob", false);
    tracker.update("r", "bob", false);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(events).containsExactly(new ChatEvent.TypingChanged("r", "bob", true),
        new ChatEvent.TypingChanged("r", "bob", false));
    assertThat(scheduler.pending()).isZero();
  }
}
