package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlainConsoleTest {
  @Test
  void readsUtf8Lines_untilEndOfInput() {
    PlainConsole c = new PlainConsole(
        new ByteArrayInputStream("héllo\r\n/quit\n".getBytes(StandardCharsets.UTF_8)),
        new ByteArrayOutputStream());
    assertThat(c.readLine("> ")).isEqualTo("héllo");
    assertThat(c.readLine("> ")).isEqualTo("/quit");
    assertThat(c.readLine("> ")).isNull();
  }

  @Test
  void statusLine_isPrintedOnceWhenItChanges_andNotWhenCleared() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PlainConsole c = new PlainConsole(new ByteArrayInputStream(new byte[0]), out);
    c.status("alice is typing…");
    c.status("alice is typing…");
    c.status("");
    c.status("alice is typing…");
    c.println("[1] alice: hi");
    assertThat(out.toString(StandardCharsets.UTF_8).split("\n"))
        .containsExactly("~ alice is typing…", "~ alice is typing…", "[1] alice: hi");
  }
}
