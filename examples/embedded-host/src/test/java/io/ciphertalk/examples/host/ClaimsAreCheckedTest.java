package io.ciphertalk.examples.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/claims.md and the tests the docs name honest:
 * <ul>
 *   <li>every row of docs/claims.md quotes its doc word for word (so a claim that changes or goes
 *       away fails here until the table follows) and names at least one test, each existing;</li>
 *   <li>every test the docs name ({@code `PrivacyTest.stranger_cannotDrainOneTimePrekeys...`} in
 *       threat-model.md, server-guide.md, ...) exists as a test method in the source tree; a name
 *       followed by {@code ...} or ending in {@code _} names the start of a test's name.</li>
 * </ul>
 */
class ClaimsAreCheckedTest {
  /** A test class or method named in the docs: {@code FooTest}, {@code FooTest.bar_baz}. */
  static final Pattern TEST_REF = Pattern.compile(
      "\\b([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*(?:Test|IT))\\b(?!\\.java)(?:\\.([a-zA-Z0-9_]+))?(\\.\\.\\.)?");

  /** The test methods of a source file, by the declaration a test annotation precedes. */
  static final Pattern TEST_METHOD = Pattern.compile(
      "@(?:Test|ParameterizedTest|RepeatedTest|TestFactory)\\b[^;]*?\\bvoid\\s+([A-Za-z0-9_]+)\\s*\\(",
      Pattern.DOTALL);

  /** {@code class FooTest extends BarTest}: FooTest runs BarTest's tests too. */
  static final Pattern EXTENDS = Pattern.compile("\\bclass\\s+([A-Za-z0-9]+)\\s+extends\\s+([A-Za-z0-9]+)");

