package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MlKem768Test {
  private static final RandomSource RANDOM =
      RandomSource.deterministicForTesting("MlKem768Test".getBytes(StandardCharsets.UTF_8));

  @Test
  void encapsulateThenDecapsulate_givesTheSameSecret() throws Exception {
    MlKem768.PrivateKey key = MlKem768.generate(RANDOM);
    MlKem768.PublicKey pub = MlKem768.PublicKey.of(key.publicKey().toByteArray());
    assertThat(pub).isEqualTo(key.publicKey());
    Kem.Encapsulation enc = MlKem768.instance().encapsulate(pub, RANDOM);
    assertThat(enc.ciphertext()).hasSize(MlKem768.CIPHERTEXT_LENGTH);
    assertThat(enc.sharedSecret().length()).isEqualTo(MlKem768.SHARED_SECRET_LENGTH);
    assertThat(key.decapsulate(enc.ciphertext()).equalsConstantTime(enc.sharedSecret())).isTrue();
    // Fresh randomness, fresh ciphertext and secret.
    Kem.Encapsulation again = MlKem768.instance().encapsulate(pub, RANDOM);
    assertThat(again.ciphertext()).isNotEqualTo(enc.ciphertext());
    assertThat(again.sharedSecret().equalsConstantTime(enc.sharedSecret())).isFalse();
  }

  @Test
  void decapsulate_ofTamperedCiphertext_givesAnUnrelatedSecret() throws Exception {
    MlKem768.PrivateKey key = MlKem768.generate(RANDOM);
    Kem.Encapsulation enc = MlKem768.instance().encapsulate(key.publicKey(), RANDOM);
    byte[] ct = enc.ciphertext();
    ct[100] ^= 1;
    // Implicit rejection (FIPS 203): no error, but a secret the sender does not have.
    assertThat(key.decapsulate(ct).equalsConstantTime(enc.sharedSecret())).isFalse();
  }

  @Test
  void decapsulate_withWrongLengthCiphertext_isRefused() throws Exception {
    MlKem768.PrivateKey key = MlKem768.generate(RANDOM);
    assertThatThrownBy(() -> key.decapsulate(new byte[MlKem768.CIPHERTEXT_LENGTH - 1]))
        .isInstanceOf(InvalidKeyMaterialException.class);
    assertThatThrownBy(() -> key.decapsulate(new byte[MlKem768.CIPHERTEXT_LENGTH + 1]))
        .isInstanceOf(InvalidKeyMaterialException.class);
  }

  @Test
  void fromSeed_restoresTheSameKey_andWrongSeedLengthIsRefused() throws Exception {
    MlKem768.PrivateKey key = MlKem768.generate(RANDOM);
    MlKem768.PrivateKey restored = MlKem768.PrivateKey.fromSeed(key.seed());
    assertThat(restored.publicKey()).isEqualTo(key.publicKey());
    Kem.Encapsulation enc = MlKem768.instance().encapsulate(key.publicKey(), RANDOM);
    assertThat(restored.decapsulate(enc.ciphertext()).equalsConstantTime(enc.sharedSecret())).isTrue();
    assertThatThrownBy(() -> MlKem768.PrivateKey.fromSeed(SecretBytes.copyOf(new byte[32])))
        .isInstanceOf(InvalidKeyMaterialException.class);
  }

  @Test
  void publicKeyOf_withUnreducedCoefficient_failsTheModulusCheck() throws Exception {
    byte[] ek = MlKem768.generate(RANDOM).publicKey().toByteArray();
    // Set the last 12-bit coefficient of t-hat to q = 3329 (0xd01).
    byte[] bad = ek.clone();
    int i = 3 * 384 - 3;
    bad[i + 1] = (byte) ((bad[i + 1] & 0x0f) | 0x10);
    bad[i + 2] = (byte) 0xd0;
    assertThatThrownBy(() -> MlKem768.PublicKey.of(bad))
        .isInstanceOf(InvalidKeyMaterialException.class)
        .hasMessageContaining("modulus check");
    // q - 1 is fine.
    bad[i + 1] = (byte) ((bad[i + 1] & 0x0f) | 0x00);
    assertThat(MlKem768.PublicKey.of(bad).toByteArray()).isEqualTo(bad);
    assertThatThrownBy(() -> MlKem768.PublicKey.of(Arrays.copyOf(ek, 1183)))
        .isInstanceOf(InvalidKeyMaterialException.class);
  }

  @Test
  void wipe_stopsDecapsulation() throws Exception {
    MlKem768.PrivateKey key = MlKem768.generate(RANDOM);
    Kem.Encapsulation enc = MlKem768.instance().encapsulate(key.publicKey(), RANDOM);
    key.wipe();
    assertThatThrownBy(() -> key.decapsulate(enc.ciphertext()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(key::seed).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void encapsulation_copiesItsCiphertext_andNeverPrintsTheSecret() throws Exception {
    MlKem768.PrivateKey key = MlKem768.generate(RANDOM);
    Kem.Encapsulation enc = MlKem768.instance().encapsulate(key.publicKey(), RANDOM);
    byte[] ct = enc.ciphertext();
    ct[0] ^= 1;
    assertThat(enc.ciphertext()).isNotEqualTo(ct);
    assertThat(enc.toString()).isEqualTo("Encapsulation[ciphertext=1088 bytes]");
    assertThat(key.toString()).startsWith("MlKem768.PrivateKey[public=");
  }

  @Test
  void encapsulateDeterministic_withWrongLengthM_isRefused() throws Exception {
    MlKem768.PublicKey pub = MlKem768.generate(RANDOM).publicKey();
    assertThatThrownBy(() -> MlKem768.instance().encapsulateDeterministic(pub, new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
