package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Ed25519Test {
  private static final RandomSource RANDOM =
      RandomSource.deterministicForTesting("Ed25519Test".getBytes(StandardCharsets.UTF_8));
  private static final byte[] MESSAGE = "prekey bundle v1".getBytes(StandardCharsets.UTF_8);

  /** RFC 8032 section 7.1, TEST 2 (one-byte message 0x72). */
  @Test
  void sign_matchesRfc8032TestVector() throws Exception {
    Ed25519.PrivateKey key =
        Ed25519.PrivateKey.fromSeed(
            SecretBytes.copyOf(hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")));
    assertThat(key.publicKey().toByteArray())
        .isEqualTo(hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"));
    byte[] sig = key.sign(new byte[] {0x72});
    assertThat(sig)
        .isEqualTo(
            hex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"));
    key.publicKey().verify(sig, new byte[] {0x72});
  }

  @Test
  void signThenVerify_roundTrips_andTamperingIsRejected() throws Exception {
    Ed25519.PrivateKey key = Ed25519.generate(RANDOM);
    byte[] sig = key.sign(MESSAGE);
    assertThat(sig).hasSize(Ed25519.SIGNATURE_LENGTH);
    Ed25519.PublicKey pub = Ed25519.PublicKey.of(key.publicKey().toByteArray());
    pub.verify(sig, MESSAGE);
    for (int bit = 0; bit < sig.length * 8; bit++) {
      byte[] bad = flip(sig, bit);
      assertThatThrownBy(() -> pub.verify(bad, MESSAGE)).isInstanceOf(InvalidSignatureException.class);
    }
    assertThatThrownBy(() -> pub.verify(sig, flip(MESSAGE, 3)))
        .isInstanceOf(InvalidSignatureException.class);
    assertThatThrownBy(() -> Ed25519.generate(RANDOM).publicKey().verify(sig, MESSAGE))
        .isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void verify_withWrongLengthSignature_isRejected() throws Exception {
    Ed25519.PrivateKey key = Ed25519.generate(RANDOM);
    byte[] sig = key.sign(MESSAGE);
    assertThatThrownBy(() -> key.publicKey().verify(java.util.Arrays.copyOf(sig, 63), MESSAGE))
        .isInstanceOf(InvalidSignatureException.class);
    assertThatThrownBy(() -> key.publicKey().verify(java.util.Arrays.copyOf(sig, 65), MESSAGE))
        .isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void fromSeed_restoresTheSameKey() throws Exception {
    Ed25519.PrivateKey key = Ed25519.generate(RANDOM);
    Ed25519.PrivateKey restored = Ed25519.PrivateKey.fromSeed(key.seed());
    assertThat(restored.publicKey()).isEqualTo(key.publicKey());
    assertThat(restored.sign(MESSAGE)).isEqualTo(key.sign(MESSAGE)); // Ed25519 is deterministic
  }

  @Test
  void publicKeyOf_withWrongLengthOrNonCanonicalOrOffCurveEncoding_isRefused() {
    assertThatThrownBy(() -> Ed25519.PublicKey.of(new byte[31]))
        .isInstanceOf(InvalidKeyMaterialException.class);
    assertThatThrownBy(() -> Ed25519.PublicKey.of(new byte[33]))
        .isInstanceOf(InvalidKeyMaterialException.class);
    // y = p (= 2^255 - 19) encodes y = 0 non-canonically.
    byte[] yEqualsP = hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    assertThatThrownBy(() -> Ed25519.PublicKey.of(yEqualsP))
        .isInstanceOf(InvalidKeyMaterialException.class);
    // y = 2 is not on the curve (x^2 = (y^2 - 1) / (d y^2 + 1) has no square root).
    byte[] offCurve = new byte[32];
    offCurve[0] = 2;
    assertThatThrownBy(() -> Ed25519.PublicKey.of(offCurve))
        .isInstanceOf(InvalidKeyMaterialException.class);
  }

  /**
   * A small-order public key (here the identity point) would let one signature verify for every
   * message; CipherTalk identity and sender keys are never of small order, so they are refused.
   */
  @Test
  void publicKeyOf_withSmallOrderPoint_isRefused() {
    byte[] identity = new byte[32];
    identity[0] = 1;
    assertThatThrownBy(() -> Ed25519.PublicKey.of(identity))
        .isInstanceOf(InvalidKeyMaterialException.class);
    // The point of order 2, (0, -1).
    byte[] orderTwo = hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    assertThatThrownBy(() -> Ed25519.PublicKey.of(orderTwo))
        .isInstanceOf(InvalidKeyMaterialException.class);
  }

  @Test
  void wipe_stopsSigning() throws Exception {
    Ed25519.PrivateKey key = Ed25519.generate(RANDOM);
    SecretBytes seed = key.seed();
    key.wipe();
    assertThatThrownBy(() -> key.sign(MESSAGE)).isInstanceOf(IllegalStateException.class);
    assertThat(seed.isWiped()).as("seed() hands out an independent copy").isFalse();
  }

  @Test
  void toString_neverShowsTheSeed() throws Exception {
    SecretBytes seed = SecretBytes.copyOf(new byte[32]);
    Ed25519.PrivateKey key = Ed25519.PrivateKey.fromSeed(seed);
    assertThat(key.toString()).startsWith("Ed25519.PrivateKey[public=").doesNotContain("00000000");
  }

  @Test
  void fromSeed_withWrongLength_isRefused() {
    assertThatThrownBy(() -> Ed25519.PrivateKey.fromSeed(SecretBytes.copyOf(new byte[31])))
        .isInstanceOf(InvalidKeyMaterialException.class);
  }

  static byte[] hex(String s) {
    return Wycheproof.hex(com.fasterxml.jackson.databind.node.TextNode.valueOf(s));
  }

  static byte[] flip(byte[] in, int bit) {
    byte[] out = in.clone();
    out[bit / 8] ^= (byte) (1 << (bit % 8));
    return out;
  }
}
