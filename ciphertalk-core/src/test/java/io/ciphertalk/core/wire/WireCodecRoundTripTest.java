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

  @Test
  void bundleFetch_withoutOneTimePreKey_roundTrips_andTheFieldIsOmittedWhenNotGiven() throws Exception {
    Frame.BundleFetch listing = new Frame.BundleFetch("c5", "bob", 2, false);
    String json = CODEC.encodeToString(listing);
    assertThat(json).contains("\"withOneTimePreKey\":false");
    assertThat(CODEC.decode(json)).isEqualTo(listing);
    assertThat(listing.consumesOneTimePreKeys()).isFalse();
    assertThat(CODEC.encodeToString(new Frame.BundleFetch("c5", "bob", null))).doesNotContain("withOneTimePreKey");
    Frame plain = CODEC.decode("{\"v\":\"1.0\",\"type\":\"bundle_fetch\",\"id\":\"c5\",\"user\":\"bob\"}");
    assertThat(((Frame.BundleFetch) plain).consumesOneTimePreKeys()).isTrue();
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
