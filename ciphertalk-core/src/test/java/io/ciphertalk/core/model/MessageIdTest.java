package io.ciphertalk.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.RandomSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageIdTest {
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_123L), ZoneOffset.UTC);

  @Test
  void generate_producesAVersion7IdCarryingTheClockTime() {
    MessageId id = MessageId.generate(CLOCK, RandomSource.secure());
    assertThat(id.uuid().version()).isEqualTo(7);
    assertThat(id.uuid().variant()).isEqualTo(2);
    assertThat(id.timestampMillis()).isEqualTo(1_700_000_000_123L);
  }

  @Test
  void generate_givesDistinctIds_andLaterIdsSortLater() {
    Set<MessageId> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      ids.add(MessageId.generate(CLOCK, RandomSource.secure()));
    }
    assertThat(ids).hasSize(1000);
    MessageId early = MessageId.generate(CLOCK, RandomSource.secure());
    MessageId late = MessageId.generate(Clock.offset(CLOCK, java.time.Duration.ofMillis(1)), RandomSource.secure());
    assertThat(early).isLessThan(late);
  }

  @Test
  void parse_roundTripsTheCanonicalText_andRejectsOtherForms() {
    MessageId id = MessageId.generate(CLOCK, RandomSource.secure());
    assertThat(MessageId.parse(id.toString())).isEqualTo(id);
    assertThat(MessageId.parse(id.toString().toUpperCase())).isEqualTo(id);
    assertThatThrownBy(() -> MessageId.parse("0193-6f4e8a2b-7c3d-9e4f-a0b1c2d3e4f5")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessageId.parse("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessageId.parse("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4g5")).isInstanceOf(IllegalArgumentException.class);
    // Non-ASCII digits are not hex digits.
    assertThatThrownBy(() -> MessageId.parse("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4\u0665\u0665")).isInstanceOf(IllegalArgumentException.class);
  }
}
