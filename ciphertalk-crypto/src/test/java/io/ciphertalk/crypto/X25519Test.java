package io.ciphertalk.crypto;

import static io.ciphertalk.crypto.Ed25519Test.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class X25519Test {
  private static final RandomSource RANDOM =
      RandomSource.deterministicForTesting("X25519Test".getBytes(StandardCharsets.UTF_8));

  /** RFC 7748 section 6.1: Alice and Bob's keys and their shared secret. */
  @Test
  void agree_matchesRfc7748Section6_1() throws Exception {
    X25519.PrivateKey alice =
        X25519.PrivateKey.of(
            SecretBytes.copyOf(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")));
    X25519.PrivateKey bob =
        X25519.PrivateKey.of(
            SecretBytes.copyOf(hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")));
    assertThat(alice.publicKey().toByteArray())
        .isEqualTo(hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
    assertThat(bob.publicKey().toByteArray())
        .isEqualTo(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
    byte[] k = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    assertThat(alice.agree(bob.publicKey()).toByteArray()).isEqualTo(k);
    assertThat(bob.agree(alice.publicKey()).toByteArray()).isEqualTo(k);
  }

  @Test
  void agree_betweenFreshKeys_isSymmetric() throws Exception {
    X25519.PrivateKey a = X25519.generate(RANDOM);
    X25519.PrivateKey b = X25519.generate(RANDOM);
    assertThat(a.agree(b.publicKey()).equalsConstantTime(b.agree(a.publicKey()))).isTrue();
    X25519.PrivateKey c = X25519.generate(RANDOM);
    assertThat(a.agree(b.publicKey()).equalsConstantTime(a.agree(c.publicKey()))).isFalse();
  }

  /** Low-order points of curve25519 and their non-canonical encodings (all give a zero secret). */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
      })
  void agree_withLowOrderPublicKey_isRejected(String point) throws Exception {
    X25519.PrivateKey a = X25519.generate(RANDOM);
    X25519.PublicKey lowOrder = X25519.PublicKey.of(hex(point));
    assertThatThrownBy(() -> a.agree(lowOrder))
        .isInstanceOf(InvalidKeyMaterialException.class)
        .hasMessageContaining("all zeros");
  }

  @Test
  void privateKeyOf_secret_roundTrips() throws Exception {
    X25519.PrivateKey a = X25519.generate(RANDOM);
    X25519.PrivateKey restored = X25519.PrivateKey.of(a.secret());
    assertThat(restored.publicKey()).isEqualTo(a.publicKey());
    X25519.PrivateKey b = X25519.generate(RANDOM);
    assertThat(restored.agree(b.publicKey()).equalsConstantTime(a.agree(b.publicKey()))).isTrue();
  }

  @Test
  void generate_producesAClampedScalar() {
    byte[] s = X25519.generate(RANDOM).secret().toByteArray();
    assertThat(s[0] & 7).isZero();
    assertThat(s[31] & 0x80).isZero();
    assertThat(s[31] & 0x40).isEqualTo(0x40);
  }

  @Test
  void wrongLengths_areRefused() {
    assertThatThrownBy(() -> X25519.PublicKey.of(new byte[31]))
        .isInstanceOf(InvalidKeyMaterialException.class);
    assertThatThrownBy(() -> X25519.PublicKey.of(new byte[33]))
        .isInstanceOf(InvalidKeyMaterialException.class);
    assertThatThrownBy(() -> X25519.PrivateKey.of(SecretBytes.copyOf(new byte[16])))
        .isInstanceOf(InvalidKeyMaterialException.class);
  }

  @Test
  void wipe_stopsAgreement() throws Exception {
    X25519.PrivateKey a = X25519.generate(RANDOM);
    X25519.PublicKey b = X25519.generate(RANDOM).publicKey();
    a.wipe();
    assertThatThrownBy(() -> a.agree(b)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void publicKeyOf_copiesItsInput() throws Exception {
    byte[] raw = X25519.generate(RANDOM).publicKey().toByteArray();
    X25519.PublicKey pub = X25519.PublicKey.of(raw);
    raw[0] ^= 1;
    assertThat(pub.toByteArray()).isNotEqualTo(raw);
  }

  @Test
  void toString_neverShowsTheSecret() throws Exception {
    X25519.PrivateKey a = X25519.generate(RANDOM);
    String secretHex = Hex.encode(a.secret().toByteArray(), 32);
    assertThat(a.toString()).startsWith("X25519.PrivateKey[public=").doesNotContain(secretHex.substring(0, 16));
  }
}
