package io.ciphertalk.examples.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ciphertalk.core.transport.InMemoryEndpoint;
import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.TransportListener;
import io.ciphertalk.core.transport.WebSocketTransport;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.server.CipherTalkServer;
import io.ciphertalk.server.internal.auth.Totp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The samples of docs/server-guide.md, run against a real embedded server: the java blocks
 * ("Embedding it", "Connecting clients") are in {@link #embeddingIt_andConnectingClients} (checked
 * line by line by {@code DocsAreCheckedTest}), and the REST API {@code sh} block is extracted from the
 * guide and run with bash, curl and jq by {@link #restApiSession_runsAsDocumented}.
 */
class ServerGuideExamplesTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** The guide's example time: {@code "sentAt":1764115200000} is 2025-11-26T00:00:00Z. */
  private static final Instant DOC_TIME = Instant.ofEpochMilli(1764115200000L);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void embeddingIt_andConnectingClients(@TempDir Path dataDir) throws Exception {
    Clock clock = Clock.fixed(DOC_TIME, ZoneOffset.UTC);
    char[] password = "correct horse battery".toCharArray();
    WireCodec codec = WireCodec.create();
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    BlockingQueue<String> wsFrames = new LinkedBlockingQueue<>();
    try (CipherTalkServer server = CipherTalkServer.builder()
        .wsPort(0).httpPort(0)                 // ephemeral ports
        .dataDirectory(dataDir)                // or .jdbcUrl(...), .dataSource(...), .inMemoryDatabase()
        .clock(clock)                          // injectable: expiry, tokens, TOTP, typing
        .allowedOrigins(List.of("https://chat.example.com"))
        .passwordHashing(64, 1)                // tests only: cheap Argon2id
        .build()
        .start()) {
      int ws = server.wsPort();                // bound ports
      int http = server.httpPort();
      InMemoryEndpoint local = server.inMemoryEndpoint();   // for InMemoryTransport clients in this JVM
      server.createAccount("alice", password, false);     // or POST /api/register
      String token = server.login("alice", password, null); // token for hello, without HTTP
      assertThat(ws).isPositive();
      assertThat(http).isPositive().isNotEqualTo(ws);
      assertThat(local).isNotNull();
      assertThat(token).isNotBlank();
      assertThat(Files.exists(dataDir.resolve("ciphertalk.mv.db"))).as("H2 file in the data directory").isTrue();

      connectingClients(server, codec, token, frames, wsFrames);
    }
  }

  private static void connectingClients(CipherTalkServer server, WireCodec codec, String token,
      BlockingQueue<String> frames, BlockingQueue<String> wsFrames) throws Exception {
    // Over a socket, reconnecting by itself with exponential backoff and full jitter:
    Transport ws = WebSocketTransport.builder(URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"))
        .backoff(Duration.ofMillis(250), Duration.ofSeconds(30))
        .build();
    // In the same JVM, without sockets (same protocol, limits and close codes):
    Transport local = new InMemoryTransport(server.inMemoryEndpoint());

    local.start(new TransportListener() {
      @Override public void onOpen() { local.send(codec.encodeToString(new Frame.Hello("c1", token, 1, null))); }
      @Override public void onFrame(String frame) { frames.add(frame); } // decode: codec.decode(frame)
      @Override public void onClosed(int code, String reason, boolean willReconnect) { }
    });
    try (local; ws) {
      Frame welcome = codec.decode(poll(frames));
      assertThat(welcome).isInstanceOfSatisfying(Frame.Welcome.class,
          w -> assertThat(w.device().toString()).isEqualTo("alice.1"));

      // The WebSocket transport speaks the same protocol (device 2: device 1 is connected in memory).
      ws.start(new TransportListener() {
        @Override public void onOpen() { ws.send(codec.encodeToString(new Frame.Hello("c2", token, 2, null))); }
        @Override public void onFrame(String frame) { wsFrames.add(frame); }
      });
      assertThat(codec.decode(poll(wsFrames))).isInstanceOfSatisfying(Frame.Welcome.class,
          w -> assertThat(w.device().toString()).isEqualTo("alice.2"));
    }
  }

  private static String poll(BlockingQueue<String> q) throws InterruptedException {
    String f = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(f).as("a frame within " + WAIT).isNotNull();
    return f;
  }

  // ---------------------------------------------------------------------------------------------
  // The REST API session

  /** One statement of the sh block and the response the guide documents for it (null: none). */
  record Step(int line, String command, JsonNode expected) {}

  /** Splits the REST API block of the guide into statements with their documented responses. */
  static List<Step> restSteps() throws IOException {
    DocsAreCheckedTest.Block block = DocsAreCheckedTest.blocks("docs/server-guide.md").stream()
        .filter(b -> b.lang().equals("sh") && String.join("\n", b.lines()).contains("/api/register"))
        .findFirst().orElseThrow(() -> new AssertionError("no REST API sh block in docs/server-guide.md"));
    List<Step> steps = new ArrayList<>();
    List<String> lines = block.lines();
    StringBuilder pending = null; // a documented response spanning several comment lines
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty()) {
        pending = null;
        continue;
      }
      if (l.startsWith("#")) {
        String c = l.substring(1).strip();
        if (pending == null && !c.startsWith("{")) {
          continue; // prose
        }
        pending = pending == null ? new StringBuilder(c) : pending.append(' ').append(c);
        JsonNode node = parseFirst(pending.toString());
        if (node != null) {
          assertThat(steps).as("docs/server-guide.md:" + (block.line() + i) + " response before any command")
              .isNotEmpty();
          Step last = steps.remove(steps.size() - 1);
          assertThat(last.expected()).as("two responses for one command at line " + last.line()).isNull();
          steps.add(new Step(last.line(), last.command(), node));
          pending = null;
        }
        continue;
      }
      assertThat(pending).as("unterminated response comment before line " + (block.line() + i)).isNull();
      int start = i;
      StringBuilder cmd = new StringBuilder(lines.get(i));
      while (lines.get(i).stripTrailing().endsWith("\\")) {
        cmd.append('\n').append(lines.get(++i));
      }
      JsonNode inline = null;
      int hash = lines.get(i).indexOf("# {");
      if (hash >= 0) {
        inline = parseFirst(lines.get(i).substring(hash + 1).strip());
        assertThat(inline).as("docs/server-guide.md:" + (block.line() + i) + " inline response").isNotNull();
      }
      steps.add(new Step(block.line() + start, cmd.toString(), inline));
    }
    return steps;
  }

  /** The first JSON value in {@code text} (trailing prose ignored), or null if it is incomplete. */
  private static JsonNode parseFirst(String text) throws IOException {
    try (JsonParser p = JSON.getFactory().createParser(text)) {
      return JSON.readTree(p);
    } catch (JsonParseException e) {
      if (e instanceof JsonEOFException || String.valueOf(e.getMessage()).contains("end-of-input")) {
        return null; // continued on the next comment line
      }
      throw e;
    }
  }

  @Test
  void restApiSession_runsAsDocumented(@TempDir Path tmp) throws Exception {
    List<Step> steps = restSteps();
    assertThat(steps.stream().filter(s -> s.expected() != null).count()).as("documented responses")
        .isGreaterThanOrEqualTo(6);

    Clock clock = Clock.fixed(DOC_TIME, ZoneOffset.UTC); // so "sentAt" and the TOTP code are known
    HttpServer totp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    try (CipherTalkServer server = CipherTalkServer.builder()
        .wsPort(-1).httpPort(0).inMemoryDatabase().clock(clock).passwordHashing(64, 1)
        .build().start()) {
      server.createAccount("bob", "bob's long password".toCharArray(), false); // the block assumes bob
      // The TOTP confirm line needs a live code: the script asks this endpoint, which computes it
      // with the server's own RFC 6238 implementation from the secret the enrolment returned.
      totp.createContext("/totp", ex -> {
        String secret = ex.getRequestURI().getQuery().replaceFirst("^secret=", "");
        byte[] code = Totp.code(base32(secret), clock.instant().getEpochSecond(), 6)
            .getBytes(StandardCharsets.US_ASCII);
        ex.sendResponseHeaders(200, code.length);
        ex.getResponseBody().write(code);
        ex.close();
      });
      totp.start();

      String base = "127.0.0.1:" + server.httpPort();
      StringBuilder script = new StringBuilder();
      script.append("""
          for tool in curl jq; do
            command -v "$tool" >/dev/null || { echo "MISSING TOOL: $tool is needed to run the REST sample of docs/server-guide.md" >&2; exit 97; }
          done
          CT_LAST=$(mktemp)
          # every curl must succeed (HTTP >= 400 fails the script); the last response is kept for the TOTP step
          curl() { command curl --fail-with-body --show-error "$@" | tee "$CT_LAST"; }
          ct_totp() { command curl -fsS "http://127.0.0.1:%d/totp?secret=$(jq -r .secret "$CT_LAST")"; }
          """.formatted(totp.getAddress().getPort()));
      for (int i = 0; i < steps.size(); i++) {
        String cmd = steps.get(i).command().replace("localhost:8080", base);
        if (cmd.contains("/api/totp/confirm")) {
          assertThat(cmd).contains("'{\"code\":\"123456\"}'");
          cmd = cmd.replace("'{\"code\":\"123456\"}'", "'{\"code\":\"'\"$(ct_totp)\"'\"}'");
        }
        script.append("printf '\\n@@STEP %d\\n'\n".formatted(i)).append(cmd).append('\n');
      }
      script.append("printf '\\n@@END\\n'\n");
      Path file = tmp.resolve("server-guide-rest.sh");
      Files.writeString(file, script);

      Process p = new ProcessBuilder("bash", "-euo", "pipefail", file.toString())
          .redirectError(tmp.resolve("stderr").toFile()).start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      p.getInputStream().transferTo(out);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("script finished").isTrue();
      String stdout = out.toString(StandardCharsets.UTF_8);
      String stderr = Files.readString(tmp.resolve("stderr"));
      assertThat(stderr).as("curl and jq are installed").doesNotContain("MISSING TOOL");
      assertThat(p.exitValue()).as("the REST sample failed; stdout:\n" + stdout + "\nstderr:\n" + stderr)
          .isZero();

      Map<Integer, String> outputs = new TreeMap<>();
      String[] parts = stdout.split("\n@@STEP ");
      for (int k = 1; k < parts.length; k++) {
        int nl = parts[k].indexOf('\n');
        outputs.put(Integer.parseInt(parts[k].substring(0, nl)), parts[k].substring(nl + 1));
      }
      assertThat(outputs).as("every statement ran").hasSize(steps.size());
      assertThat(stdout.stripTrailing()).endsWith("@@END");
      int compared = 0;
      for (int i = 0; i < steps.size(); i++) {
        Step s = steps.get(i);
        if (s.expected() == null) {
          continue;
        }
        String actual = outputs.get(i).replace("\n@@END", "").strip();
        JsonNode got = JSON.readTree(actual);
        matches("docs/server-guide.md:" + s.line(), s.expected(), got);
        compared++;
      }
      assertThat(compared).isGreaterThanOrEqualTo(6);
      // the session's side effects are real: TOTP is now required, and the logout revoked the token
      assertThatThrownBy(() -> server.login("alice", "correct horse battery".toCharArray(), null))
          .as("login without a TOTP code after the confirmed enrolment").isInstanceOf(RuntimeException.class);
      assertThat(server.login("alice", "correct horse battery".toCharArray(),
          Totp.code(secretOf(outputs, steps), clock.instant().getEpochSecond() + Totp.STEP_SECONDS, 6)))
          .isNotBlank();
    } finally {
      totp.stop(0);
    }
  }

  private static byte[] secretOf(Map<Integer, String> outputs, List<Step> steps) throws IOException {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).command().contains("/api/totp/enroll")) {
        return base32(JSON.readTree(outputs.get(i).strip()).get("secret").asText());
      }
    }
    throw new AssertionError("no enrolment step");
  }

  /**
   * Structural comparison: same keys and array sizes; {@code "..."} matches any value and
   * {@code "abc..."} any string starting with {@code abc}.
   */
  static void matches(String where, JsonNode expected, JsonNode actual) {
    if (expected.isTextual() && expected.asText().endsWith("...")) {
      String prefix = expected.asText().substring(0, expected.asText().length() - 3);
      assertThat(actual).as(where + ": expected a value").isNotNull();
      if (!prefix.isEmpty()) {
        assertThat(actual.isTextual() ? actual.asText() : actual.toString()).as(where).startsWith(prefix);
      }
      return;
    }
    assertThat(actual).as(where + ": missing " + expected).isNotNull();
    if (expected.isObject()) {
      assertThat(actual.isObject()).as(where + ": object expected, got " + actual).isTrue();
      List<String> want = new ArrayList<>();
      expected.fieldNames().forEachRemaining(want::add);
      List<String> got = new ArrayList<>();
      actual.fieldNames().forEachRemaining(got::add);
      assertThat(got).as(where + ": fields of " + actual).containsExactlyInAnyOrderElementsOf(want);
      for (String f : want) {
        matches(where + " ." + f, expected.get(f), actual.get(f));
      }
    } else if (expected.isArray()) {
      assertThat(actual.isArray()).as(where + ": array expected, got " + actual).isTrue();
      assertThat(actual.size()).as(where + ": size of " + actual).isEqualTo(expected.size());
      Iterator<JsonNode> a = actual.elements();
      int k = 0;
      for (JsonNode e : expected) {
        matches(where + "[" + k++ + "]", e, a.next());
      }
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }

  /** RFC 4648 Base32 (upper case, padding optional). */
  static byte[] base32(String s) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (char c : s.replace("=", "").toCharArray()) {
      int v = alphabet.indexOf(Character.toUpperCase(c));
      if (v < 0) {
        throw new IllegalArgumentException("not Base32: " + c);
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
