package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.KeyExchange;
import java.net.URI;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConsoleMainTest {
  private static ConsoleMain parse(String... args) {
    CommandLine cl = ConsoleMain.commandLine((o, p, l) -> {
      throw new AssertionError("not used");
    });
    cl.parseArgs(args);
    return cl.getCommand();
  }

  @Test
  void defaults_pointAtALocalServer() {
    ConsoleApp.Options o = parse().options();
    assertThat(o.server()).isEqualTo(URI.create("ws://localhost:8000/ws"));
    assertThat(o.http()).isEqualTo(URI.create("http://localhost:8080/"));
    assertThat(o.user()).isNull();
    assertThat(o.register()).isFalse();
    assertThat(o.deviceId()).isEqualTo(1);
    assertThat(o.keyExchange()).isEqualTo(KeyExchange.PQXDH);
  }

  @Test
  void keyExchange_defaultsToPqxdh_asTheSdk_andX3dhStaysSelectable() {
    assertThat(ConsoleApp.Options.of(URI.create("ws://h/ws"), URI.create("http://h/"), "a", false)
        .keyExchange()).isEqualTo(KeyExchange.PQXDH);
    assertThat(parse("--key-exchange", "x3dh").options().keyExchange()).isEqualTo(KeyExchange.X3DH);
    assertThat(parse("--key-exchange", "rsa_oaep").options().keyExchange())
        .isEqualTo(KeyExchange.RSA_OAEP);
  }

  @Test
  void options_areParsed() {
    ConsoleApp.Options o = parse("--server", "ws://chat.example:9000/ws", "-u", "alice", "--register",
        "--device", "2", "--key-exchange", "pqxdh", "--zone", "Europe/Paris").options();
    assertThat(o.server()).isEqualTo(URI.create("ws://chat.example:9000/ws"));
    assertThat(o.http()).isEqualTo(URI.create("http://chat.example:8080/"));
    assertThat(o.user()).isEqualTo("alice");
    assertThat(o.register()).isTrue();
    assertThat(o.deviceId()).isEqualTo(2);
    assertThat(o.keyExchange()).isEqualTo(KeyExchange.PQXDH);
    assertThat(o.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
  }

  @Test
  void badArguments_exitWithUsageError() {
    CommandLine cl = ConsoleMain.commandLine((o, p, l) -> {
      throw new AssertionError("not used");
    });
    cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
    assertThat(cl.execute("--device", "zero")).isEqualTo(2);
  }
}
