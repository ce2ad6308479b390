package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every case of Wycheproof's {@code hkdf_sha256_test.json} (which includes the RFC 5869 cases)
 * against {@link HkdfSha256}. The only invalid cases ask for more than 255 * 32 bytes of output,
 * which RFC 5869 forbids; asking for that is a programming error, so it raises
 * {@link IllegalArgumentException}. The file has no {@code acceptable} cases.
 */
class HkdfSha256WycheproofTest {

  @Test
  void everyVector_derivesTheExpectedOutput_andOversizeRequestsAreRefused() {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases("hkdf_sha256_test.json")) {
      try {
        byte[] ikm = c.bytes("ikm");
        byte[] salt = c.bytes("salt");
        byte[] info = c.bytes("info");
        int size = c.intField("size");
        if (c.isValid()) {
          assertThat(HkdfSha256.instance().derive(ikm, salt, info, size)).isEqualTo(c.bytes("okm"));
          // The two-step API gives the same bytes.
          assertThat(HkdfSha256.expand(HkdfSha256.extract(salt, ikm), info, size))
              .isEqualTo(c.bytes("okm"));
          tally.add(c.hasFlag("EmptySalt") ? "valid, empty salt" : "valid");
        } else {
          assertThat(c.isInvalid()).isTrue();
          assertThat(c.hasFlag("SizeTooLarge")).isTrue();
          assertThatThrownBy(() -> HkdfSha256.instance().derive(ikm, salt, info, size))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("output length");
          tally.add("size too large: refused");
        }
      } catch (AssertionError | RuntimeException e) {
        failures.add(c.describe() + ": " + e);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(tally.total()).isEqualTo(86);
    assertThat(tally.counts().get("size too large: refused")).isEqualTo(3);
    assertThat(tally.counts().get("valid, empty salt")).isPositive();
    assertThat(tally.counts().get("valid") + tally.counts().get("valid, empty salt")).isEqualTo(83);
  }

  @Test
  void maximalOutputLength_isAllowed_andOneMoreByteIsNot() {
    byte[] ikm = new byte[32];
    assertThat(HkdfSha256.instance().derive(ikm, new byte[0], new byte[0], 8160)).hasSize(8160);
    assertThatThrownBy(() -> HkdfSha256.instance().derive(ikm, new byte[0], new byte[0], 8161))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HkdfSha256.instance().derive(ikm, new byte[0], new byte[0], -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
