package io.ciphertalk.crypto;

import static io.ciphertalk.crypto.Ed25519Test.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HmacSha256Test {

  /** RFC 4231 test case 2 (key "Jefe"). */
  @Test
  void compute_matchesRfc4231TestCase2() throws Exception {
    byte[] key = "Jefe".getBytes(StandardCharsets.US_ASCII);
    byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    byte[] tag = hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assertThat(HmacSha256.computeWithKey(key, data)).isEqualTo(tag);
    HmacSha256 mac = HmacSha256.create(SecretBytes.copyOf(key));
    assertThat(mac.compute(data)).isEqualTo(tag);
    assertThat(mac.compute(Arrays.copyOf(data, 5), Arrays.copyOfRange(data, 5, data.length))).isEqualTo(tag);
    mac.verify(tag, data);
  }

  /**
   * Regression: with a static {@code compute(byte[] key, byte[] data)} beside the varargs instance
   * method, {@code mac.compute(a, b)} compiled to the static one and returned HMAC(a, b), a tag
   * that needs no secret.
   */
  @Test
  void compute_withTwoParts_isTheKeyedMacOfTheirConcatenation() {
    HmacSha256 mac = HmacSha256.create(SecretBytes.copyOf(new byte[] {7, 7, 7}));
    byte[] a = {1, 2};
    byte[] b = {3};
    assertThat(mac.compute(a, b)).isEqualTo(mac.compute(new byte[] {1, 2, 3}));
    assertThat(mac.compute(a, b)).isNotEqualTo(HmacSha256.computeWithKey(a, b));
    assertThat(mac.compute(a, b, new byte[0])).isEqualTo(mac.compute(new byte[] {1, 2, 3}));
    assertThat(mac.compute()).isEqualTo(mac.compute(new byte[0]));
  }

  @Test
  void verify_withTruncatedExtendedOrFlippedTag_isRejected() {
    HmacSha256 mac = HmacSha256.create(SecretBytes.copyOf(new byte[32]));
    byte[] data = {1, 2, 3};
    byte[] tag = mac.compute(data);
    assertThatThrownBy(() -> mac.verify(Arrays.copyOf(tag, 16), data))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> mac.verify(Arrays.copyOf(tag, 33), data))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> mac.verify(new byte[0], data))
        .isInstanceOf(AuthenticationFailedException.class);
    for (int bit = 0; bit < 256; bit++) {
      byte[] bad = Ed25519Test.flip(tag, bit);
      assertThatThrownBy(() -> mac.verify(bad, data)).isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void emptyKey_isTheSameAsAllZeroKey_asRfc2104Specifies() {
    byte[] data = {9};
    assertThat(HmacSha256.computeWithKey(new byte[0], data)).isEqualTo(HmacSha256.computeWithKey(new byte[32], data));
  }

  @Test
  void create_copiesTheKey() {
    SecretBytes key = SecretBytes.copyOf(new byte[] {1, 2, 3});
    HmacSha256 mac = HmacSha256.create(key);
    byte[] before = mac.compute(new byte[1]);
    key.wipe();
    assertThat(mac.compute(new byte[1])).isEqualTo(before);
    assertThat(mac.tagLength()).isEqualTo(32);
    assertThat(mac.toString()).isEqualTo("HmacSha256");
  }
}
