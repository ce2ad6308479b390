package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AesGcmTest {
  private static final RandomSource RANDOM =
      RandomSource.deterministicForTesting("AesGcmTest".getBytes(StandardCharsets.UTF_8));

  private final AesGcm aead = newAead();
  private final byte[] nonce = RANDOM.bytes(Aead.NONCE_LENGTH);
  private final byte[] aad = "header|alice.1|bob.2".getBytes(StandardCharsets.UTF_8);
  private final byte[] plaintext = "attack at dawn, bring snacks!!!!!".getBytes(StandardCharsets.UTF_8);
  private final byte[] sealed = seal();

  private static AesGcm newAead() {
    try {
      return AesGcm.create(SecretBytes.random(AesGcm.KEY_LENGTH, RANDOM));
    } catch (InvalidKeyMaterialException e) {
      throw new AssertionError(e);
    }
  }

  private byte[] seal() {
    try {
      return aead.seal(nonce, plaintext, aad);
    } catch (CryptoException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void open_ofUntouchedCiphertext_returnsPlaintext() throws Exception {
    assertThat(sealed).hasSize(plaintext.length + Aead.TAG_LENGTH);
    assertThat(aead.open(nonce, sealed, aad)).isEqualTo(plaintext);
  }

  @Test
  void open_withAnySingleFlippedCiphertextOrTagBit_isRejected() {
    for (int bit = 0; bit < sealed.length * 8; bit++) {
      byte[] tampered = flip(sealed, bit);
      int b = bit;
      assertThatThrownBy(() -> aead.open(nonce, tampered, aad))
          .as("bit %d of ciphertext||tag", b)
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void open_withAnySingleFlippedNonceBit_isRejected() {
    for (int bit = 0; bit < nonce.length * 8; bit++) {
      byte[] tampered = flip(nonce, bit);
      int b = bit;
      assertThatThrownBy(() -> aead.open(tampered, sealed, aad))
          .as("bit %d of nonce", b)
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void open_withAnySingleFlippedAssociatedDataBit_isRejected() {
    for (int bit = 0; bit < aad.length * 8; bit++) {
      byte[] tampered = flip(aad, bit);
      int b = bit;
      assertThatThrownBy(() -> aead.open(nonce, sealed, tampered))
          .as("bit %d of associated data", b)
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void open_withMissingOrExtraAssociatedData_isRejected() {
    assertThatThrownBy(() -> aead.open(nonce, sealed, new byte[0]))
        .isInstanceOf(AuthenticationFailedException.class);
    byte[] longer = Arrays.copyOf(aad, aad.length + 1);
    assertThatThrownBy(() -> aead.open(nonce, sealed, longer))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void open_ofEveryTruncation_isRejected() {
    for (int len = 0; len < sealed.length; len++) {
      byte[] truncated = Arrays.copyOf(sealed, len);
      int l = len;
      assertThatThrownBy(() -> aead.open(nonce, truncated, aad))
          .as("truncated to %d bytes", l)
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void open_withAppendedByte_isRejected() {
    byte[] extended = Arrays.copyOf(sealed, sealed.length + 1);
    assertThatThrownBy(() -> aead.open(nonce, extended, aad))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void open_underAnotherKey_isRejected() {
    AesGcm other = newAead();
    assertThatThrownBy(() -> other.open(nonce, sealed, aad))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 15, 16, 17, 1024, 65536, 1 << 20})
  void roundTrip_atSeveralSizes_returnsPlaintext(int size) throws Exception {
    byte[] pt = RANDOM.bytes(size);
    byte[] n = RANDOM.bytes(Aead.NONCE_LENGTH);
    byte[] ct = aead.seal(n, pt, aad);
    assertThat(ct).hasSize(size + Aead.TAG_LENGTH);
    assertThat(aead.open(n, ct, aad)).isEqualTo(pt);
    assertThat(aead.open(n, ct.clone(), aad)).isEqualTo(pt);
  }

  @Test
  void randomNonceForm_roundTrips_andRejectsTamperingAndTruncation() throws Exception {
    byte[] boxed = aead.sealWithRandomNonce(plaintext, aad, RANDOM);
    assertThat(boxed).hasSize(Aead.NONCE_LENGTH + plaintext.length + Aead.TAG_LENGTH);
    assertThat(aead.openWithPrefixedNonce(boxed, aad)).isEqualTo(plaintext);
    for (int bit = 0; bit < boxed.length * 8; bit += 7) {
      byte[] tampered = flip(boxed, bit);
      assertThatThrownBy(() -> aead.openWithPrefixedNonce(tampered, aad))
          .isInstanceOf(AuthenticationFailedException.class);
    }
    assertThatThrownBy(() -> aead.openWithPrefixedNonce(new byte[27], aad))
        .isInstanceOf(AuthenticationFailedException.class);
    // Two seals of the same message draw different nonces, so the outputs differ.
    assertThat(aead.sealWithRandomNonce(plaintext, aad, RANDOM)).isNotEqualTo(boxed);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 16, 24, 31, 33, 64})
  void create_withKeyThatIsNot32Bytes_isRefused(int length) {
    assertThatThrownBy(() -> AesGcm.create(SecretBytes.copyOf(new byte[length])))
        .isInstanceOf(InvalidKeyMaterialException.class)
        .hasMessageContaining("32-byte key");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 8, 11, 13, 16})
  void sealAndOpen_withNonceThatIsNot12Bytes_areRefused(int length) {
    byte[] bad = new byte[length];
    assertThatThrownBy(() -> aead.seal(bad, plaintext, aad))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("12 bytes");
    assertThatThrownBy(() -> aead.open(bad, sealed, aad))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("12 bytes");
  }

  @Test
  void nullArguments_areRefusedWithTheirName() {
    assertThatThrownBy(() -> aead.seal(null, plaintext, aad)).hasMessageContaining("nonce");
    assertThatThrownBy(() -> aead.seal(nonce, null, aad)).hasMessageContaining("plaintext");
    assertThatThrownBy(() -> aead.open(nonce, sealed, null)).hasMessageContaining("associatedData");
  }

  @Test
  void toString_revealsNoKey() {
    assertThat(aead.toString()).isEqualTo("AesGcm[AES-256-GCM]");
  }

  private static byte[] flip(byte[] in, int bit) {
    byte[] out = in.clone();
    out[bit / 8] ^= (byte) (1 << (bit % 8));
    return out;
  }
}
