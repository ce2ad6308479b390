package io.ciphertalk.server.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.framing.TextFrame;
import org.junit.jupiter.api.Test;

/** The server's own text frames are byte for byte what Java-WebSocket's draft would build. */
class EncodedTextTest {

  @Test
  void textFrames_matchTheLibrarysFramesAtEveryLengthBoundary() {
    for (int n : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 70_000}) {
      byte[] payload = new byte[n];
      Arrays.fill(payload, (byte) 'x');
      TextFrame f = new TextFrame();
      f.setPayload(ByteBuffer.wrap(payload));
      f.setFin(true);
      ByteBuffer lib = new Draft_6455().createBinaryFrame(f);
      byte[] expected = new byte[lib.remaining()];
      lib.get(expected);
      assertThat(EncodedText.textFrame(payload)).as("payload of %d bytes", n).isEqualTo(expected);
    }
  }

  @Test
  void anEncodedText_keepsItsTextAndBuildsItsFrameOnce() {
    EncodedText t = new EncodedText("{\"type\":\"deliver\",\"x\":\"é\"}");
    assertThat(t.utf8()).isEqualTo(t.text().getBytes(StandardCharsets.UTF_8));
    assertThat(t.wsFrame()).isSameAs(t.wsFrame());
    assertThat(Arrays.copyOfRange(t.wsFrame(), 2, t.wsFrame().length)).isEqualTo(t.utf8());
  }
}
