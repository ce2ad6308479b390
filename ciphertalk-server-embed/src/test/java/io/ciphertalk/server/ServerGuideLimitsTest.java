package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.internal.cli.MainAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/server-guide.md's "Limits" and "Security" tables cannot drift from the code. */
class ServerGuideLimitsTest {

  private static List<String> guide() throws Exception {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    assertThat(p).as("repository root").isNotNull();
    return Files.readAllLines(p.resolve("docs/server-guide.md"));
  }

  private static List<String> section(List<String> lines, String heading) {
    int from = lines.indexOf(heading);
    assertThat(from).as(heading).isNotNegative();
    int to = from + 1;
    while (to < lines.size() && !lines.get(to).startsWith("## ")) {
      to++;
    }
    return lines.subList(from, to);
  }

  @Test
  void everyFlagInTheLimitsTable_isAcceptedWithItsDocumentedDefault() throws Exception {
    Pattern flag = Pattern.compile("`(--[a-z-]+) (\\d+)`");
    int checked = 0;
    for (String line : section(guide(), "## Limits")) {
      Matcher m = flag.matcher(line);
      if (!m.find()) {
        continue;
      }
      // --help stops the parser after the options, before anything starts.
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status = MainAccess.run(new String[] {m.group(1), m.group(2), "--help"},
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(status).as(line + ": " + err.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains(m.group(1));
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(10);
  }

  @Test
  void everyTestNamedInTheSecurityTables_exists() throws Exception {
    Pattern test = Pattern.compile("`([A-Z][A-Za-z]+Test)\\.([a-zA-Z0-9_]+)`");
    int checked = 0;
    List<String> lines = new java.util.ArrayList<>(section(guide(), "## Security"));
    lines.addAll(section(guide(), "## Account security"));
    for (String line : lines) {
      Matcher m = test.matcher(line);
      while (m.find()) {
        Class<?> c = testClass(m.group(1));
        assertThat(Arrays.stream(c.getDeclaredMethods()).anyMatch(x -> x.getName().equals(m.group(2))))
            .as(m.group()).isTrue();
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(40);
  }

  /** The standalone server's usage text ({@code --help}). */
  private static String usage() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = MainAccess.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(status).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The defaults of the flag table ({@code | `--ws-port N` | `8000` |}) and of the Limits table
   * ({@code `--max-message-bytes 262144`}) are the ones the server's {@code --help} states.
   */
  @Test
  void everyDefaultInTheFlagTables_isTheOneTheServersHelpStates() throws Exception {
    List<String> help = Arrays.asList(usage().split("\\R"));
    Pattern flagRow = Pattern.compile("^\\| `(--[a-z-]+)(?: [A-Z_]+)?` \\| `([^`]+)` \\|");
    Pattern limitRow = Pattern.compile("\\| `(--[a-z-]+) (\\d+)` \\|");
    int checked = 0;
    for (String line : guide()) {
      Matcher m = flagRow.matcher(line);
      if (!m.find()) {
        m = limitRow.matcher(line);
        if (!m.find()) {
          continue;
        }
      }
      String flag = m.group(1);
      String value = m.group(2);
      assertThat(help).as(line + ": --help states the default of " + flag)
          .anySatisfy(h -> assertThat(h.strip()).startsWith(flag + " ")
              .containsPattern("\\(default " + Pattern.quote(value) + "[;)]"));
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(25);
  }

  /**
   * The builder reference's defaults ({@code | `tokenTtl(Duration)` | 14 days |}) are the
   * builder's: each row's default, read as numbers, sizes, durations and switches, equals the
   * builder fields behind that method in a fresh {@link CipherTalkServer.Builder}.
   */
  @Test
  void everyDefaultInTheBuilderReference_isTheBuildersDefault() throws Exception {
    // builder method -> the fields it sets, in the order of the default's parts
    java.util.Map<String, List<String>> fields = new java.util.HashMap<>();
    fields.put("wsPort", List.of("wsPort", "httpPort"));
    fields.put("bindAddress", List.of("bindAddress"));
    fields.put("dataDirectory", List.of("dataDirectory"));
    fields.put("maxFrameBytes", List.of("maxFrameBytes"));
    fields.put("maxCiphertextBytes", List.of("maxCiphertextBytes"));
    fields.put("maxHttpBodyBytes", List.of("maxHttpBodyBytes"));
    fields.put("maxOutboundBytes", List.of("maxOutboundBytes"));
    fields.put("slowConsumerTimeout", List.of("slowConsumerTimeout"));
    fields.put("maxConnections", List.of("maxConnections"));
    fields.put("maxConnectionsPerAddress", List.of("maxConnectionsPerAddress"));
    fields.put("preAuthLimits", List.of("preAuthMessageBytes", "preAuthBufferBytes"));
    fields.put("inboundBufferBytes", List.of("inboundBufferBytes"));
    fields.put("handshakeTimeout", List.of("handshakeTimeout"));
    fields.put("httpTimeouts", List.of("httpIdleTimeout", "httpRequestTimeout"));
    fields.put("maxHttpConnections", List.of("maxHttpConnections"));
    fields.put("initDatabase", List.of("initDatabase"));
    fields.put("maxConnectionsPerUser", List.of("maxConnectionsPerUser"));
    fields.put("maxInflightPerConnection", List.of("maxInflightPerConnection"));
    fields.put("rateLimit", List.of("messagesPerSecond", "messageBurst"));
    fields.put("authTimeout", List.of("authTimeout"));
    fields.put("pingInterval", List.of("pingInterval"));
    fields.put("tokenTtl", List.of("tokenTtl"));
    fields.put("tokenIdleTimeout", List.of("tokenIdle"));
    fields.put("loginRateLimit", List.of("loginAttemptsPerAccount", "loginAttemptsPerAddress", "loginWindow"));
    fields.put("loginLockout", List.of("firstLockout", "maxLockout"));
    fields.put("registrationRateLimit", List.of("registrationsPerAddress", "registrationWindow"));
    fields.put("inviteOnly", List.of("inviteOnly"));
    fields.put("bundleFetchLimits", List.of("bundleFetchesPerMinute", "strangerOneTimePrekeysPerHour"));
    fields.put("passwordHashing", List.of("argonMemoryKib", "argonIterations"));
    fields.put("maxRoomMembers", List.of("maxRoomMembers"));
    fields.put("prekeyLowThreshold", List.of("prekeyLowThreshold"));
    fields.put("typingTimeout", List.of("typingTtl"));
    fields.put("sweepInterval", List.of("sweepInterval"));
    fields.put("dedupeRetention", List.of("dedupeRetention"));
    fields.put("roomHistoryRetention", List.of("roomHistoryRetention"));
    fields.put("writeQueueCapacity", List.of("writeQueueCapacity"));
    fields.put("threads", List.of("readThreads", "httpThreads"));
    CipherTalkServer.Builder builder = CipherTalkServer.builder();
    Pattern row = Pattern.compile("^\\| `([a-zA-Z]+)\\([^`]*\\)`(?: / `[a-zA-Z]+\\([^`]*\\)`)? \\| ([^|]+) \\|");
    int checked = 0;
    for (String line : section(guide(), "### Builder reference")) {
      Matcher m = row.matcher(line);
      if (!m.find() || !fields.containsKey(m.group(1))) {
        continue;
      }
      String[] parts = m.group(2).replace("`", "").replace(" / ", ", ").split(", ");
      List<String> names = fields.get(m.group(1));
      assertThat(parts).as(line).hasSameSizeAs(names);
      for (int i = 0; i < parts.length; i++) {
        java.lang.reflect.Field f = CipherTalkServer.Builder.class.getDeclaredField(names.get(i));
        f.setAccessible(true);
        Object actual = f.get(builder);
        assertThat(normalise(actual)).as(line + ": " + names.get(i))
            .isEqualTo(parse(parts[i].strip(), names.get(i)));
      }
      checked++;
    }
    assertThat(checked).as("builder defaults checked").isEqualTo(fields.size());
  }

  private static Object normalise(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof java.net.InetAddress a) {
      return a.getHostAddress();
    }
    if (value instanceof Path p) {
      return p.normalize().toString();
    }
    return value;
  }

  /** {@code 256 KiB}, {@code 10,000}, {@code 50/s}, {@code 14 days}, {@code off}, {@code ./data}. */
  private static Object parse(String text, String field) {
    Matcher m = Pattern.compile("([\\d,]+)\\s*(KiB|MiB|s|min|h|days|/s)?").matcher(text);
    if (!m.matches()) {
      return switch (text) {
        case "off", "false" -> false;
        case "on", "true" -> true;
        default -> text.startsWith("./") ? Path.of(text).normalize().toString() : text;
      };
    }
    long n = Long.parseLong(m.group(1).replace(",", ""));
    String unit = m.group(2) == null ? "" : m.group(2);
    return switch (unit) {
      // a field counted in KiB keeps the number as written
      case "KiB" -> (double) (field.endsWith("Kib") ? n : n * 1024);
      case "MiB" -> (double) (n * 1024 * 1024);
      case "s" -> java.time.Duration.ofSeconds(n);
      case "min" -> java.time.Duration.ofMinutes(n);
      case "h" -> java.time.Duration.ofHours(n);
      case "days" -> java.time.Duration.ofDays(n);
      default -> (double) n;
    };
  }

  /** A test class named in the guide, looked up in the server module's test packages. */
  private static Class<?> testClass(String simpleName) throws ClassNotFoundException {
    for (String pkg : new String[] {"io.ciphertalk.server.", "io.ciphertalk.server.internal.", "io.ciphertalk.server.internal.cli.", "io.ciphertalk.e2e."}) {
      try {
        return Class.forName(pkg + simpleName);
      } catch (ClassNotFoundException e) {
        // try the next package
      }
    }
    throw new ClassNotFoundException(simpleName + " in the server module's test packages");
  }
}
