package io.ciphertalk.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every JSON example in the "Wire" section of docs/protocol.md must decode, and every type has one. */
class ProtocolDocExamplesTest {

  @Test
  void everyExampleInTheWireSection_decodes_andEveryFrameTypeHasOne() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "protocol.md"), StandardCharsets.UTF_8);
    int start = doc.indexOf("\n## Wire");
    assertThat(start).isNotNegative();
    int end = doc.indexOf("\n## ", start + 5);
    String section = end < 0 ? doc.substring(start) : doc.substring(start, end);
    List<String> examples = new ArrayList<>();
    int i = 0;
    while ((i = section.indexOf("```json\n", i)) >= 0) {
      int close = section.indexOf("\n```", i + 8);
      examples.add(section.substring(i + 8, close).trim());
      i = close + 4;
    }
    WireCodec codec = WireCodec.create();
    Set<FrameType> seen = EnumSet.noneOf(FrameType.class);
    for (String ex : examples) {
      Frame f = codec.decode(ex);
      seen.add(f.type());
      // The examples are written in canonical form: re-encoding gives the same text.
      assertThat(codec.encodeToString(f)).isEqualTo(ex);
    }
    assertThat(seen).containsExactlyInAnyOrder(FrameType.values());
  }
}
