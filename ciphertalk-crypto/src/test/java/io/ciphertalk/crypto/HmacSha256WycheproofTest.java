package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every case of Wycheproof's {@code hmac_sha256_test.json} against {@link HmacSha256}.
 *
 * <p>Full-length (256-bit) tag groups run as the vector says. Decision for the truncated-tag
 * groups (tagSize 128): CipherTalk's {@link Mac#verify} accepts only full 32-byte tags, because no
 * CipherTalk protocol truncates HMAC and accepting short tags would weaken every caller. So for
 * those groups a {@code valid} vector proves the computation (the first 16 bytes of our tag equal
 * the vector's tag) and then {@code verify} must still reject the truncated tag; an
 * {@code invalid} vector must be rejected too. The file has no {@code acceptable} cases.
 */
class HmacSha256WycheproofTest {

  @Test
  void everyVector_fullTagsVerify_truncatedTagsAreRejected() {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases("hmac_sha256_test.json")) {
      try {
        run(c, tally);
      } catch (AssertionError | Exception e) {
        failures.add(c.describe() + ": " + e);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(tally.counts())
        .isEqualTo(
            Map.of(
                "full tag valid: computed and verified", 33,
                "full tag invalid: rejected", 54,
                "truncated tag valid: prefix matches, verify rejects", 33,
                "truncated tag invalid: rejected", 54));
  }

  private static void run(Wycheproof.Case c, Wycheproof.Tally tally) throws Exception {
    assertThat(c.isAcceptable()).isFalse();
    byte[] key = c.bytes("key");
    byte[] msg = c.bytes("msg");
    byte[] tag = c.bytes("tag");
    HmacSha256 mac = HmacSha256.create(SecretBytes.copyOf(key));
    byte[] computed = mac.compute(msg);
    assertThat(HmacSha256.computeWithKey(key, msg)).isEqualTo(computed);
    boolean full = c.groupInt("tagSize") == 256;
    assertThat(full || c.groupInt("tagSize") == 128).isTrue();
    if (c.isValid()) {
      if (full) {
        assertThat(computed).isEqualTo(tag);
        mac.verify(tag, msg);
        tally.add("full tag valid: computed and verified");
      } else {
        assertThat(Arrays.copyOf(computed, 16)).isEqualTo(tag);
        assertThatThrownBy(() -> mac.verify(tag, msg))
            .isInstanceOf(AuthenticationFailedException.class);
        tally.add("truncated tag valid: prefix matches, verify rejects");
      }
    } else {
      assertThatThrownBy(() -> mac.verify(tag, msg))
          .isInstanceOf(AuthenticationFailedException.class);
      tally.add(full ? "full tag invalid: rejected" : "truncated tag invalid: rejected");
    }
  }
}
