package io.ciphertalk.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TotpTest {
  private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @Test
  void code_matchesRfc6238Sha1TestVectors() {
    // RFC 6238 Appendix B, SHA1 column, 8 digits.
    assertThat(Totp.code(RFC_SECRET, 59L, 8)).isEqualTo("94287082");
    assertThat(Totp.code(RFC_SECRET, 1111111109L, 8)).isEqualTo("07081804");
    assertThat(Totp.code(RFC_SECRET, 1111111111L, 8)).isEqualTo("14050471");
    assertThat(Totp.code(RFC_SECRET, 1234567890L, 8)).isEqualTo("89005924");
    assertThat(Totp.code(RFC_SECRET, 2000000000L, 8)).isEqualTo("69279037");
    assertThat(Totp.code(RFC_SECRET, 20000000000L, 8)).isEqualTo("65353130");
  }

  @Test
  void hotp_matchesRfc4226AppendixDValues() {
    assertThat(Totp.hotp(RFC_SECRET, 0, 6)).isEqualTo("755224");
    assertThat(Totp.hotp(RFC_SECRET, 9, 6)).isEqualTo("520489");
  }

  @Test
  void verify_acceptsOneStepOfSkew_andRejectsOlderCodes() {
    long now = 1_700_000_000L;
    assertThat(Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, now, 6), now)).isTrue();
    assertThat(Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, now - 30, 6), now)).isTrue();
    assertThat(Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, now - 90, 6), now)).isFalse();
    assertThat(Totp.verify(RFC_SECRET, "12345", now)).isFalse();
    assertThat(Totp.verify(RFC_SECRET, null, now)).isFalse();
  }

  @Test
  void base32_encodesRfc4648Vectors() {
    assertThat(Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
    assertThat(Totp.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MY");
  }
}
