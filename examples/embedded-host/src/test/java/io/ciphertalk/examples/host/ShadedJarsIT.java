package io.ciphertalk.examples.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the jars the docs tell people to run, as separate processes, after {@code package}
 * (maven-failsafe in the {@code verify} phase): the demo, and the host with a console client whose
 * standard input is a pipe.
 */
class ShadedJarsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Path jar(String relative) {
    Path p = DocsAreCheckedTest.root().resolve(relative);
    assertThat(p).as("run ./mvnw package first").exists();
    return p;
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** A child process whose output lines are collected on a reader thread. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final List<String> lines = new ArrayList<>();

    Child(String... command) throws IOException {
      this(java.util.Map.of(), command);
    }

    Child(java.util.Map<String, String> env, String... command) throws IOException {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().putAll(env);
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String l = r.readLine(); l != null; l = r.readLine()) {
            synchronized (lines) {
              lines.add(l);
              lines.notifyAll();
            }
          }
        } catch (IOException ignored) {
          // process ended
        }
      }, "child-output");
      reader.setDaemon(true);
      reader.start();
    }

    String await(Pattern p) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      synchronized (lines) {
        while (true) {
          for (String l : lines) {
            if (p.matcher(l).find()) {
              return l;
            }
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AssertionError("no line matching " + p + " in:\n" + String.join("\n", lines));
          }
          lines.wait(Math.max(1, left / 1_000_000));
        }
      }
    }

    void type(String line) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    @Override
    public void close() {
      process.destroy(); // SIGTERM: the host shuts down cleanly
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void demoJar_runsTheWholeConversation_andExitsZero() throws Exception {
    try (Child demo = new Child(java(), "-jar",
        jar("examples/embedded-host/target/ciphertalk-demo.jar").toString())) {
      demo.await(Pattern.compile("^== done: both clients and the server stopped$"));
      assertThat(demo.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(demo.process.exitValue()).isZero();
      assertThat(demo.lines).anyMatch(l -> l.contains("alice | ~ bob is typing…"));
    }
  }

  @Test
  void consoleJar_withPipedInput_chatsWithTheHostJarsBot() throws Exception {
    Path data = Files.createTempDirectory("host-data");
    try (Child host = new Child(java(), "-jar",
        jar("examples/embedded-host/target/ciphertalk-embedded-host.jar").toString(),
        "--ws-port", "0", "--http-port", "0", "--data", data.toString())) {
      Matcher m = Pattern.compile("WebSocket: (ws://\\S+)\\s+HTTP: (http://\\S+)")
          .matcher(host.await(Pattern.compile("WebSocket: ws://")));
      assertThat(m.find()).isTrue();
      try (Child console = new Child(java(), "-jar",
          jar("examples/console-client/target/ciphertalk-console.jar").toString(),
          "--server", m.group(1), "--http", m.group(2), "--register", "-u", "pat")) {
        console.type("a password for pat");
        console.await(Pattern.compile("signed in as pat"));
        console.type("/dm echo");
        console.type("hello from a pipe");
        console.await(Pattern.compile("echo \\(reply to \\[1\\] pat: \"hello from a pipe\"\\): "
            + "echo: hello from a pipe"));
        console.type("/quit");
        assertThat(console.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(console.process.exitValue()).isZero();
      }
    }
  }

  @Test
  void consoleJar_help_listsTheOptionsTheDocsUse() throws Exception {
    try (Child help = new Child(java(), "-jar",
        jar("examples/console-client/target/ciphertalk-console.jar").toString(), "--help")) {
      assertThat(help.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(help.process.exitValue()).isZero();
      help.await(Pattern.compile("--register"));
      assertThat(String.join("\n", help.lines)).contains("--server", "--http", "--device", "--user");
    }
  }

  /**
   * The scaling guide's command, as written: {@code java -jar ciphertalk-server.jar --db
   * jdbc:postgresql://... --db-user USER} with the password in {@code CIPHERTALK_DB_PASSWORD}. The
   * jar must carry the PostgreSQL driver and a connection pool (it once had neither: "No suitable
   * driver"). Runs against the PostgreSQL that scripts/test.sh starts.
   */
  @Test
  void serverJar_onPostgresql_asTheScalingGuideStartsIt_isReady_andRegistersAndLogsIn() throws Exception {
    String url = System.getProperty("ciphertalk.test.postgresUrl");
    if (url == null || url.isBlank()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true but no -Dciphertalk.test.postgresUrl (scripts/test.sh passes it)");
      }
      org.junit.jupiter.api.Assumptions.abort("needs -Dciphertalk.test.postgresUrl (scripts/test.sh)");
    }
    Matcher q = Pattern.compile("^(jdbc:postgresql://[^?]+)\\?(?:.*&)?user=([^&]+)&password=([^&]+)").matcher(url);
    assertThat(q.find()).as("a URL with user and password, as scripts/test.sh builds it: " + url.replaceAll("password=[^&]+", "password=***")).isTrue();
    Path data = Files.createTempDirectory("server-data");
    try (Child server = new Child(java.util.Map.of("CIPHERTALK_DB_PASSWORD", q.group(3)), java(), "-jar",
        jar("ciphertalk-server-embed/target/ciphertalk-server.jar").toString(), "--db", q.group(1), "--db-user", q.group(2),
        "--ws-port", "0", "--http-port", "0", "--data", data.toString())) {
      Matcher m = Pattern.compile("http (http://\\S+/)").matcher(server.await(Pattern.compile("CipherTalk server started")));
      assertThat(m.find()).isTrue();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String user = "pg" + Long.toHexString(System.nanoTime());
      String account = "{\"username\":\"" + user + "\",\"password\":\"a password on postgres\"}";
      java.net.http.HttpResponse<String> registered = post(http, m.group(1) + "api/register", account);
      assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
      java.net.http.HttpResponse<String> login = post(http, m.group(1) + "api/login", account);
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      java.net.http.HttpResponse<String> ready = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(m.group(1) + "health/ready")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(ready.body()).contains("\"database\":\"ok\"");
      synchronized (server.lines) {
        assertThat(server.lines).as("pooled, not a connection per unit of work")
            .noneMatch(l -> l.contains("one new connection per unit of work"))
            .noneMatch(l -> l.contains(q.group(3)));
      }
    }
  }

  private static java.net.http.HttpResponse<String> post(java.net.http.HttpClient http, String url, String json)
      throws IOException, InterruptedException {
    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
        .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /** Issue 16 item 10: both jars report the build's version, and a typo'd flag is named as such. */
  @Test
  void jars_reportTheBuildVersion_andRejectUnknownOptionsByName() throws Exception {
    String version = DocsAreCheckedTest.projectVersion();
    String console = jar("examples/console-client/target/ciphertalk-console.jar").toString();
    String server = jar("ciphertalk-server-embed/target/ciphertalk-server.jar").toString();
    try (Child c = new Child(java(), "-jar", console, "--version");
        Child s = new Child(java(), "-jar", server, "--version")) {
      c.await(Pattern.compile("^ciphertalk-console " + Pattern.quote(version) + "$"));
      s.await(Pattern.compile("^ciphertalk-server " + Pattern.quote(version) + "$"));
    }
    try (Child c = new Child(java(), "-jar", console, "--bogus");
        Child s = new Child(java(), "-jar", server, "--bogus")) {
      assertThat(c.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(s.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(c.process.exitValue()).isNotZero();
      assertThat(s.process.exitValue()).isNotZero();
      c.await(Pattern.compile("(?i)unknown option.*--bogus"));
      s.await(Pattern.compile("unknown option --bogus"));
      assertThat(String.join("\n", s.lines)).doesNotContain("missing value");
    }
  }
}
