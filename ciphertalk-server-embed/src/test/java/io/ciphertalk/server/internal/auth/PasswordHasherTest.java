package io.ciphertalk.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.crypto.RandomSource;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  @Test
  void owaspHash_usesArgon2idWithOwaspParameters_andVerifies() {
    PasswordHasher hasher = PasswordHasher.owasp(RandomSource.secure());
    String hash = hasher.hash("correct horse".toCharArray());
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(hasher.verify("correct horse".toCharArray(), hash)).isTrue();
    assertThat(hasher.verify("correct horsE".toCharArray(), hash)).isFalse();
  }

  @Test
  void hash_isSaltedPerCall() {
    PasswordHasher hasher = new PasswordHasher(64, 1, RandomSource.secure());
    assertThat(hasher.hash("pw123456".toCharArray())).isNotEqualTo(hasher.hash("pw123456".toCharArray()));
  }

  @Test
  void verify_usesParametersStoredInTheHash() {
    String cheap = new PasswordHasher(64, 1, RandomSource.secure()).hash("pw123456".toCharArray());
    PasswordHasher owasp = PasswordHasher.owasp(RandomSource.secure());
    assertThat(owasp.verify("pw123456".toCharArray(), cheap)).isTrue();
    assertThat(owasp.needsRehash(cheap)).isTrue();
  }

  @Test
  void verify_withMalformedOrHostileStoredHash_isFalse() {
    PasswordHasher hasher = new PasswordHasher(64, 1, RandomSource.secure());
    assertThat(hasher.verify("x".toCharArray(), "")).isFalse();
    assertThat(hasher.verify("x".toCharArray(), "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA")).isFalse();
    assertThat(hasher.verify("x".toCharArray(), "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA")).isFalse();
    assertThat(hasher.verify("x".toCharArray(), "$argon2id$v=19$m=64,t=1,p=1$!!$AAAA")).isFalse();
  }
}
