package io.ciphertalk.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PlaintextContentTest {
  private static final MessageId A = MessageId.parse("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5");
  private static final MessageId B = MessageId.parse("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f6");

  static Stream<PlaintextContent> contents() {
    return Stream.of(
        new PlaintextContent.Text("hello ✓ 👋", null, null),
        new PlaintextContent.Text("", A, Instant.ofEpochMilli(1_700_000_060_000L)),
        new PlaintextContent.Text("x".repeat(PlaintextContent.MAX_BODY_CHARS), B, null),
        new PlaintextContent.Edit(A, "fixed"),
        new PlaintextContent.Delete(B),
        new PlaintextContent.Reaction(A, "👍", false),
        new PlaintextContent.Reaction(A, "👍", true),
        new PlaintextContent.ReceiptControl(ReceiptStatus.READ, List.of(A, B)),
        new PlaintextContent.TypingControl(true));
  }

  @ParameterizedTest
  @MethodSource("contents")
  void encodeThenDecode_givesEqualContent_paddedToTheBlockSize(PlaintextContent c) throws Exception {
    byte[] enc = PlaintextContent.encode(c);
    assertThat(enc.length % PlaintextContent.PAD_BLOCK).isZero();
    assertThat(enc[0]).isEqualTo((byte) 1);
    assertThat(PlaintextContent.decode(enc)).isEqualTo(c);
  }

  @Test
  void unknownKind_decodesAsUnsupported_andUnknownTagsAreIgnored() throws Exception {
    assertThat(PlaintextContent.decode(new byte[] {1, 42, 50, 1, 7})).isEqualTo(new PlaintextContent.Unsupported(42));
    byte[] text = {1, 1, 1, 2, 'h', 'i', 60, 2, 9, 9};
    assertThat(PlaintextContent.decode(text)).isEqualTo(new PlaintextContent.Text("hi", null, null));
  }

  @Test
  void malformedEncodings_areRejectedWithACheckedException() {
    List<byte[]> bad =
        List.of(
            new byte[] {},
            new byte[] {1},
            new byte[] {2, 1, 1, 0},
            new byte[] {1, 1, 1, 5, 'h'},
            new byte[] {1, 1, 1, 1, 'a', 1, 1, 'b'},
            new byte[] {1, 1},
            new byte[] {1, 1, 1, 2, (byte) 0xc3, (byte) 0x28},
            new byte[] {1, 3, 4, 3, 1, 2, 3},
            new byte[] {1, 6, 9, 1, 2},
            new byte[] {1, 1, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            new byte[PlaintextContent.MAX_ENCODED_BYTES + 1]);
    for (byte[] b : bad) {
      assertThatThrownBy(() -> PlaintextContent.decode(b))
          .as(Arrays.toString(b.length > 16 ? new byte[0] : b))
          .isInstanceOf(MalformedContentException.class);
    }
  }

  @Test
  void toString_neverShowsTheBody() {
    assertThat(new PlaintextContent.Text("top secret", null, null).toString()).doesNotContain("top secret");
    assertThat(new PlaintextContent.Edit(A, "top secret").toString()).doesNotContain("top secret");
  }
}
