package io.ciphertalk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamAcksTest {
  private static final String ROOM = "room:r1";
  private static final String DEVICE = "device";

  @Test
  void finishedDeliveriesWaitForTheTimerAndAreAckedOnce() {
    StreamAcks acks = new StreamAcks();
    for (long seq = 1; seq <= 10; seq++) {
      acks.received(ROOM, seq);
      assertThat(acks.finished(ROOM, seq)).as("seq %d", seq).isEqualTo(StreamAcks.LATER);
    }
    assertThat(acks.takeDue()).containsExactly(Map.entry(ROOM, 10L));
    assertThat(acks.takeDue()).isEmpty();
  }

  @Test
  void aLongBacklogIsAckedEveryMaxUnackedDeliveries() {
    StreamAcks acks = new StreamAcks();
    int n = StreamAcks.MAX_UNACKED * 2 + 5;
    for (long seq = 1; seq <= n; seq++) {
      acks.received(ROOM, seq);
    }
    long last = 0;
    int immediate = 0;
    for (long seq = 1; seq <= n; seq++) {
      long a = acks.finished(ROOM, seq);
      if (a >= 0) {
        assertThat(a).isEqualTo(seq).isGreaterThan(last);
        last = a;
        immediate++;
      } else {
        assertThat(a).isEqualTo(StreamAcks.LATER);
      }
    }
    assertThat(immediate).isEqualTo(2); // at 64 and at 128
    assertThat(acks.takeDue()).containsExactly(Map.entry(ROOM, (long) n));
  }

  @Test
  void theAckNeverPassesAnUnfinishedDelivery() {
    // seq 2 waits for its sender key while 3..5 are processed: acking 5 would let the server drop
    // seq 2, and a restart before the key arrives would lose it.
    StreamAcks acks = new StreamAcks();
    for (long seq = 1; seq <= 5; seq++) {
      acks.received(ROOM, seq);
    }
    acks.finished(ROOM, 1);
    for (long seq = 3; seq <= 5; seq++) {
      acks.finished(ROOM, seq);
    }
    assertThat(acks.takeDue()).containsExactly(Map.entry(ROOM, 1L));
    for (int i = 0; i < StreamAcks.MAX_UNACKED * 2; i++) {
      acks.received(ROOM, 6 + i);
      assertThat(acks.finished(ROOM, 6 + i)).as("nothing past the held seq 2")
          .isEqualTo(StreamAcks.NOTHING);
    }
    assertThat(acks.takeDue()).isEmpty();
    // more than MAX_UNACKED finished behind it: the release acks them all at once
    assertThat(acks.finished(ROOM, 2)).isEqualTo(5L + StreamAcks.MAX_UNACKED * 2);
    assertThat(acks.takeDue()).isEmpty();
  }

  @Test
  void streamsAreIndependent() {
    StreamAcks acks = new StreamAcks();
    acks.received(ROOM, 1);
    acks.received(DEVICE, 40);
    acks.received(ROOM, 2);
    acks.finished(DEVICE, 40);
    acks.finished(ROOM, 2);
    assertThat(acks.takeDue()).containsExactly(Map.entry(DEVICE, 40L));
    acks.finished(ROOM, 1);
    assertThat(acks.takeDue()).containsExactly(Map.entry(ROOM, 2L));
  }

  @Test
  void gapsInADeviceStreamDoNotHoldTheAck() {
    StreamAcks acks = new StreamAcks();
    acks.received(DEVICE, 7);
    acks.received(DEVICE, 12);
    acks.finished(DEVICE, 12);
    assertThat(acks.takeDue()).as("7 is unfinished").containsExactly(Map.entry(DEVICE, 6L));
    acks.finished(DEVICE, 7);
    assertThat(acks.takeDue()).containsExactly(Map.entry(DEVICE, 12L));
  }

  @Test
  void aRedeliveredDuplicateIsNotAckedTwiceButIsAckedAgainAfterAReconnect() {
    StreamAcks acks = new StreamAcks();
    acks.received(ROOM, 1);
    acks.finished(ROOM, 1);
    assertThat(acks.takeDue()).containsExactly(Map.entry(ROOM, 1L));
    acks.received(ROOM, 1); // the same connection redelivers: nothing new to say
    assertThat(acks.finished(ROOM, 1)).isEqualTo(StreamAcks.NOTHING);
    acks.reconnected(); // the server may have lost the ack: say it again
    acks.received(ROOM, 1);
    assertThat(acks.finished(ROOM, 1)).isEqualTo(StreamAcks.LATER);
    assertThat(acks.takeDue()).containsExactly(Map.entry(ROOM, 1L));
  }

  @Test
  void anUnfinishedDeliveryStillHoldsTheAckAfterAReconnect() {
    StreamAcks acks = new StreamAcks();
    acks.received(ROOM, 1);
    acks.received(ROOM, 2);
    acks.reconnected();
    acks.received(ROOM, 1); // redelivered, still unfinished from before
    acks.received(ROOM, 2);
    acks.received(ROOM, 3);
    acks.finished(ROOM, 2);
    acks.finished(ROOM, 3);
    assertThat(acks.takeDue()).isEmpty();
    acks.finished(ROOM, 1);
    assertThat(acks.takeDue()).containsExactly(Map.entry(ROOM, 3L));
  }
}
