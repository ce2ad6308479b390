package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RSA-3072 OAEP and PSS round trips and typed errors. Key generation is slow, so the class
 * generates one key (to prove {@link Rsa#generate} works) and otherwise uses the 3072-bit key from
 * the Wycheproof OAEP file.
 */
class RsaTest {
  private static final RandomSource RANDOM =
      RandomSource.deterministicForTesting("RsaTest".getBytes(StandardCharsets.UTF_8));
  private static final byte[] SECRET = "32-byte session secret .........".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LABEL = "CipherTalk RSA-OAEP v1".getBytes(StandardCharsets.UTF_8);

  private static Rsa.PrivateKey generated;
  private static Rsa.PrivateKey fixed;

  @BeforeAll
  static void keys() throws Exception {
    generated = Rsa.generate(RANDOM);
    fixed =
        Rsa.PrivateKey.fromPkcs8(
            Wycheproof.cases("rsa_oaep_3072_sha256_mgf1sha256_test.json").get(0).groupBytes("privateKeyPkcs8"));
  }

  @Test
  void generate_makesA3072BitKeyThatRoundTripsOaepAndPss() throws Exception {
    assertThat(generated.publicKey().modulusBits()).isEqualTo(3072);
    byte[] ct = generated.publicKey().encryptOaep(SECRET, LABEL, RANDOM);
    assertThat(ct).hasSize(384);
    assertThat(generated.decryptOaep(ct, LABEL)).isEqualTo(SECRET);
    byte[] sig = generated.sign(SECRET);
    generated.publicKey().verify(sig, SECRET);
  }

  @Test
  void oaep_withWrongLabel_orTamperedCiphertext_orOtherKey_failsIndistinguishably() throws Exception {
    Rsa.PublicKey pub = fixed.publicKey();
    byte[] ct = pub.encryptOaep(SECRET, LABEL, RANDOM);
    assertThat(fixed.decryptOaep(ct, LABEL)).isEqualTo(SECRET);
    byte[] otherLabel = Arrays.copyOf(LABEL, LABEL.length + 1);
    byte[] flipped = ct.clone();
    flipped[200] ^= 0x10;
    for (var attempt :
        new ThrowingRunnable[] {
          () -> fixed.decryptOaep(ct, otherLabel),
          () -> fixed.decryptOaep(ct, new byte[0]),
          () -> fixed.decryptOaep(flipped, LABEL),
          () -> fixed.decryptOaep(Arrays.copyOf(ct, 383), LABEL),
          () -> fixed.decryptOaep(new byte[0], LABEL),
          () -> generated.decryptOaep(ct, LABEL)
        }) {
      assertThatThrownBy(attempt::run)
          .isInstanceOf(AuthenticationFailedException.class)
          .hasMessage("RSA-OAEP decryption failed")
          .hasNoCause();
    }
  }

  @Test
  void oaep_withoutLabel_roundTrips_andIsRandomised() throws Exception {
    byte[] a = fixed.publicKey().encryptOaep(SECRET, new byte[0], RANDOM);
    byte[] b = fixed.publicKey().encryptOaep(SECRET, new byte[0], RANDOM);
    assertThat(a).isNotEqualTo(b);
    assertThat(fixed.decryptOaep(a, new byte[0])).isEqualTo(SECRET);
    assertThat(fixed.decryptOaep(b, new byte[0])).isEqualTo(SECRET);
  }

  @Test
  void oaep_ofTooLongPlaintext_isRefused() {
    // 3072-bit OAEP-SHA256 carries at most 384 - 2*32 - 2 = 318 bytes.
    assertThatThrownBy(() -> fixed.publicKey().encryptOaep(new byte[319], LABEL, RANDOM))
        .isInstanceOf(CryptoException.class);
  }

  @Test
  void pss_signThenVerify_roundTrips_andTamperingIsRejected() throws Exception {
    byte[] sig = fixed.sign(SECRET);
    assertThat(sig).hasSize(384);
    fixed.publicKey().verify(sig, SECRET);
    byte[] badSig = sig.clone();
    badSig[10] ^= 1;
    assertThatThrownBy(() -> fixed.publicKey().verify(badSig, SECRET))
        .isInstanceOf(InvalidSignatureException.class);
    assertThatThrownBy(() -> fixed.publicKey().verify(sig, LABEL))
        .isInstanceOf(InvalidSignatureException.class);
    assertThatThrownBy(() -> fixed.publicKey().verify(new byte[3], SECRET))
        .isInstanceOf(InvalidSignatureException.class);
    assertThatThrownBy(() -> generated.publicKey().verify(sig, SECRET))
        .isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void pss_withTheSameInjectedRandomness_isRepeatable_andSaltsDiffer() throws Exception {
    byte[] a = fixed.withRandom(RandomSource.deterministicForTesting(new byte[] {1})).sign(SECRET);
    byte[] b = fixed.withRandom(RandomSource.deterministicForTesting(new byte[] {1})).sign(SECRET);
    byte[] c = fixed.withRandom(RandomSource.deterministicForTesting(new byte[] {2})).sign(SECRET);
    assertThat(a).isEqualTo(b);
    assertThat(c).isNotEqualTo(a);
    fixed.publicKey().verify(c, SECRET);
  }

  @Test
  void encodings_roundTrip() throws Exception {
    Rsa.PublicKey pub = Rsa.PublicKey.fromX509(fixed.publicKey().toX509());
    assertThat(pub).isEqualTo(fixed.publicKey()).hasSameHashCodeAs(fixed.publicKey());
    Rsa.PrivateKey priv = Rsa.PrivateKey.fromPkcs8(fixed.toPkcs8().toByteArray());
    assertThat(priv.publicKey()).isEqualTo(fixed.publicKey());
    assertThat(priv.decryptOaep(pub.encryptOaep(SECRET, LABEL, RANDOM), LABEL)).isEqualTo(SECRET);
  }

  @Test
  void keysBelow2048Bits_andGarbage_areRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    KeyPair small = g.generateKeyPair();
    assertThatThrownBy(() -> Rsa.PublicKey.fromX509(small.getPublic().getEncoded()))
        .isInstanceOf(InvalidKeyMaterialException.class)
        .hasMessageContaining("1024 bits");
    assertThatThrownBy(() -> Rsa.PrivateKey.fromPkcs8(small.getPrivate().getEncoded()))
        .isInstanceOf(InvalidKeyMaterialException.class)
        .hasMessageContaining("1024 bits");
    assertThatThrownBy(() -> Rsa.PublicKey.fromX509(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}))
        .isInstanceOf(InvalidKeyMaterialException.class);
    assertThatThrownBy(() -> Rsa.PrivateKey.fromPkcs8(new byte[10]))
        .isInstanceOf(InvalidKeyMaterialException.class);
    // An Ed25519 key in valid X.509 form is not an RSA key.
    byte[] ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    assertThatThrownBy(() -> Rsa.PublicKey.fromX509(ed)).isInstanceOf(InvalidKeyMaterialException.class);
  }

  @Test
  void toString_showsOnlyTheSize() {
    assertThat(fixed.toString()).isEqualTo("Rsa.PrivateKey[3072 bits]");
    assertThat(fixed.publicKey().toString()).isEqualTo("Rsa.PublicKey[3072 bits]");
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
