package io.ciphertalk.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ciphertalk.core.model.MessageId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WireCodecMalformedTest {
  private static final WireCodec CODEC = WireCodec.builder().maxFrameBytes(4096).build();

  static Stream<Arguments> corpus() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in = WireCodecMalformedTest.class.getResourceAsStream("/wire/malformed-frames.tsv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] parts = line.split("\t", 4);
        String frame = parts[3].equals("<empty>") ? "" : parts[3];
        cases.add(Arguments.of(parts[0], ErrorCode.valueOf(parts[1]), parts[2], frame));
      }
    }
    assertThat(cases).hasSizeGreaterThan(80);
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void malformedFrame_isRejectedWithTheDocumentedCode(
      String name, ErrorCode code, String field, String frame) {
    for (boolean asBytes : new boolean[] {true, false}) {
      WireException e =
          catchThrowableOfType(
              WireException.class,
              () -> {
                if (asBytes) {
                  CODEC.decode(frame.getBytes(StandardCharsets.UTF_8));
                } else {
                  CODEC.decode(frame);
                }
              });
      assertThat(e).as("%s must be rejected", name).isNotNull();
      assertThat(e.code()).as("%s: %s", name, e.getMessage()).isEqualTo(code);
      if (field.equals("-")) {
        assertThat(e.field()).as("%s: %s", name, e.getMessage()).isNull();
      } else if (!field.equals("*")) {
        assertThat(e.field()).as("%s: %s", name, e.getMessage()).isEqualTo(field);
      }
    }
  }

  @Test
  void invalidUtf8_isMalformed() {
    byte[] frame = "{\"v\":\"1.0\",\"type\":\"ok\",\"id\":\"c\"}".getBytes(StandardCharsets.UTF_8);
    frame[frame.length - 3] = (byte) 0xff;
    assertThat(catchThrowableOfType(WireException.class, () -> CODEC.decode(frame)).code())
        .isEqualTo(ErrorCode.MALFORMED_JSON);
  }

  @Test
  void errorAfterTheId_carriesTheFrameId_soTheServerCanCorrelateTheReply() {
    WireException e =
        catchThrowableOfType(
            WireException.class,
            () -> CODEC.decode("{\"v\":\"1.0\",\"type\":\"ack\",\"id\":\"req-9\",\"stream\":\"device\",\"seq\":\"x\"}"));
    assertThat(e.frameId()).isEqualTo("req-9");
    Frame.ErrorReply reply = e.toReply();
    assertThat(reply.id()).isEqualTo("req-9");
    assertThat(reply.code()).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(reply.message()).contains("seq");
  }

  @Test
  void errorWithoutReadableId_repliesWithIdZero() {
    WireException e = catchThrowableOfType(WireException.class, () -> CODEC.decode("{\"v\":\"1.0\""));
    assertThat(e.frameId()).isNull();
    assertThat(e.toReply().id()).isEqualTo("0");
  }

  @Test
  void errorMessage_neverEchoesTheOffendingValue() {
    String secret = "SECRET-TOKEN-abcdefghijkl";
    WireException e =
        catchThrowableOfType(
            WireException.class,
            () -> CODEC.decode("{\"v\":\"1.0\",\"type\":\"hello\",\"id\":\"c1\",\"token\":\"" + secret + "\",\"device\":\"" + secret + "\"}"));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(e.getMessage()).doesNotContain(secret);
  }

  @Test
  void newerMinorVersion_withExtraFieldsAnywhere_isAccepted() throws Exception {
    Frame f =
        CODEC.decode(
            "{\"future\":{\"nested\":[1,2,{\"x\":null}]},\"id\":\"c1\",\"seq\":7,\"v\":\"1.9\","
                + "\"stream\":\"device\",\"type\":\"ack\",\"also\":\"new\"}");
    assertThat(f).isEqualTo(new Frame.Ack("c1", "device", 7));
  }

  @Test
  void unknownEnumValues_fromNewerVersions_decodeAsUnknown() throws Exception {
    Frame f = CODEC.decode("{\"v\":\"1.3\",\"type\":\"notice\",\"id\":\"s1\",\"kind\":\"SERVER_MOVING\"}");
    assertThat(((Frame.Notice) f).kind()).isEqualTo(NoticeKind.UNKNOWN);
    Frame e = CODEC.decode("{\"v\":\"1.3\",\"type\":\"error\",\"id\":\"c1\",\"code\":\"QUOTA\",\"message\":\"m\"}");
    assertThat(((Frame.ErrorReply) e).code()).isEqualTo(ErrorCode.UNKNOWN);
  }

  @Test
  void fieldsInAnyOrder_decode() throws Exception {
    assertThat(CODEC.decode("{\"id\":\"c1\",\"type\":\"ok\",\"v\":\"1.0\"}")).isEqualTo(new Frame.Ok("c1"));
  }

  @Test
  void frameAtExactlyTheLimit_isParsed_andOneByteMoreIsNot() throws Exception {
    String head = "{\"v\":\"1.0\",\"type\":\"ok\",\"id\":\"c1\",\"pad\":\"";
    String tail = "\"}";
    String exact = head + "x".repeat(4096 - head.length() - tail.length()) + tail;
    assertThat(exact.length()).isEqualTo(4096);
    assertThat(CODEC.decode(exact)).isEqualTo(new Frame.Ok("c1"));
    String over = head + "x".repeat(4097 - head.length() - tail.length()) + tail;
    assertThat(catchThrowableOfType(WireException.class, () -> CODEC.decode(over)).code())
        .isEqualTo(ErrorCode.FRAME_TOO_LARGE);
  }

  @Test
  void oversizeCiphertext_isFieldTooLarge() {
    String big = Bytes.of(new byte[Limits.MAX_CIPHERTEXT_BYTES + 1]).toBase64Url();
    String frame =
        "{\"v\":\"1.0\",\"type\":\"send_group\",\"id\":\"c1\",\"messageId\":\"01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5\","
            + "\"room\":\"r1\",\"ciphertext\":\"" + big + "\"}";
    WireException e = catchThrowableOfType(WireException.class, () -> WireCodec.create().decode(frame));
    assertThat(e.code()).isEqualTo(ErrorCode.FIELD_TOO_LARGE);
    assertThat(e.field()).isEqualTo("ciphertext");
  }

  @Test
  void tooManyRecipients_isFieldTooLarge() {
    StringBuilder sb = new StringBuilder();
    sb.append("{\"v\":\"1.0\",\"type\":\"send\",\"id\":\"c1\",\"messageId\":\"01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5\",\"room\":\"r1\",\"recipients\":[");
    sb.append(String.join(",", Collections.nCopies(Limits.MAX_RECIPIENTS + 1, "{\"to\":\"b.1\",\"ciphertext\":\"AA\"}")));
    sb.append("]}");
    WireException e = catchThrowableOfType(WireException.class, () -> WireCodec.create().decode(sb.toString()));
    assertThat(e.code()).isEqualTo(ErrorCode.FIELD_TOO_LARGE);
    assertThat(e.field()).isEqualTo("recipients");
  }

  @Test
  void constructingAnInvalidFrame_throwsIllegalArgumentNamingTheField() {
    assertThatThrownBy(() -> new Frame.Ack("c1", "device", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seq");
    assertThatThrownBy(() -> new Frame.SendGroup("c1", MessageId.parse("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5"), "r1", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ciphertext");
  }

  @Test
  void helloToString_hidesTheToken() {
    assertThat(new Frame.Hello("c1", "very-secret", 1, null).toString()).doesNotContain("very-secret");
  }
}
