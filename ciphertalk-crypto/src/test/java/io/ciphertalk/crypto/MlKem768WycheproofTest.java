package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every case of Wycheproof's two ML-KEM-768 files against {@link MlKem768}.
 *
 * <ul>
 *   <li>{@code mlkem_768_test.json}: the key is rebuilt from the 64-byte seed {@code d || z}
 *       (FIPS 203 ML-KEM.KeyGen_internal) and must give the vector's encapsulation key; valid
 *       ciphertexts (including tampered ones, which take the implicit-rejection path) decapsulate to
 *       exactly {@code K}. Invalid cases have a seed or a ciphertext of the wrong length and must be
 *       refused with {@link InvalidKeyMaterialException}.
 *   <li>{@code mlkem_768_encaps_test.json}: encapsulation with the vector's {@code m} gives exactly
 *       {@code c} and {@code K}; invalid encapsulation keys (wrong length, or coefficients not
 *       reduced mod q: FIPS 203 section 7.2 modulus check) are refused by
 *       {@link MlKem768.PublicKey#of}.
 * </ul>
 *
 * Neither file has {@code acceptable} cases.
 */
class MlKem768WycheproofTest {

  @Test
  void decapsulationVectors_matchFromSeed_andBadLengthsAreRefused() {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases("mlkem_768_test.json")) {
      try {
        runDecaps(c, tally);
      } catch (AssertionError | Exception e) {
        failures.add(c.describe() + ": " + e);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(tally.counts())
        .isEqualTo(
            Map.of(
                "valid: K matches", 153,
                "invalid seed length: refused", 20,
                "invalid ciphertext length: refused", 20));
  }

  @Test
  void encapsulationVectors_matchWithGivenM_andUnreducedOrMissizedKeysAreRefused() {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases("mlkem_768_encaps_test.json")) {
      try {
        runEncaps(c, tally);
      } catch (AssertionError | Exception e) {
        failures.add(c.describe() + ": " + e);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(tally.counts())
        .isEqualTo(
            Map.of(
                "valid: c and K match", 133,
                "invalid: modulus check refused", 112,
                "invalid: length refused", 20));
  }

  private static void runDecaps(Wycheproof.Case c, Wycheproof.Tally tally) throws Exception {
    assertThat(c.isAcceptable()).isFalse();
    byte[] seed = c.bytes("seed");
    byte[] ct = c.bytes("c");
    if (seed.length != MlKem768.SEED_LENGTH) {
      assertThat(c.isInvalid()).isTrue();
      assertThatThrownBy(() -> MlKem768.PrivateKey.fromSeed(SecretBytes.copyOf(seed)))
          .isInstanceOf(InvalidKeyMaterialException.class);
      tally.add("invalid seed length: refused");
      return;
    }
    MlKem768.PrivateKey key = MlKem768.PrivateKey.fromSeed(SecretBytes.copyOf(seed));
    assertThat(key.publicKey().toByteArray()).isEqualTo(c.bytes("ek"));
    if (c.isValid()) {
      assertThat(key.decapsulate(ct).toByteArray()).isEqualTo(c.bytes("K"));
      tally.add("valid: K matches");
    } else {
      assertThat(ct.length).isNotEqualTo(MlKem768.CIPHERTEXT_LENGTH);
      assertThatThrownBy(() -> key.decapsulate(ct)).isInstanceOf(InvalidKeyMaterialException.class);
      tally.add("invalid ciphertext length: refused");
    }
  }

  private static void runEncaps(Wycheproof.Case c, Wycheproof.Tally tally) throws Exception {
    assertThat(c.isAcceptable()).isFalse();
    byte[] ek = c.bytes("ek");
    if (c.isValid()) {
      MlKem768.PublicKey pub = MlKem768.PublicKey.of(ek);
      Kem.Encapsulation enc = MlKem768.instance().encapsulateDeterministic(pub, c.bytes("m"));
      assertThat(enc.ciphertext()).isEqualTo(c.bytes("c"));
      assertThat(enc.sharedSecret().toByteArray()).isEqualTo(c.bytes("K"));
      tally.add("valid: c and K match");
      return;
    }
    if (ek.length == MlKem768.PUBLIC_KEY_LENGTH) {
      assertThatThrownBy(() -> MlKem768.PublicKey.of(ek))
          .isInstanceOf(InvalidKeyMaterialException.class)
          .hasMessageContaining("modulus check");
      tally.add("invalid: modulus check refused");
    } else {
      assertThatThrownBy(() -> MlKem768.PublicKey.of(ek))
          .isInstanceOf(InvalidKeyMaterialException.class)
          .hasMessageContaining("1184 bytes");
      tally.add("invalid: length refused");
    }
  }
}
