package io.ciphertalk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentCodecTest {
  private final ContentCodec codec = new ContentCodec();

  @Test
  void everyKind_roundTrips() throws Exception {
    for (Content.Kind k : Content.Kind.values()) {
      Content c = Content.of(k, "room-1", "id-" + k, 1234L).withBody("héllo ✓").withReplyTo("r")
          .withExpiresAt(99L).withTarget("t").withEmoji("+1").withFlag(true)
          .withIds(List.of("a", "b")).withKeyMaterial(new byte[] {1, 2, 3});
      Content back = codec.decode(codec.encode(c));
      assertThat(back.kind()).isEqualTo(k);
      assertThat(back.body()).isEqualTo("héllo ✓");
      assertThat(back.expiresAtMillis()).isEqualTo(99L);
      assertThat(back.ids()).containsExactly("a", "b");
      assertThat(back.keyMaterial()).containsExactly(1, 2, 3);
      assertThat(back.flag()).isTrue();
    }
  }

  @Test
  void encodings_arePaddedToTheBlockSize() {
    for (int n = 0; n < 300; n += 7) {
      byte[] e = codec.encode(Content.of(Content.Kind.TEXT, "r", "i", 1L).withBody("x".repeat(n)));
      assertThat(e.length % ContentCodec.PAD_BLOCK).isZero();
    }
  }

  @Test
  void newerMinorFields_areIgnored() throws Exception {
    String json = "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":1,\"b\":\"hi\",\"future\":[1]}";
    assertThat(codec.decode(json.getBytes(StandardCharsets.UTF_8)).body()).isEqualTo("hi");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "not json",
      "[1,2]",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":1",
      "{\"v\":2,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":1}",
      "{\"v\":1,\"k\":\"NOPE\",\"r\":\"x\",\"id\":\"i\",\"t\":1}",
      "{\"v\":1,\"k\":\"TEXT\",\"id\":\"i\",\"t\":1}",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":5,\"id\":\"i\",\"t\":1}",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":\"1\"}",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":1,\"f\":1}",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":1,\"ids\":\"a\"}",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":1,\"km\":\"***\"}",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"r\":\"y\",\"id\":\"i\",\"t\":1}",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":99999999999999999999999}",
      "{\"v\":1,\"k\":\"TEXT\",\"r\":\"x\",\"id\":\"i\",\"t\":1} trailing"
  })
  void malformedContent_isRejectedWithATypedError(String json) {
    assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ContentCodec.MalformedContentException.class);
  }

  @Test
  void oversizeContent_isRejectedBeforeParsing() {
    byte[] big = new byte[ContentCodec.MAX_ENCODED + 1];
    assertThatThrownBy(() -> codec.decode(big))
        .isInstanceOf(ContentCodec.MalformedContentException.class)
        .hasMessageContaining("size");
  }

  @Test
  void deeplyNestedContent_isRejected() {
    String deep = "{\"v\":1,\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
    assertThatThrownBy(() -> codec.decode(deep.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ContentCodec.MalformedContentException.class);
  }
}
