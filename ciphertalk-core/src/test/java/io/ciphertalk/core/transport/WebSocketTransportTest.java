package io.ciphertalk.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebSocketTransportTest {
  @Test
  void backoffCeiling_doublesFromInitial_andIsCappedAtMax() {
    assertThat(WebSocketTransport.backoffCeilingMillis(250, 30_000, 0)).isEqualTo(250);
    assertThat(WebSocketTransport.backoffCeilingMillis(250, 30_000, 1)).isEqualTo(500);
    assertThat(WebSocketTransport.backoffCeilingMillis(250, 30_000, 4)).isEqualTo(4_000);
    assertThat(WebSocketTransport.backoffCeilingMillis(250, 30_000, 10)).isEqualTo(30_000);
    assertThat(WebSocketTransport.backoffCeilingMillis(250, 30_000, 500)).isEqualTo(30_000);
  }

  @Test
  void delay_isFullJitterWithinTheCeiling() {
    WebSocketTransport t = WebSocketTransport.builder(URI.create("ws://127.0.0.1:1/ws"))
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(5)).build();
    for (int attempt = 0; attempt < 12; attempt++) {
      long ceiling = WebSocketTransport.backoffCeilingMillis(100, 5_000, attempt);
      for (int i = 0; i < 50; i++) {
        assertThat(t.delayMillis(attempt)).isBetween(0L, ceiling);
      }
    }
    WebSocketTransport fixed = WebSocketTransport.builder(URI.create("ws://127.0.0.1:1/ws"))
        .jitter(c -> c / 2).build();
    assertThat(fixed.delayMillis(2)).isEqualTo(500);
    t.close();
    fixed.close();
  }

  @Test
  void builder_rejectsBadValues() {
    assertThatThrownBy(() -> WebSocketTransport.builder(URI.create("http://x/ws")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws://");
    assertThatThrownBy(() -> WebSocketTransport.builder(URI.create("ws://x/ws"))
        .backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void send_beforeOpen_returnsFalse_andCloseIsIdempotent() {
    WebSocketTransport t = WebSocketTransport.builder(URI.create("ws://127.0.0.1:1/ws")).build();
    assertThat(t.state()).isEqualTo(TransportState.NEW);
    assertThat(t.send("{}")).isFalse();
    t.close();
    t.close();
    assertThat(t.state()).isEqualTo(TransportState.CLOSED);
    assertThatThrownBy(() -> t.start(frame -> {})).isInstanceOf(IllegalStateException.class);
  }
}
