package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class RandomSourceTest {

  @Test
  void deterministicForTesting_withTheSameSeed_repeatsTheSameStream() {
    byte[] seed = "seed".getBytes(StandardCharsets.UTF_8);
    RandomSource a = RandomSource.deterministicForTesting(seed);
    RandomSource b = RandomSource.deterministicForTesting(seed);
    assertThat(a.bytes(100)).isEqualTo(b.bytes(100));
    assertThat(a.bytes(7)).isEqualTo(b.bytes(7));
  }

  @Test
  void deterministicForTesting_isIndependentOfHowTheStreamIsChunked() {
    RandomSource a = RandomSource.deterministicForTesting(new byte[] {5});
    RandomSource b = RandomSource.deterministicForTesting(new byte[] {5});
    byte[] whole = a.bytes(100);
    byte[] parts = new byte[100];
    int off = 0;
    for (int n : new int[] {1, 31, 32, 3, 33}) {
      System.arraycopy(b.bytes(n), 0, parts, off, n);
      off += n;
    }
    assertThat(parts).isEqualTo(whole);
  }

  @Test
  void deterministicForTesting_withDifferentSeeds_differs() {
    assertThat(RandomSource.deterministicForTesting(new byte[] {1}).bytes(32))
        .isNotEqualTo(RandomSource.deterministicForTesting(new byte[] {2}).bytes(32));
  }

  @Test
  void deterministicForTesting_seedsThatDifferOnlyByTrailingZerosOrLength_differ() {
    // HMAC pads short keys with zeros, so keying HMAC with the raw seed would make these collide.
    byte[][] seeds = {new byte[0], new byte[1], new byte[2], new byte[32], new byte[64], {1}, {1, 0}};
    for (int i = 0; i < seeds.length; i++) {
      for (int j = i + 1; j < seeds.length; j++) {
        assertThat(RandomSource.deterministicForTesting(seeds[i]).bytes(32))
            .as("seed %d vs seed %d", i, j)
            .isNotEqualTo(RandomSource.deterministicForTesting(seeds[j]).bytes(32));
      }
    }
  }

  @Test
  void deterministicForTesting_isNotAffectedByLaterChangesToTheSeedArray() {
    byte[] seed = {9, 9};
    RandomSource a = RandomSource.deterministicForTesting(seed);
    seed[0] = 0;
    assertThat(a.bytes(16)).isEqualTo(RandomSource.deterministicForTesting(new byte[] {9, 9}).bytes(16));
  }

  @Test
  void asSecureRandom_ofADeterministicSource_drawsFromThatSource() {
    SecureRandom a = RandomSource.deterministicForTesting(new byte[] {3}).asSecureRandom();
    SecureRandom b = RandomSource.deterministicForTesting(new byte[] {3}).asSecureRandom();
    byte[] x = new byte[40];
    byte[] y = new byte[40];
    a.nextBytes(x);
    b.nextBytes(y);
    assertThat(x).isEqualTo(y);
    assertThat(a.nextLong()).isEqualTo(b.nextLong());
    // setSeed must not perturb the delegate.
    a.setSeed(42L);
    assertThat(a.nextInt()).isEqualTo(b.nextInt());
  }

  @Test
  void secure_producesDistinctOutputs() {
    RandomSource r = RandomSource.secure();
    assertThat(r.bytes(32)).isNotEqualTo(r.bytes(32));
    assertThat(r.asSecureRandom()).isSameAs(r.asSecureRandom());
  }
}
