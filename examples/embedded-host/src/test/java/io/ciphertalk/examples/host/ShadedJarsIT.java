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
    Matcher q = postgres();
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

  /** A system property scripts/test.sh passes: required under {@code CI=true}, else the test is skipped. */
  private static String testProperty(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true but no -D" + name + " (scripts/test.sh passes it)");
      }
      org.junit.jupiter.api.Assumptions.abort("needs -D" + name + " (scripts/test.sh)");
    }
    return v;
  }

  /** The test PostgreSQL's URL split into JDBC URL (group 1), user (2) and password (3). */
  private static Matcher postgres() {
    String url = testProperty("ciphertalk.test.postgresUrl");
    Matcher q = Pattern.compile("^(jdbc:postgresql://[^?]+)\\?(?:.*&)?user=([^&]+)&password=([^&]+)").matcher(url);
    assertThat(q.find()).as("a URL with user and password, as scripts/test.sh builds it: " + url.replaceAll("password=[^&]+", "password=***")).isTrue();
    return q;
  }

  /**
   * TLS to Redis as docs/scaling.md tells operators to set it up: {@code --redis rediss://HOST:PORT}
   * with the Redis server's certificate in the JVM's trust store ({@code
   * -Djavax.net.ssl.trustStore}). A redis-server (the one scripts/test.sh found) listens on TLS only,
   * with a certificate for {@code localhost} made here by keytool. Three standalone nodes start at
   * once: the one set up as documented subscribes over TLS and its registrations are counted in
   * Redis; a node whose trust store lacks the certificate, and one that reaches the same Redis by a
   * name the certificate does not carry ({@code 127.0.0.1}), each log that Redis is unreachable for
   * that reason and never get onto the bus (they keep serving, as without Redis).
   */
  @Test
  void serverJar_withRedisOverTls_joinsTheBus_andRefusesAnUntrustedOrMisnamedCertificate() throws Exception {
    Matcher q = postgres();
    String redisServer = testProperty("ciphertalk.test.redisServer");
    Path dir = Files.createTempDirectory("redis-tls");
    char[] pass = "changeit".toCharArray();
    Path trustStore = tlsFixture(dir, pass);
    Process redis = null;
    int port = 0;
    for (int attempt = 0; attempt < 3 && redis == null; attempt++) {
      try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      Process p = new ProcessBuilder(redisServer, "--port", "0", "--tls-port", Integer.toString(port),
          "--bind", "127.0.0.1", "--tls-cert-file", dir.resolve("redis.crt").toString(),
          "--tls-key-file", dir.resolve("redis.key").toString(), "--tls-auth-clients", "no",
          "--save", "", "--appendonly", "no", "--dir", dir.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (p.isAlive() && System.nanoTime() < deadline && redis == null) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          redis = p;
        } catch (IOException notYet) {
          Thread.sleep(50);
        }
      }
      if (redis == null) {
        p.destroyForcibly();
      }
    }
    assertThat(redis).as("redis-server with TLS did not start: " + Files.readString(dir.resolve("redis.log"))).isNotNull();
    javax.net.ssl.SSLSocketFactory tls = trusting(trustStore, pass);
    String run = Long.toHexString(System.nanoTime());
    String server = jar("ciphertalk-server-embed/target/ciphertalk-server.jar").toString();
    java.util.Map<String, String> env = java.util.Map.of("CIPHERTALK_DB_PASSWORD", q.group(3));
    String trustFlag = "-Djavax.net.ssl.trustStore=" + trustStore;
    String trustPass = "-Djavax.net.ssl.trustStorePassword=" + new String(pass);
    try (Child good = new Child(env, java(), trustFlag, trustPass, "-jar", server, "--db", q.group(1),
            "--db-user", q.group(2), "--redis", "rediss://localhost:" + port, "--node-id", "tls-ok-" + run,
            "--ws-port", "0", "--http-port", "0", "--data", Files.createTempDirectory("tls-ok").toString());
        Child untrusted = new Child(env, java(), "-jar", server, "--db", q.group(1), "--db-user", q.group(2),
            "--redis", "rediss://localhost:" + port, "--node-id", "tls-untrusted-" + run,
            "--ws-port", "0", "--http-port", "0", "--data", Files.createTempDirectory("tls-untrusted").toString());
        Child misnamed = new Child(env, java(), trustFlag, trustPass, "-jar", server, "--db", q.group(1),
            "--db-user", q.group(2), "--redis", "rediss://127.0.0.1:" + port, "--node-id", "tls-misnamed-" + run,
            "--ws-port", "0", "--http-port", "0", "--data", Files.createTempDirectory("tls-misnamed").toString())) {
      Matcher m = Pattern.compile("http (http://\\S+/)").matcher(good.await(Pattern.compile("CipherTalk server started")));
      assertThat(m.find()).isTrue();
      untrusted.await(Pattern.compile("CipherTalk server started"));
      misnamed.await(Pattern.compile("CipherTalk server started"));
      untrusted.await(Pattern.compile("Redis at rediss://localhost:" + port + " unreachable .*(PKIX|certification path)"));
      misnamed.await(Pattern.compile("Redis at rediss://127\\.0\\.0\\.1:" + port + " unreachable .*(?i)subject alternative name"));

      // The documented node is subscribed over TLS, and its registration budget is kept in Redis.
      String goodChannel = "ct:u:\0node:tls-ok-" + run;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!redisCall(tls, port, "PUBSUB", "CHANNELS", "ct:u:*").contains(goodChannel)) {
        assertThat(System.nanoTime()).as("the node never subscribed over TLS").isLessThan(deadline);
        Thread.sleep(50);
      }
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String account = "{\"username\":\"tls" + run + "\",\"password\":\"a password over tls\"}";
      java.net.http.HttpResponse<String> registered = post(http, m.group(1) + "api/register", account);
      assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
      assertThat(redisCall(tls, port, "KEYS", "ct:rate:*")).as("budgets counted in Redis").isNotEmpty();
      // The other two never got a subscription in.
      assertThat(redisCall(tls, port, "PUBSUB", "CHANNELS", "ct:u:*"))
          .noneMatch(c -> c.contains("tls-untrusted-" + run) || c.contains("tls-misnamed-" + run));
      synchronized (good.lines) {
        assertThat(good.lines).noneMatch(l -> l.contains("unreachable")).noneMatch(l -> l.contains(q.group(3)));
      }
    } finally {
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Makes a key and self-signed certificate for {@code localhost} with the JDK's keytool, writes
   * them as PEM for redis-server, and a trust store holding only that certificate; returns its path.
   */
  private static Path tlsFixture(Path dir, char[] pass) throws Exception {
    Path keys = dir.resolve("redis.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "redis", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", keys.toString(), "-storetype", "PKCS12",
        "-storepass", new String(pass), "-keypass", new String(pass)).redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(out).isZero();
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (java.io.InputStream in = Files.newInputStream(keys)) {
      ks.load(in, pass);
    }
    java.security.cert.Certificate cert = ks.getCertificate("redis");
    java.util.Base64.Encoder pem = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Files.writeString(dir.resolve("redis.crt"), "-----BEGIN CERTIFICATE-----\n"
        + pem.encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n");
    Files.writeString(dir.resolve("redis.key"), "-----BEGIN PRIVATE KEY-----\n"
        + pem.encodeToString(ks.getKey("redis", pass).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("redis", cert);
    Path trustStore = dir.resolve("trust.p12");
    try (OutputStream o = Files.newOutputStream(trustStore)) {
      trust.store(o, pass);
    }
    return trustStore;
  }

  private static javax.net.ssl.SSLSocketFactory trusting(Path trustStore, char[] pass) throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (java.io.InputStream in = Files.newInputStream(trustStore)) {
      ks.load(in, pass);
    }
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx.getSocketFactory();
  }

  /**
   * One Redis command over TLS (host name checked) whose reply is an array of bulk strings (KEYS,
   * PUBSUB CHANNELS); returns its elements.
   */
  private static List<String> redisCall(javax.net.ssl.SSLSocketFactory tls, int port, String... args)
      throws IOException {
    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.createSocket("localhost", port)) {
      javax.net.ssl.SSLParameters params = s.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(params);
      s.setSoTimeout(10_000);
      StringBuilder cmd = new StringBuilder("*" + args.length + "\r\n");
      for (String a : args) {
        cmd.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      s.getOutputStream().write(cmd.toString().getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
      String head = line(in);
      assertThat(head).as("an array reply").startsWith("*");
      List<String> items = new ArrayList<>();
      for (int i = Integer.parseInt(head.substring(1)); i > 0; i--) {
        String len = line(in);
        assertThat(len).startsWith("$");
        byte[] b = new byte[Integer.parseInt(len.substring(1))];
        in.readFully(b);
        in.readFully(new byte[2]);
        items.add(new String(b, StandardCharsets.UTF_8));
      }
      return items;
    }
  }

  private static String line(java.io.DataInputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\r'; c = in.read()) {
      if (c < 0) {
        throw new IOException("Redis closed the connection");
      }
      b.append((char) c);
    }
    in.read(); // \n
    return b.toString();
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
