package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads Wycheproof vector files from the test class path ({@code /wycheproof/...}; never from
 * outside the repository) and tallies what a test did with each case, so that a run that silently
 * visits nothing (a renamed field, an empty file) fails on its count assertions.
 */
final class Wycheproof {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One test case with the group it belongs to. */
  record Case(String file, JsonNode group, JsonNode test) {
    int tcId() {
      return test.get("tcId").asInt();
    }

    String result() {
      return test.get("result").asText();
    }

    boolean isValid() {
      return "valid".equals(result());
    }

    boolean isInvalid() {
      return "invalid".equals(result());
    }

    boolean isAcceptable() {
      return "acceptable".equals(result());
    }

    boolean hasFlag(String flag) {
      for (JsonNode f : test.path("flags")) {
        if (flag.equals(f.asText())) {
          return true;
        }
      }
      return false;
    }

    /** The hex field {@code name} of the test, decoded. */
    byte[] bytes(String name) {
      return hex(field(test, name));
    }

    /** The hex field {@code name} of the group, decoded. */
    byte[] groupBytes(String name) {
      return hex(field(group, name));
    }

    int groupInt(String name) {
      return field(group, name).asInt();
    }

    int intField(String name) {
      return field(test, name).asInt();
    }

    /** A label for assertion messages. */
    String describe() {
      return file + " tcId " + tcId() + " (" + result() + ", " + test.path("comment").asText() + ", "
          + test.path("flags") + ")";
    }

    private JsonNode field(JsonNode node, String name) {
      JsonNode v = node.get(name);
      if (v == null) {
        throw new AssertionError(file + ": missing field '" + name + "' in tcId " + tcId());
      }
      return v;
    }
  }

  private Wycheproof() {}

  /** Every case of {@code /wycheproof/<file>}, in file order. Checks {@code numberOfTests}. */
  static List<Case> cases(String file) {
    JsonNode root = load(file);
    List<Case> out = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode group : root.get("testGroups")) {
      for (JsonNode test : group.get("tests")) {
        Case c = new Case(file, group, test);
        assertThat(ids.add(c.tcId())).as("duplicate tcId %s in %s", c.tcId(), file).isTrue();
        out.add(c);
      }
    }
    assertThat(out).as("cases in %s", file).hasSize(root.get("numberOfTests").asInt());
    return out;
  }

  static JsonNode load(String file) {
    try (InputStream in = Wycheproof.class.getResourceAsStream("/wycheproof/" + file)) {
      if (in == null) {
        throw new AssertionError("test resource /wycheproof/" + file + " is missing");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] hex(JsonNode node) {
    String s = node.asText();
    if (s.length() % 2 != 0) {
      throw new AssertionError("odd-length hex: " + s);
    }
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  /**
   * Counts outcomes under names chosen by the test (e.g. {@code "valid accepted"}), so a test can
   * assert exactly how many cases went down each path.
   */
  static final class Tally {
    private final Map<String, Integer> counts = new TreeMap<>();

    void add(String outcome) {
      counts.merge(outcome, 1, Integer::sum);
    }

    Map<String, Integer> counts() {
      return counts;
    }

    int total() {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public String toString() {
      return counts.toString();
    }
  }
}
