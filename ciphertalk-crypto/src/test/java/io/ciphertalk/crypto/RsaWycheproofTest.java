package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wycheproof's RSA-OAEP (2048 and 3072 bits, SHA-256, MGF1-SHA-256, with and without labels) and
 * RSA-PSS (3072 bits, SHA-256, MGF1-SHA-256, 32-byte salt) files against {@link Rsa}. Every
 * {@code valid} case decrypts to the message (or verifies); every {@code invalid} one raises the
 * typed error, and OAEP failures all carry one identical message so that no padding oracle leaks.
 * The files have no {@code acceptable} cases.
 */
class RsaWycheproofTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rsa_oaep_2048_sha256_mgf1sha256_test.json",
        "rsa_oaep_3072_sha256_mgf1sha256_test.json"
      })
  void oaepVectors_validDecrypt_invalidAreRejectedIndistinguishably(String file) {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases(file)) {
      try {
        assertThat(c.isAcceptable()).isFalse();
        Rsa.PrivateKey key = Rsa.PrivateKey.fromPkcs8(c.groupBytes("privateKeyPkcs8"));
        assertThat(key.publicKey().modulusBits()).isEqualTo(c.groupInt("keySize"));
        byte[] ct = c.bytes("ct");
        byte[] label = c.bytes("label");
        if (c.isValid()) {
          assertThat(key.decryptOaep(ct, label)).isEqualTo(c.bytes("msg"));
          tally.add(label.length > 0 ? "valid with label: decrypted" : "valid: decrypted");
        } else {
          assertThatThrownBy(() -> key.decryptOaep(ct, label))
              .isInstanceOf(AuthenticationFailedException.class)
              .satisfies(e -> messages.add(e.getMessage()));
          tally.add("invalid: rejected");
        }
      } catch (AssertionError | Exception e) {
        failures.add(c.describe() + ": " + e);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(tally.total()).isEqualTo(37);
    assertThat(tally.counts().get("invalid: rejected")).isEqualTo(19);
    assertThat(tally.counts().get("valid with label: decrypted")).isPositive();
    assertThat(tally.counts().get("valid: decrypted") + tally.counts().get("valid with label: decrypted"))
        .isEqualTo(18);
    assertThat(messages).containsOnly("RSA-OAEP decryption failed");
  }

  @Test
  void pssVectors_validSignaturesVerify_invalidAreRejected() {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases("rsa_pss_3072_sha256_mgf1_32_test.json")) {
      try {
        assertThat(c.isAcceptable()).isFalse();
        assertThat(c.groupInt("sLen")).isEqualTo(32);
        Rsa.PublicKey key = Rsa.PublicKey.fromX509(c.groupBytes("publicKeyDer"));
        byte[] sig = c.bytes("sig");
        byte[] msg = c.bytes("msg");
        if (c.isValid()) {
          key.verify(sig, msg);
          tally.add("valid: verified");
        } else {
          assertThatThrownBy(() -> key.verify(sig, msg)).isInstanceOf(InvalidSignatureException.class);
          tally.add("invalid: rejected");
        }
      } catch (AssertionError | Exception e) {
        failures.add(c.describe() + ": " + e);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(tally.counts()).isEqualTo(Map.of("valid: verified", 63, "invalid: rejected", 45));
  }
}
