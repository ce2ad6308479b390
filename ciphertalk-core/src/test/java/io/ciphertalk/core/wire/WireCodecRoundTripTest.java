package io.ciphertalk.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WireCodecRoundTripTest {
  private static final WireCodec CODEC = WireCodec.create();

  static Stream<Frame> frames() {
    return SampleFrames.all().stream();
  }

  @Test
  void samples_coverEveryFrameType() {
    List<FrameType> covered = SampleFrames.all().stream().map(Frame::type).collect(Collectors.toList());
    assertThat(covered).containsExactly(FrameType.values());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("frames")
  void encodeThenDecode_givesAnEqualFrame(Frame frame) throws Exception {
    byte[] json = CODEC.encode(frame);
    assertThat(CODEC.decode(json)).isEqualTo(frame);
    assertThat(CODEC.decode(new String(json, StandardCharsets.UTF_8))).isEqualTo(frame);
    assertThat(CODEC.encodeToString(frame)).isEqualTo(new String(json, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("frames")
  void encodedFrame_startsWithVersionTypeAndId(Frame frame) {
    String json = CODEC.encodeToString(frame);
    assertThat(json)
        .startsWith(
            "{\"v\":\"1.0\",\"type\":\"" + frame.type().wireName() + "\",\"id\":\"" + frame.id() + "\"");
    assertThat(frame.type().recordClass()).isEqualTo(frame.getClass());
  }

  @Test
  void frameTypes_haveDistinctWireNames() {
    assertThat(Arrays.stream(FrameType.values()).map(FrameType::wireName).distinct().count())
        .isEqualTo(FrameType.values().length);
  }
}
