package io.ciphertalk.examples.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.examples.console.ConsoleMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Checks the samples in the docs (getting-started, architecture, sdk-guide, server-guide and the
 * README):
 * <ul>
 *   <li>every {@code ```java} block starts with {@code // from: PATH} and each of its lines appears,
 *       in order, in that compiled source file (so the sample compiles and, for tests, runs);</li>
 *   <li>every {@code java -jar} command names a jar the build produces, and its arguments are
 *       accepted by that program's command line (the server's flag table too);</li>
 *   <li>every {@code ./mvnw -pl} (or {@code scripts/test.sh -pl}, which passes it to Maven) names an
 *       existing module, and every linked file exists;</li>
 *   <li>every option named inline is a program's, the default addresses are the programs', the
 *       errors the README's troubleshooting quotes are the ones a taken port and a busy H2
 *       directory give, and getting-started's restart paths ({@code --data}, {@code --store},
 *       a console started while the host is down) work as written.</li>
 * </ul>
 * docs/claims.md maps the remaining claims to their tests ({@link ClaimsAreCheckedTest}).
 */
class DocsAreCheckedTest {
  static final List<String> DOCS = List.of("docs/getting-started.md", "docs/architecture.md",
      "docs/sdk-guide.md", "docs/server-guide.md", "README.md");

  /** The runnable jars and the program that parses their arguments (null: not checked here). */
  static final Map<String, Consumer<String[]>> JARS = Map.of(
      "examples/console-client/target/ciphertalk-console.jar",
      args -> ConsoleMain.commandLine((o, p, l) -> {
        throw new AssertionError();
      }).parseArgs(args),
      "examples/embedded-host/target/ciphertalk-embedded-host.jar",
      args -> new CommandLine(new EmbeddedHost()).parseArgs(args),
      "examples/embedded-host/target/ciphertalk-demo.jar",
      args -> assertThat(args).isEmpty(),
      "ciphertalk-server-embed/target/ciphertalk-server.jar", DocsAreCheckedTest::serverAccepts,
      "benchmarks/target/benchmarks.jar", args -> { });

  /**
   * Asserts that the standalone server's own parser ({@code io.ciphertalk.server.internal.cli.Main},
   * which exposes no public parser) accepts {@code args}: they are parsed with {@code --help} appended,
   * which makes it stop after the options (print usage, status 0) instead of starting a server or
   * creating an account; an unknown option, a missing value or a bad port gives status 2.
   */
  static void serverAccepts(String[] args) {
    String[] withHelp = Arrays.copyOf(args, args.length + 1);
    withHelp[args.length] = "--help";
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int status;
    try {
      java.lang.reflect.Method run = Class.forName("io.ciphertalk.server.internal.cli.Main")
          .getDeclaredMethod("run", String[].class, java.io.PrintStream.class, java.io.PrintStream.class);
      run.setAccessible(true);
      status = (int) run.invoke(null, withHelp, new java.io.PrintStream(out, true),
          new java.io.PrintStream(err, true));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot call the server's argument parser", e);
    }
    assertThat(status).as("ciphertalk-server.jar " + String.join(" ", args) + ": " + err).isZero();
    assertThat(out.toString()).as("stopped at --help").startsWith("usage:");
  }

  /** The project version from the root pom (what the jars' --version must print). */
  static String projectVersion() {
    try {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile(
          "<artifactId>ciphertalk-parent</artifactId>\\s*<version>([^<]+)</version>")
          .matcher(Files.readString(root().resolve("pom.xml")));
      assertThat(m.find()).as("the root pom's version").isTrue();
      return m.group(1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    assertThat(p).as("repository root (with mvnw) above the working directory").isNotNull();
    return p;
  }

  record Block(String doc, String lang, List<String> lines, int line) {}

  static List<Block> blocks(String doc) throws IOException {
    List<String> lines = Files.readAllLines(root().resolve(doc));
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("```") && l.length() > 3) {
        String lang = l.substring(3).strip();
        int start = i + 1;
        int end = start;
        while (end < lines.size() && !lines.get(end).strip().equals("```")) {
          end++;
        }
        out.add(new Block(doc, lang, lines.subList(start, end), start + 1));
        i = end;
      }
    }
    return out;
  }

  @Test
  void everyJavaBlock_isTakenFromACompiledSourceFile() throws IOException {
    int checked = 0;
    for (String doc : DOCS) {
      for (Block b : blocks(doc)) {
        if (!b.lang().equals("java")) {
          continue;
        }
        String first = b.lines().isEmpty() ? "" : b.lines().get(0).strip();
        assertThat(first).as(doc + ":" + b.line() + " java block must start with // from: PATH")
            .startsWith("// from: ");
        Path source = root().resolve(first.substring("// from: ".length()).strip());
        assertThat(source).as(doc + ":" + b.line()).exists();
        List<String> sourceLines = Files.readAllLines(source).stream().map(String::strip).toList();
        int at = 0;
        for (String line : b.lines().subList(1, b.lines().size())) {
          String want = line.strip();
          if (want.isEmpty() || want.equals("...") || want.equals("// ...")) {
            continue;
          }
          int found = -1;
          for (int k = at; k < sourceLines.size(); k++) {
            if (sourceLines.get(k).equals(want)) {
              found = k;
              break;
            }
          }
          assertThat(found).as(doc + ":" + b.line() + ": line not found (in order) in " + source
              + ": " + want).isGreaterThanOrEqualTo(0);
          at = found + 1;
        }
        checked++;
      }
    }
    assertThat(checked).as("java blocks checked").isGreaterThan(5);
  }

  @Test
  void everyCommand_namesABuiltJar_withArgumentsItAccepts_andExistingModules() throws IOException {
    int checked = 0;
    for (String doc : DOCS) {
      for (Block b : blocks(doc)) {
        if (!b.lang().equals("sh")) {
          continue;
        }
        for (String raw : b.lines()) {
          String cmd = raw.strip();
          if (cmd.startsWith("java -jar ")) {
            String[] words = cmd.split("\\s+");
            String jar = words[2];
            assertThat(JARS).as(doc + ":" + b.line() + " unknown jar " + jar).containsKey(jar);
            JARS.get(jar).accept(Arrays.copyOfRange(words, 3, words.length));
            checked++;
          } else if (cmd.startsWith("./mvnw ") || cmd.startsWith("scripts/test.sh")) {
            List<String> words = List.of(cmd.split("\\s+"));
            assertThat(root().resolve(words.get(0))).as(doc + ": " + words.get(0)).exists();
            int pl = words.indexOf("-pl");
            if (pl >= 0) {
              for (String module : words.get(pl + 1).split(",")) {
                assertThat(root().resolve(module).resolve("pom.xml")).as(doc + ": -pl " + module)
                    .exists();
              }
            }
            checked++;
          } else if (cmd.startsWith(".ci/")) {
            assertThat(root().resolve(cmd.split("\\s+")[0])).exists();
            checked++;
          }
        }
      }
    }
    assertThat(checked).as("commands checked").isGreaterThan(3);
  }

  @Test
  void everyServerFlagInTheGuidesTable_isAcceptedByTheServer() throws IOException {
    // placeholders of the table's first column -> sample values
    Map<String, String> samples = Map.of("N", "0", "ADDR", "127.0.0.1", "DIR", "./data",
        "JDBC_URL", "jdbc:h2:mem:x", "USER", "ciphertalk", "O", "https://chat.example.com", "D", "12h",
        "REDIS_URL", "redis://127.0.0.1:6379", "NAME", "node-1");
    java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\| `(--[a-z-]+)(?: ([A-Z_]+))?` \\|");
    int checked = 0;
    for (String line : Files.readAllLines(root().resolve("docs/server-guide.md"))) {
      java.util.regex.Matcher m = row.matcher(line);
      if (!m.find() || m.group(1).equals("--help")) {
        continue;
      }
      assertThat(m.group(2) == null || samples.containsKey(m.group(2))).as(line).isTrue();
      serverAccepts(m.group(2) == null ? new String[] {m.group(1)}
          : new String[] {m.group(1), samples.get(m.group(2))});
      checked++;
    }
    assertThat(checked).as("flags in the server guide's table").isGreaterThanOrEqualTo(7);
    // and the parser really refuses what is not in the table
    assertThatThrownBy(() -> serverAccepts(new String[] {"--no-such-flag", "x"}))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void everyRelativeLink_pointsToAnExistingFile() throws IOException {
    java.util.regex.Pattern link = java.util.regex.Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)");
    for (String doc : DOCS) {
      // README.md sits at the root: its links are relative to the root
      Path dir = doc.equals("README.md") ? root() : root().resolve(doc).getParent();
      try (Stream<String> lines = Files.lines(root().resolve(doc))) {
        lines.forEach(l -> {
          java.util.regex.Matcher m = link.matcher(l);
          while (m.find()) {
            String target = m.group(1);
            if (target.startsWith("http")) {
              continue;
            }
            assertThat(dir.resolve(target).normalize()).as(doc + " links to " + target).exists();
          }
        });
      }
    }
  }

  @Test
  void everyClassAndMethodNamedInTheArchitecture_existsInTheCode() throws IOException {
    Map<String, List<Path>> types = new java.util.HashMap<>();
    java.util.regex.Pattern decl = java.util.regex.Pattern.compile(
        "\\b(?:class|interface|record|enum) ([A-Z][A-Za-z0-9]*)\\b");
    try (Stream<Path> files = Files.walk(root())) {
      for (Path f : files.filter(f -> f.toString().endsWith(".java")
          && !f.toString().contains("/target/") && !f.toString().contains("/.")).toList()) {
        java.util.regex.Matcher m = decl.matcher(Files.readString(f));
        while (m.find()) {
          types.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(f);
        }
      }
    }
    java.util.regex.Pattern ref = java.util.regex.Pattern.compile(
        "([A-Z][A-Za-z0-9]+)\\.([a-z][A-Za-z0-9]+)\\b");
    java.util.regex.Pattern code = java.util.regex.Pattern.compile("`([^`]+)`");
    int checked = 0;
    // inline code only: fenced blocks (the module map, the diagram) would pair up the backticks wrongly
    String doc = Files.readString(root().resolve("docs/architecture.md"))
        .replaceAll("(?s)```.*?```", "");
    java.util.regex.Matcher c = code.matcher(doc);
    while (c.find()) {
      java.util.regex.Matcher m = ref.matcher(c.group(1));
      while (m.find()) {
        String type = m.group(1);
        String method = m.group(2);
        assertThat(types).as("architecture.md names type " + type).containsKey(type);
        boolean found = false;
        for (Path f : types.get(type)) {
          found |= Files.readString(f).contains(method + "(");
        }
        assertThat(found).as("architecture.md names " + type + "." + method).isTrue();
        checked++;
      }
    }
    assertThat(checked).as("class.method references checked").isGreaterThan(15);
  }

  /**
   * The docs speak to someone who never saw the project CipherTalk grew from: none of its words
   * ("the seed's API", Django's createsuperuser) are left. "seed" alone stays legitimate where it
   * means key material (an Ed25519 or ML-KEM seed).
   */
  @Test
  void docs_useNoJargonFromTheOriginalProject() throws IOException {
    java.util.regex.Pattern jargon = java.util.regex.Pattern.compile(
        "(?i)createsuperuser|django|seed-compatible|seed-style|the seed's|\\bthe seed\\b");
    List<String> docs = new ArrayList<>(DOCS);
    docs.addAll(List.of("docs/protocol.md", "docs/threat-model.md", "benchmarks/README.md"));
    for (String doc : docs) {
      List<String> lines = Files.readAllLines(root().resolve(doc));
      for (int i = 0; i < lines.size(); i++) {
        assertThat(jargon.matcher(lines.get(i)).find()).as(doc + ":" + (i + 1) + ": " + lines.get(i))
            .isFalse();
      }
    }
  }

  /** Paths in the docs that look like console commands but are the server's (REST, WebSocket). */
  static final java.util.Set<String> NOT_CONSOLE = java.util.Set.of("/health", "/metrics", "/ws",
      "/api", "/usr", "/enable");

  /**
   * Every console command the docs name ({@code `/trust USER NUMBER`} inline, and the command lines
   * of getting-started's console block) is one the console's parser accepts as written, with the
   * placeholders filled in; a bare command name ({@code `/reply`}) must at least exist.
   */
  @Test
  void everyConsoleCommandInTheDocs_isAcceptedByTheConsole() throws Exception {
    io.ciphertalk.examples.console.CommandParser parser =
        new io.ciphertalk.examples.console.CommandParser();
    java.util.regex.Pattern inline = java.util.regex.Pattern.compile("`(/[a-z]+)([^`]*)`");
    int checked = 0;
    for (String doc : DOCS) {
      java.util.regex.Matcher m = inline.matcher(Files.readString(root().resolve(doc)));
      while (m.find()) {
        if (NOT_CONSOLE.contains(m.group(1)) || m.group(2).startsWith("/")) {
          continue;
        }
        String line = (m.group(1) + m.group(2)).replaceAll("\\bN\\b", "2")
            .replace("NUMBER", "123456789012").replace("USER", "bob");
        try {
          parser.parse(line);
        } catch (io.ciphertalk.examples.console.CommandSyntaxException e) {
          assertThat(m.group(2)).as(doc + ": `" + m.group() + "` is refused: " + e.getMessage())
              .isEmpty();
          assertThat(e.getMessage()).as(doc + ": " + m.group()).doesNotContain("unknown command");
        }
        checked++;
      }
    }
    // the console sessions shown as plain fenced blocks (no language): command, spaces, comment
    List<String> guide = Files.readAllLines(root().resolve("docs/getting-started.md"));
    String fence = null;
    for (int i = 0; i < guide.size(); i++) {
      String l = guide.get(i).strip();
      if (l.startsWith("```")) {
        fence = fence == null ? l.substring(3) : null;
        continue;
      }
      if ("".equals(fence) && l.startsWith("/")) {
        String command = l.split("\\s{2,}")[0];
        try {
          parser.parse(command);
        } catch (io.ciphertalk.examples.console.CommandSyntaxException e) {
          throw new AssertionError("getting-started.md:" + (i + 1) + ": " + command + ": "
              + e.getMessage(), e);
        }
        checked++;
      }
    }
    assertThat(checked).as("console commands checked").isGreaterThan(20);
  }

  /**
   * Every option the getting-started guide and the README name inline ({@code `--store alice.db`},
   * {@code `--device 2`}) is an option of the console, the embedded host or the standalone server,
   * and the line limit they give is the console's.
   */
  @Test
  void everyOptionNamedInTheGuideAndReadme_isAnOptionOfAProgram_andTheLineLimitIsTheConsoles()
      throws Exception {
    java.util.Set<String> known = new java.util.HashSet<>();
    known.addAll(ConsoleMain.commandLine((o, p, l) -> {
      throw new AssertionError();
    }).getCommandSpec().optionsMap().keySet());
    known.addAll(new CommandLine(new EmbeddedHost()).getCommandSpec().optionsMap().keySet());
    java.io.ByteArrayOutputStream usage = new java.io.ByteArrayOutputStream();
    try {
      java.lang.reflect.Method run = Class.forName("io.ciphertalk.server.internal.cli.Main")
          .getDeclaredMethod("run", String[].class, java.io.PrintStream.class, java.io.PrintStream.class);
      run.setAccessible(true);
      run.invoke(null, new String[] {"--help"}, new java.io.PrintStream(usage, true),
          new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot call the server's argument parser", e);
    }
    java.util.regex.Matcher serverFlag = java.util.regex.Pattern.compile("(--[a-z][a-z-]+)")
        .matcher(usage.toString());
    while (serverFlag.find()) {
      known.add(serverFlag.group(1));
    }
    // Maven's own options, and the jar classifiers the README names
    java.util.Set<String> notOurs = java.util.Set.of("-B", "-q", "-pl", "-am", "-DskipTests",
        "-sources", "-javadoc");
    java.util.regex.Pattern inline = java.util.regex.Pattern.compile("`([^`]*)`");
    java.util.regex.Pattern option = java.util.regex.Pattern.compile("(?<![\\w-])(--?[a-zA-Z][a-zA-Z-]*)");
    int checked = 0;
    for (String doc : List.of("docs/getting-started.md", "README.md")) {
      String text = Files.readString(root().resolve(doc)).replaceAll("(?s)```.*?```", "");
      java.util.regex.Matcher code = inline.matcher(text);
      while (code.find()) {
        if (code.group(1).startsWith("./mvnw") || code.group(1).startsWith("java ")
            || code.group(1).startsWith("-Dorg.")) {
          continue; // whole commands: checked by everyCommand_... when in a sh block
        }
        java.util.regex.Matcher o = option.matcher(code.group(1));
        while (o.find()) {
          if (notOurs.contains(o.group(1))) {
            continue;
          }
          assertThat(known).as(doc + ": `" + code.group(1) + "` names " + o.group(1)
              + ", an option of no program").contains(o.group(1));
          checked++;
        }
      }
    }
    assertThat(checked).as("options checked").isGreaterThan(10);
    String guide = Files.readString(root().resolve("docs/getting-started.md")).replaceAll("\\s+", " ");
    String limit = String.format(java.util.Locale.ROOT, "%,d",
        io.ciphertalk.examples.console.CommandParser.MAX_LINE);
    assertThat(guide).contains("at most " + limit + " characters");
    assertThat(new io.ciphertalk.examples.console.Renderer(java.time.ZoneId.of("UTC")).help())
        .anySatisfy(l -> assertThat(l).contains("at most "
            + io.ciphertalk.examples.console.CommandParser.MAX_LINE + " characters"));
  }

  /**
   * The default addresses the README and getting-started give ({@code ws://localhost:8000/ws},
   * {@code http://localhost:8080/}) are the embedded host's, the console's and the server's.
   */
  @Test
  void theDefaultAddresses_areTheHostsTheConsolesAndTheServers() throws Exception {
    assertThat(Files.readString(root().resolve("README.md")).replaceAll("\\s+", " ")).contains(
        "listen on `ws://localhost:8000/ws` and `http://localhost:8080/` by default");
    assertThat(Files.readString(root().resolve("docs/getting-started.md")).replaceAll("\\s+", " "))
        .contains("It listens on `ws://localhost:8000/ws` (WebSocket) and `http://localhost:8080`");
    CommandLine.Model.CommandSpec host = new CommandLine(new EmbeddedHost()).getCommandSpec();
    assertThat(host.findOption("--ws-port").defaultValue()).isEqualTo("8000");
    assertThat(host.findOption("--http-port").defaultValue()).isEqualTo("8080");
    CommandLine.Model.CommandSpec console = ConsoleMain.commandLine((o, p, l) -> {
      throw new AssertionError();
    }).getCommandSpec();
    java.net.URI ws = java.net.URI.create(console.findOption("--server").defaultValue());
    assertThat(ws).isEqualTo(java.net.URI.create("ws://localhost:8000/ws"));
    assertThat(io.ciphertalk.examples.console.ConsoleApp.Options.defaultHttp(ws))
        .isEqualTo(java.net.URI.create("http://localhost:8080/"));
    // the standalone server's (its builder's defaults are checked by ServerGuideLimitsTest)
    java.io.ByteArrayOutputStream usage = new java.io.ByteArrayOutputStream();
    java.lang.reflect.Method run = Class.forName("io.ciphertalk.server.internal.cli.Main")
        .getDeclaredMethod("run", String[].class, java.io.PrintStream.class, java.io.PrintStream.class);
    run.setAccessible(true);
    run.invoke(null, new String[] {"--help"}, new java.io.PrintStream(usage, true),
        new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
    assertThat(usage.toString()).contains("--ws-port N       WebSocket port (default 8000;",
        "--http-port N     HTTP port (default 8080;");
  }

  /**
   * The README's troubleshooting quotes two errors: a port another process holds
   * ({@code server failed to start: ... Address already in use}) and a second server on the same
   * H2 directory ({@code Database may be already in use}; a second process, since H2 shares an
   * open database inside one JVM).
   */
  @Test
  void troubleshooting_aTakenPort_andADataDirectoryInUse_giveTheQuotedErrors(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertThat(Files.readString(root().resolve("README.md"))).contains(
        "`server failed to start: ... Address already in use`", "`Database may be already in use`");
    try (io.ciphertalk.server.CipherTalkServer first = io.ciphertalk.server.CipherTalkServer.builder()
        .wsPort(0).httpPort(0).dataDirectory(dir).build().start()) {
      assertThatThrownBy(() -> io.ciphertalk.server.CipherTalkServer.builder()
          .wsPort(first.wsPort()).httpPort(0).inMemoryDatabase().build().start())
          .hasMessageStartingWith("server failed to start: ")
          .hasMessageContaining("Address already in use");

      Process second = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), "io.ciphertalk.server.internal.cli.Main",
          "--data", dir.toString(), "--ws-port", "0", "--http-port", "0")
          .redirectErrorStream(true).start();
      try {
        boolean ended = second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ended).as("the second server refuses to start (it must not run)").isTrue();
        String output = new String(second.getInputStream().readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
        assertThat(second.exitValue()).as(output).isNotZero();
        assertThat(output).contains("Database may be already in use");
      } finally {
        second.destroyForcibly();
      }
    }
  }

  /**
   * getting-started.md's restart promises, walked: the host restarted with the same {@code --data}
   * comes back with its bot and accounts, and a console restarted with the same {@code --store}
   * asks only for the store's passphrase.
   */
  @Test
  void gettingStarted_restartWithData_andWithStore_work(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    String guide = Files.readString(root().resolve("docs/getting-started.md"));
    assertThat(guide).contains("`--data ./data`", "`--store alice.db`", "only the passphrase");
    Path store = dir.resolve("alice.db");
    java.time.Duration wait = java.time.Duration.ofSeconds(20);
    for (int run = 1; run <= 2; run++) {
      EmbeddedHost host = new EmbeddedHost();
      new CommandLine(host).parseArgs("--data", dir.resolve("data").toString(), "--ws-port", "0",
          "--http-port", "0");
      try (EmbeddedHost started = host.start();
          io.ciphertalk.examples.console.ConsoleDriver alice =
              io.ciphertalk.examples.console.ConsoleDriver.start("alice",
                  io.ciphertalk.examples.console.ConsoleApp.Options.of(started.webSocketUri(),
                      started.httpUri(), "alice", run == 1).withStore(store),
                  new io.ciphertalk.examples.console.DefaultClientFactory(), l -> { })) {
        alice.type("the store passphrase");
        if (run == 1) {
          alice.type("alice's password");
        }
        alice.awaitLine("signed in as alice", wait);
        if (run == 2) {
          assertThat(alice.transcript()).noneMatch(l -> l.contains("password for alice"));
        }
        alice.type("/dm echo");
        alice.type("run " + run);
        alice.awaitLine("echo: run " + run, wait);
        alice.quit(wait);
      }
    }
  }

  /**
   * getting-started.md's other restart promises, walked with the embedded host: after a restart
   * with the same {@code --data} the messages waiting for delivery are still there (bob, offline
   * across the restart, gets what alice sent him before it), and a console with {@code --store}
   * starts while the host is down, shows its local history with the same numbers, queues what is
   * typed and sends it when the host is back.
   */
  @Test
  void gettingStarted_restartWithData_keepsWaitingMessages_andAStoredConsoleWorksWhileTheHostIsDown(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    String guide = Files.readString(root().resolve("docs/getting-started.md")).replaceAll("\\s+", " ");
    assertThat(guide).contains("the accounts, the messages waiting for delivery and the bot are all"
        + " still there", "With a store the console also starts while the server is down: it shows"
        + " the local history, queues what you send and sends it when the server is back");
    java.time.Duration wait = java.time.Duration.ofSeconds(20);
    Path data = dir.resolve("data");
    Path aliceStore = dir.resolve("alice.db");
    Path bobStore = dir.resolve("bob.db");
    EmbeddedHost first = new EmbeddedHost();
    new CommandLine(first).parseArgs("--data", data.toString(), "--ws-port", "0", "--http-port", "0");
    java.net.URI ws;
    java.net.URI http;
    try (EmbeddedHost host = first.start()) {
      ws = host.webSocketUri();
      http = host.httpUri();
      try (io.ciphertalk.examples.console.ConsoleDriver alice = console("alice", ws, http, true,
          aliceStore)) {
        alice.type("the store passphrase");
        alice.type("alice's password");
        alice.awaitLine("signed in as alice", wait);
        try (io.ciphertalk.examples.console.ConsoleDriver bob = console("bob", ws, http, true,
            bobStore)) {
          bob.type("bob's store passphrase");
          bob.type("bob's password");
          bob.awaitLine("signed in as bob", wait);
          alice.type("/dm bob");
          alice.type("hello bob");
          bob.awaitLine("alice: hello bob", wait);
          bob.quit(wait);
        }
        alice.type("waiting for bob");
        // the bot's answer to a later message on the same socket: the server has the earlier one
        alice.type("/dm echo");
        alice.type("ping");
        alice.awaitLine("echo: ping", wait);
        alice.quit(wait);
      }
    }
    // The host is down: alice's console starts from its store and queues.
    io.ciphertalk.examples.console.ConsoleDriver alice = console("alice-offline", ws, http, false,
        aliceStore);
    try (alice) {
      alice.type("the store passphrase");
      alice.awaitLine("* offline:", wait);
      alice.type("/dm bob");
      assertThat(alice.awaitLine("alice: hello bob", wait)).startsWith("[1] ");
      alice.type("sent while the host was down");
      alice.awaitLine("sent while the host was down [queued]", wait);

      EmbeddedHost second = new EmbeddedHost();
      new CommandLine(second).parseArgs("--data", data.toString(), "--ws-port",
          String.valueOf(ws.getPort()), "--http-port", String.valueOf(http.getPort()));
      try (EmbeddedHost host = second.start();
          io.ciphertalk.examples.console.ConsoleDriver bob = console("bob-again", ws, http, false,
              bobStore)) {
        alice.awaitLine("* connected", java.time.Duration.ofSeconds(90));
        bob.type("bob's store passphrase");
        bob.awaitLine("signed in as bob", wait);
        bob.awaitLine("alice: waiting for bob", wait);
        bob.awaitLine("alice: sent while the host was down", java.time.Duration.ofSeconds(90));
        alice.type("/dm echo");
        alice.type("still there?");
        alice.awaitLine("echo: still there?", wait);
        bob.quit(wait);
        alice.quit(wait);
      }
    }
  }

  private static io.ciphertalk.examples.console.ConsoleDriver console(String name, java.net.URI ws,
      java.net.URI http, boolean register, Path store) throws IOException {
    String user = name.split("-")[0];
    return io.ciphertalk.examples.console.ConsoleDriver.start(name,
        io.ciphertalk.examples.console.ConsoleApp.Options.of(ws, http, user, register)
            .withStore(store),
        new io.ciphertalk.examples.console.DefaultClientFactory(), l -> { });
  }
}
