package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every case of Wycheproof's {@code ed25519_test.json} against {@link Ed25519.PublicKey#verify}:
 * every {@code valid} signature verifies; every {@code invalid} one (malleable {@code S >= L},
 * non-canonical {@code R}, truncated, padded or compressed signatures, wrong signatures) raises
 * {@link InvalidSignatureException}. Where {@link Ed25519.PublicKey#of} already refuses a group's
 * public key, every case in the group must be invalid. The file has no {@code acceptable} cases.
 */
class Ed25519WycheproofTest {

  @Test
  void everyVector_validSignaturesVerify_invalidAndNonCanonicalOnesAreRejected() {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    Wycheproof.Tally encodingCases = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases("ed25519_test.json")) {
      try {
        run(c, tally, encodingCases);
      } catch (AssertionError | Exception e) {
        failures.add(c.describe() + ": " + e);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(tally.counts().get("valid: verified")).isEqualTo(88);
    assertThat(
            tally.counts().getOrDefault("invalid: rejected by verify", 0)
                + tally.counts().getOrDefault("invalid: public key refused", 0))
        .isEqualTo(63);
    assertThat(tally.total()).isEqualTo(151);
    // Among the rejections: all 8 malleability cases (S >= L) and all 22 non-canonical encodings.
    assertThat(encodingCases.total()).isEqualTo(30);
  }

  private static void run(Wycheproof.Case c, Wycheproof.Tally tally, Wycheproof.Tally encodingCases) throws Exception {
    assertThat(c.isAcceptable()).isFalse();
    byte[] pk = Wycheproof.hex(c.group().get("publicKey").get("pk"));
    byte[] sig = c.bytes("sig");
    byte[] msg = c.bytes("msg");
    Ed25519.PublicKey key;
    try {
      key = Ed25519.PublicKey.of(pk);
    } catch (InvalidKeyMaterialException e) {
      assertThat(c.isInvalid()).as("public key refused for a valid case").isTrue();
      tally.add("invalid: public key refused");
      countEncodingCase(c, encodingCases);
      return;
    }
    if (c.isValid()) {
      key.verify(sig, msg);
      tally.add("valid: verified");
    } else {
      assertThatThrownBy(() -> key.verify(sig, msg)).isInstanceOf(InvalidSignatureException.class);
      tally.add("invalid: rejected by verify");
      countEncodingCase(c, encodingCases);
    }
  }

  private static void countEncodingCase(Wycheproof.Case c, Wycheproof.Tally encodingCases) {
    if (c.hasFlag("SignatureMalleability") || c.hasFlag("InvalidEncoding")) {
      encodingCases.add("rejected");
    }
  }
}
