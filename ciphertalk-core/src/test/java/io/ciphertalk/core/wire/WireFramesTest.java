package io.ciphertalk.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.core.model.Role;
import io.ciphertalk.crypto.DeviceAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireFramesTest {
  private static final WireCodec CODEC = WireCodec.create();

  @Test
  void errorReply_withoutDeviceLists_omitsThem_andDecodesToEmptyLists() throws Exception {
    Frame.ErrorReply e = Frame.ErrorReply.of("c1", ErrorCode.FORBIDDEN, "not a member");
    String json = CODEC.encodeToString(e);
    assertThat(json).isEqualTo("{\"v\":\"1.0\",\"type\":\"error\",\"id\":\"c1\",\"code\":\"FORBIDDEN\",\"message\":\"not a member\"}");
    Frame.ErrorReply back = (Frame.ErrorReply) CODEC.decode(json);
    assertThat(back).isEqualTo(e);
    assertThat(back.missingDevices()).isEmpty();
  }

  @Test
  void errorReplyFactories_fillTheirFields() throws Exception {
    Frame.ErrorReply r = Frame.ErrorReply.rateLimited("c2", "slow down", 1500);
    assertThat(r.retryAfterMs()).isEqualTo(1500);
    Frame.ErrorReply s =
        Frame.ErrorReply.staleDevices("c3", List.of(DeviceAddress.of("bob", 2)), List.of());
    assertThat(CODEC.decode(CODEC.encode(s))).isEqualTo(s);
    assertThat(s.code()).isEqualTo(ErrorCode.STALE_DEVICES);
  }

  @Test
  void deliveryBuilder_buildsTheSameAsTheConstructor_andChecksFields() {
    Delivery d = SampleFrames.delivery();
    Delivery built =
        Delivery.builder()
            .stream(d.stream())
            .seq(d.seq())
            .kind(d.kind())
            .messageId(d.messageId())
            .room(d.room())
            .sender(d.sender())
            .sentAt(d.sentAt())
            .expiresAt(d.expiresAt())
            .ciphertext(d.ciphertext())
            .build();
    assertThat(built).isEqualTo(d);
    assertThatThrownBy(() -> Delivery.builder().stream("device").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seq");
  }

  @Test
  void streamHelpers_roundTripRoomIds() {
    assertThat(Delivery.roomStream("r-1")).isEqualTo("room:r-1");
    assertThat(Delivery.roomOfStream("room:r-1")).isEqualTo("r-1");
    assertThat(Delivery.roomOfStream(Delivery.DEVICE_STREAM)).isNull();
    assertThatThrownBy(() -> Delivery.roomOfStream("elsewhere")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wireValues_convertToTheModel() {
    RoomInfo info = SampleFrames.room();
    assertThat(info.toRoom().roleOf("alice")).contains(Role.OWNER);
    assertThat(info.toRoom().members()).hasSize(2);
  }

  @Test
  void bytes_copyInAndOut_compareByContent_andHideContentInToString() {
    byte[] raw = {1, 2, 3};
    Bytes b = Bytes.of(raw);
    raw[0] = 9;
    assertThat(b.toByteArray()).containsExactly(1, 2, 3);
    b.toByteArray()[1] = 9;
    assertThat(b).isEqualTo(Bytes.of(new byte[] {1, 2, 3})).hasSameHashCodeAs(Bytes.of(new byte[] {1, 2, 3}));
    assertThat(b.toString()).isEqualTo("Bytes[3]");
    assertThat(Bytes.fromBase64Url(b.toBase64Url())).isEqualTo(b);
  }

  @Test
  void frameTypes_haveTheRightDirection() {
    assertThat(FrameType.HELLO.direction()).isEqualTo(FrameType.Direction.REQUEST);
    assertThat(FrameType.DELIVER.direction()).isEqualTo(FrameType.Direction.PUSH);
    assertThat(FrameType.SENT.direction()).isEqualTo(FrameType.Direction.RESPONSE);
    for (FrameType t : FrameType.values()) {
      Class<?> family =
          switch (t.direction()) {
            case REQUEST -> Frame.Request.class;
            case RESPONSE -> Frame.Response.class;
            case PUSH -> Frame.Push.class;
          };
      assertThat(family).as(t.name()).isAssignableFrom(t.recordClass());
      assertThat(FrameType.fromWireName(t.wireName())).isEqualTo(t);
    }
  }
}
