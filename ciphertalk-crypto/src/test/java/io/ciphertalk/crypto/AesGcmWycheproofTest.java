package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every case of Wycheproof's {@code aes_gcm_test.json} against {@link AesGcm}.
 *
 * <p>CipherTalk's AEAD is AES-256-GCM with a 96-bit nonce and a 128-bit tag only. Cases in those
 * groups are run as the vector says ({@code valid}: seal gives exactly {@code ct || tag} and open
 * gives the message back; {@code invalid}: open is rejected). Every other group is out of the
 * suite and must be refused by the API itself: 128/192-bit keys by {@link AesGcm#create}, other
 * nonce sizes by {@code seal}/{@code open}. The file has no {@code acceptable} cases.
 */
class AesGcmWycheproofTest {

  @Test
  void everyVector_isAcceptedRejectedOrRefusedAsTheSuiteRequires() throws Exception {
    Wycheproof.Tally tally = new Wycheproof.Tally();
    List<String> failures = new ArrayList<>();
    for (Wycheproof.Case c : Wycheproof.cases("aes_gcm_test.json")) {
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
                "suite valid: seal and open match", 39,
                "suite invalid: open rejected", 27,
                "non-256-bit key: refused by create", 211,
                "non-96-bit nonce: refused by seal and open", 39));
  }

  private static void run(Wycheproof.Case c, Wycheproof.Tally tally) throws Exception {
    assertThat(c.isAcceptable()).as("the file has no acceptable cases").isFalse();
    assertThat(c.groupInt("tagSize")).isEqualTo(128);
    byte[] key = c.bytes("key");
    byte[] iv = c.bytes("iv");
    byte[] aad = c.bytes("aad");
    byte[] msg = c.bytes("msg");
    byte[] ctAndTag = concat(c.bytes("ct"), c.bytes("tag"));

    if (c.groupInt("keySize") != 256) {
      assertThatThrownBy(() -> AesGcm.create(SecretBytes.copyOf(key)))
          .isInstanceOf(InvalidKeyMaterialException.class)
          .hasMessageContaining("32-byte key");
      tally.add("non-256-bit key: refused by create");
      return;
    }
    AesGcm aead = AesGcm.create(SecretBytes.copyOf(key));
    if (c.groupInt("ivSize") != 96) {
      assertThatThrownBy(() -> aead.seal(iv, msg, aad))
          .isInstanceOf(CryptoException.class)
          .hasMessageContaining("nonce must be 12 bytes");
      assertThatThrownBy(() -> aead.open(iv, ctAndTag, aad))
          .isInstanceOf(CryptoException.class)
          .hasMessageContaining("nonce must be 12 bytes");
      tally.add("non-96-bit nonce: refused by seal and open");
      return;
    }
    if (c.isValid()) {
      assertThat(aead.seal(iv, msg, aad)).isEqualTo(ctAndTag);
      assertThat(aead.open(iv, ctAndTag, aad)).isEqualTo(msg);
      tally.add("suite valid: seal and open match");
    } else {
      assertThatThrownBy(() -> aead.open(iv, ctAndTag, aad))
          .isInstanceOf(AuthenticationFailedException.class);
      tally.add("suite invalid: open rejected");
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
