package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretBytesTest {

  @Test
  void toString_showsOnlyTheLength() {
    SecretBytes s = SecretBytes.copyOf(new byte[] {0x41, 0x42, 0x43, (byte) 0xfe});
    assertThat(s.toString()).isEqualTo("SecretBytes[4 bytes]");
    assertThat(s.toString()).doesNotContain("41").doesNotContain("ABC").doesNotContain("fe");
  }

  @Test
  void copyOf_isNotAffectedByLaterChangesToTheInput_andHandsOutCopies() {
    byte[] in = {1, 2, 3};
    SecretBytes s = SecretBytes.copyOf(in);
    in[0] = 9;
    byte[] out = s.toByteArray();
    assertThat(out).containsExactly(1, 2, 3);
    out[1] = 9;
    assertThat(s.toByteArray()).containsExactly(1, 2, 3);
  }

  @Test
  void equalsConstantTime_comparesContents_notIdentity() {
    SecretBytes a = SecretBytes.copyOf(new byte[] {1, 2, 3});
    SecretBytes b = SecretBytes.copyOf(new byte[] {1, 2, 3});
    assertThat(a.equalsConstantTime(b)).isTrue();
    assertThat(a.equalsConstantTime(SecretBytes.copyOf(new byte[] {1, 2, 4}))).isFalse();
    assertThat(a.equalsConstantTime(SecretBytes.copyOf(new byte[] {1, 2}))).isFalse();
    assertThat(a.equalsConstantTime(SecretBytes.copyOf(new byte[] {1, 2, 3, 0}))).isFalse();
    // equals is identity, so secrets never end up compared by a non-constant-time path.
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void wipe_zeroesTheOwnedArray_andEveryAccessorThenRefuses() {
    byte[] owned = {7, 7, 7, 7};
    SecretBytes s = SecretBytes.wrap(owned);
    SecretBytes other = SecretBytes.copyOf(new byte[] {7, 7, 7, 7});
    assertThat(s.isWiped()).isFalse();
    s.wipe();
    assertThat(s.isWiped()).isTrue();
    assertThat(owned).containsOnly(0);
    assertThatThrownBy(s::toByteArray).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.equalsConstantTime(other)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> other.equalsConstantTime(s)).isInstanceOf(IllegalStateException.class);
    s.wipe(); // idempotent
    assertThat(s.length()).isEqualTo(4);
  }

  @Test
  void random_drawsTheRequestedLengthFromTheSource() {
    RandomSource r1 = RandomSource.deterministicForTesting(new byte[] {1});
    RandomSource r2 = RandomSource.deterministicForTesting(new byte[] {1});
    SecretBytes s = SecretBytes.random(48, r1);
    assertThat(s.length()).isEqualTo(48);
    assertThat(s.toByteArray()).isEqualTo(r2.bytes(48));
    assertThatThrownBy(() -> SecretBytes.random(0, r1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nullInput_isRefused() {
    assertThatThrownBy(() -> SecretBytes.copyOf(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> SecretBytes.wrap(null)).isInstanceOf(NullPointerException.class);
  }
}
