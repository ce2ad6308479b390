package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every case of Wycheproof's {@code x25519_test.json} (RFC 7748 known answers, edge cases, twist
 * and low-order points) against {@link X25519.PrivateKey#agree}.
 *
 * <p>Every {@code valid} case must agree on exactly the vector's shared secret. The file marks 254
 * cases {@code acceptable}; CipherTalk decides them as follows:
 *
 * <ul>
 *   <li><b>Shared secret all zeros</b> (flag {@code ZeroSharedSecret}: low-order public points,
 *       including their non-canonical and small encodings): <b>rejected</b> with
 *       {@link InvalidKeyMaterialException}. RFC 7748 section 6.1 allows the check, and the Signal
 *       protocols require it: a peer must not be able to force a known shared secret.
 *   <li><b>Every other acceptable case</b> (points on the twist, non-canonical encodings of
 *       {@code u >= p}, special public keys, edge-case multiplications): <b>accepted</b>, and the
 *       result must equal the vector's. RFC 7748 section 5 defines these values (mask the top bit,
 *       reduce mod p) and section 7 recommends accepting them; the all-zero check above is the only
 *       public-key filter X25519 needs, because the result always passes through HKDF.
 * </ul>
 */
class X25519WycheproofTest {

  @Test
  void everyVector_validAgrees_zeroSecretsAreRejected_otherAcceptableCasesAgree() {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases("x25519_test.json")) {
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
                "valid: agreed", 264,
                "acceptable, all-zero secret: rejected", 31,
                "acceptable, non-zero secret: agreed", 223));
  }

  private static void run(Wycheproof.Case c, Wycheproof.Tally tally) throws Exception {
    assertThat(c.isInvalid()).as("the file has no invalid cases").isFalse();
    X25519.PrivateKey priv = X25519.PrivateKey.of(SecretBytes.copyOf(c.bytes("private")));
    X25519.PublicKey pub = X25519.PublicKey.of(c.bytes("public"));
    byte[] shared = c.bytes("shared");
    boolean zero = isAllZero(shared);
    assertThat(zero).as("ZeroSharedSecret flag agrees with the data").isEqualTo(c.hasFlag("ZeroSharedSecret"));
    if (zero) {
      assertThat(c.isAcceptable()).isTrue();
      assertThatThrownBy(() -> priv.agree(pub))
          .isInstanceOf(InvalidKeyMaterialException.class)
          .hasMessageContaining("all zeros");
      tally.add("acceptable, all-zero secret: rejected");
      return;
    }
    assertThat(priv.agree(pub).toByteArray()).isEqualTo(shared);
    tally.add(c.isValid() ? "valid: agreed" : "acceptable, non-zero secret: agreed");
  }

  private static boolean isAllZero(byte[] b) {
    int acc = 0;
    for (byte x : b) {
      acc |= x;
    }
    return acc == 0;
  }
}