  /**
   * Test classes by simple name: the test methods each declares (all files of that name) or
   * inherits from a test class it extends.
   */
  static Map<String, List<String>> testClasses() {
    Map<String, List<String>> classes = new HashMap<>();
    Map<String, String> parents = new HashMap<>();
    try (Stream<Path> files = Files.walk(DocsAreCheckedTest.root())) {
      for (Path f : files.filter(f -> f.toString().endsWith(".java")
          && f.toString().contains("/src/test/java/") && !f.toString().contains("/target/")
          && !f.toString().contains("/.")).toList()) {
        String name = f.getFileName().toString().replace(".java", "");
        String source = Files.readString(f);
        List<String> methods = classes.computeIfAbsent(name, k -> new ArrayList<>());
        Matcher m = TEST_METHOD.matcher(source);
        while (m.find()) {
          methods.add(m.group(1));
        }
        Matcher e = EXTENDS.matcher(source);
        if (e.find() && e.group(1).equals(name)) {
          parents.put(name, e.group(2));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, List<String>> withInherited = new HashMap<>();
    classes.forEach((name, methods) -> {
      List<String> all = new ArrayList<>(methods);
      for (String p = parents.get(name); p != null && classes.containsKey(p); p = parents.get(p)) {
        all.addAll(classes.get(p));
      }
      withInherited.put(name, all);
    });
    return withInherited;
  }

  /**
   * Asserts that the test a doc names exists: the class, and the method if one is named (as a
   * prefix when {@code prefix}).
   */
  static void assertExists(Map<String, List<String>> classes, String where, String type,
      String method, boolean prefix) {
    assertThat(classes).as(where + ": no test class " + type).containsKey(type);
    assertThat(classes.get(type)).as(where + ": " + type + " has no test methods").isNotEmpty();
    if (method == null) {
      return;
    }
    boolean found = classes.get(type).stream()
        .anyMatch(m -> prefix ? m.startsWith(method) : m.equals(method));
    assertThat(found).as(where + ": no test " + type + "." + method + (prefix ? "..." : "")
        + " (its tests: " + classes.get(type) + ")").isTrue();
  }

  @Test
  void everyTestNamedInTheDocs_existsAsATestMethod() throws IOException {
    Map<String, List<String>> classes = testClasses();
    List<String> docs = new ArrayList<>(List.of("README.md", "benchmarks/README.md"));
    try (Stream<Path> files = Files.list(DocsAreCheckedTest.root().resolve("docs"))) {
      files.filter(f -> f.toString().endsWith(".md"))
          .forEach(f -> docs.add("docs/" + f.getFileName()));
    }
    int checked = 0;
    for (String doc : docs) {
      List<String> lines = Files.readAllLines(DocsAreCheckedTest.root().resolve(doc));
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = TEST_REF.matcher(lines.get(i));
        while (m.find()) {
          String method = m.group(2);
          assertExists(classes, doc + ":" + (i + 1), m.group(1), method,
              method != null && (m.group(3) != null || method.endsWith("_")));
          checked++;
        }
      }
    }
    assertThat(checked).as("test references checked").isGreaterThan(100);
  }

  @Test
  void everyRowOfTheClaimsTable_quotesItsDoc_andNamesExistingTests() throws IOException {
    Map<String, List<String>> classes = testClasses();
    Pattern where = Pattern.compile("`([^`]+\\.md)`: \"([^\"]+)\"");
    Map<String, String> docs = new HashMap<>();
    List<String> lines = Files.readAllLines(DocsAreCheckedTest.root().resolve("docs/claims.md"));
    int rows = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith("| ") || line.startsWith("| claim") || line.startsWith("| ---")) {
        continue;
      }
      String[] cells = line.split(" \\| ");
      assertThat(cells).as("claims.md:" + (i + 1) + ": | claim | where | checked by |").hasSize(3);
      Matcher w = where.matcher(cells[1]);
      assertThat(w.find()).as("claims.md:" + (i + 1) + ": where is `doc.md`: \"quote\"").isTrue();
      do {
        String text = docs.computeIfAbsent(w.group(1), d -> {
          try {
            return Files.readString(DocsAreCheckedTest.root().resolve(d)).replaceAll("\\s+", " ");
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
        assertThat(text).as("claims.md:" + (i + 1) + ": " + w.group(1) + " no longer says it")
            .contains(w.group(2));
      } while (w.find());
      Matcher t = TEST_REF.matcher(cells[2]);
      int tests = 0;
      while (t.find()) {
        String method = t.group(2);
        assertExists(classes, "claims.md:" + (i + 1), t.group(1), method,
            method != null && (t.group(3) != null || method.endsWith("_")));
        tests++;
      }
      assertThat(tests).as("claims.md:" + (i + 1) + " names no test").isPositive();
      rows++;
    }
    assertThat(rows).as("claims in docs/claims.md").isGreaterThan(40);
  }

  /**
   * The limits protocol.md states in its tables (the wire's field limits, the JSON parser's limits,
   * the 1:1 session's) are the code's constants: each row, found by its first cell, gives the
   * numbers the constants hold, in order.
   */
  @Test
  void protocolLimits_inTheSpecsTables_areTheCodesConstants() throws IOException {
    Map<String, List<Integer>> rows = new java.util.LinkedHashMap<>();
    rows.put("`hello.token`", List.of(io.ciphertalk.core.wire.Limits.MAX_TOKEN_CHARS));
    rows.put("`hello.client`", List.of(io.ciphertalk.core.wire.Limits.MAX_CLIENT_CHARS));
    rows.put("room `name` / `description`", List.of(io.ciphertalk.core.wire.Limits.MAX_ROOM_NAME_CHARS,
        io.ciphertalk.core.wire.Limits.MAX_DESCRIPTION_CHARS));
    rows.put("contact `nickname`", List.of(io.ciphertalk.core.wire.Limits.MAX_NICKNAME_CHARS));
    rows.put("`error.message`, `notice.message`", List.of(io.ciphertalk.core.wire.Limits.MAX_MESSAGE_CHARS));
    rows.put("`identityKey`", List.of(io.ciphertalk.core.wire.Limits.MAX_IDENTITY_KEY_BYTES));
    rows.put("prekey `publicKey` / `signature`", List.of(io.ciphertalk.core.wire.Limits.MAX_PUBLIC_KEY_BYTES,
        io.ciphertalk.core.wire.Limits.MAX_SIGNATURE_BYTES));
    rows.put("any `ciphertext`", List.of(io.ciphertalk.core.wire.Limits.MAX_CIPHERTEXT_BYTES));
    rows.put("`recipients` in `send` and `sender_key`", List.of(io.ciphertalk.core.wire.Limits.MAX_RECIPIENTS));
    rows.put("`oneTimePreKeys` / `oneTimeKemPreKeys`", List.of(
        io.ciphertalk.core.wire.Limits.MAX_ONE_TIME_PREKEYS, io.ciphertalk.core.wire.Limits.MAX_ONE_TIME_KEM_PREKEYS));
    rows.put("`messageIds` in receipts", List.of(io.ciphertalk.core.wire.Limits.MAX_RECEIPT_IDS));
    rows.put("room members, `room_add.users`, `room_create.members`", List.of(
        io.ciphertalk.core.wire.Limits.MAX_ROOM_MEMBERS));
    rows.put("`rooms` / `contacts` / `bundles` / presence users", List.of(io.ciphertalk.core.wire.Limits.MAX_ROOMS,
        io.ciphertalk.core.wire.Limits.MAX_CONTACTS, io.ciphertalk.core.wire.Limits.MAX_BUNDLES,
        io.ciphertalk.core.wire.Limits.MAX_PRESENCE_USERS));
    rows.put("`history.deliveries`, `history_fetch.limit`", List.of(io.ciphertalk.core.wire.Limits.MAX_HISTORY_ITEMS));
    rows.put("nesting depth of arrays/objects", List.of(io.ciphertalk.core.wire.Limits.MAX_NESTING_DEPTH));
    rows.put("characters of one number", List.of(io.ciphertalk.core.wire.Limits.MAX_NUMBER_CHARS));
    rows.put("characters of one object key", List.of(io.ciphertalk.core.wire.Limits.MAX_KEY_CHARS));
    rows.put("Skipped keys per received message, per chain (`MAX_SKIP`)", List.of(
        io.ciphertalk.crypto.session.Session.MAX_SKIP));
    rows.put("Skipped keys kept in total (`MAX_SKIPPED_KEYS`)", List.of(
        io.ciphertalk.crypto.session.Session.MAX_SKIPPED_KEYS));
    List<String> spec = Files.readAllLines(DocsAreCheckedTest.root().resolve("docs/protocol.md"));
    for (Map.Entry<String, List<Integer>> row : rows.entrySet()) {
      String line = spec.stream().filter(l -> l.startsWith("| " + row.getKey() + " | ")).findFirst()
          .orElseThrow(() -> new AssertionError("protocol.md has no row " + row.getKey()));
      // the value cell, without its notes in parentheses
      String value = line.substring(("| " + row.getKey() + " | ").length()).split(" \\| ")[0]
          .replaceAll("\\([^)]*\\)", "");
      List<Integer> numbers = new ArrayList<>();
      Matcher n = Pattern.compile("\\d[\\d,]*").matcher(value);
      while (n.find()) {
        numbers.add(Integer.parseInt(n.group().replace(",", "")));
      }
      assertThat(numbers).as("protocol.md: " + line).isEqualTo(row.getValue());
    }
    String text = String.join(" ", spec).replaceAll("\\s+", " ");
    assertThat(text).contains("**1 MiB** (1,048,576 bytes;");
    assertThat(io.ciphertalk.core.wire.Limits.DEFAULT_MAX_FRAME_BYTES).isEqualTo(1_048_576);
    assertThat(text).contains("| Plaintext per message | 1 MiB (`Session.MAX_PLAINTEXT_LENGTH`) |");
    assertThat(io.ciphertalk.crypto.session.Session.MAX_PLAINTEXT_LENGTH).isEqualTo(1 << 20);
  }
}
