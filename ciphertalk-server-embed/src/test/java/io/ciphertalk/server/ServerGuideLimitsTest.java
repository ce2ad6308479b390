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
  void everyTestNamedInTheSecurityTable_exists() throws Exception {
    Pattern test = Pattern.compile("`([A-Z][A-Za-z]+Test)\\.([a-zA-Z0-9_]+)`");
    int checked = 0;
    for (String line : section(guide(), "## Security")) {
      Matcher m = test.matcher(line);
      while (m.find()) {
        Class<?> c = testClass(m.group(1));
        assertThat(Arrays.stream(c.getDeclaredMethods()).anyMatch(x -> x.getName().equals(m.group(2))))
            .as(m.group()).isTrue();
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(15);
  }

  /** A test class named in the guide, looked up in the server module's test packages. */
  private static Class<?> testClass(String simpleName) throws ClassNotFoundException {
    for (String pkg : new String[] {"io.ciphertalk.server.", "io.ciphertalk.server.internal.", "io.ciphertalk.e2e."}) {
      try {
        return Class.forName(pkg + simpleName);
      } catch (ClassNotFoundException e) {
        // try the next package
      }
    }
    throw new ClassNotFoundException(simpleName + " in the server module's test packages");
  }
}
