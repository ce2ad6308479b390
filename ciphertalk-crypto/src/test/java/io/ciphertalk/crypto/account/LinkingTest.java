package io.ciphertalk.crypto.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Linking a new device: only the code shown on it works, once. */
class LinkingTest {
  private static final RandomSource R = RandomSource.deterministicForTesting(new byte[] {7});
  private static final DeviceAddress ALICE_2 = DeviceAddress.of("alice", 2);
  private static final Instant T = Instant.ofEpochMilli(1_796_000_000_000L);
  private final AccountKeyPair alice = AccountKeyPair.generate(R);

  @Test
  void envelopeSealedToTheTypedCode_opensOnTheNewDevice_withTheSameConfirmationCode()
      throws Exception {
    LinkingRequest newDevice = LinkingRequest.create(2, R);
    String shown = newDevice.code().text();
    LinkingCode typed = LinkingCode.parse(shown.toLowerCase().replace("-", " "));
    LinkEnvelope.Sealed sealed = LinkEnvelope.seal(typed, "alice", alice, T, R);
    LinkEnvelope.Opened opened = newDevice.open(ALICE_2, sealed.envelope());
    assertThat(opened.account().publicKey()).isEqualTo(alice.publicKey());
    assertThat(opened.address()).isEqualTo(ALICE_2);
    assertThat(opened.issuedAt()).isEqualTo(T);
    assertThat(opened.confirmationCode()).isEqualTo(sealed.confirmationCode()).matches("\\d{6}");
  }

  @Test
  void mistypedCode_failsItsChecksum_withAClearError() throws Exception {
    String shown = LinkingRequest.create(2, R).code().text();
    char c = shown.charAt(10);
    String typo = shown.substring(0, 10) + (c == 'A' ? 'B' : 'A') + shown.substring(11);
    assertThatThrownBy(() -> LinkingCode.parse(typo)).isInstanceOf(InvalidLinkException.class)
        .hasMessageContaining("mistyped");
    assertThatThrownBy(() -> LinkingCode.parse("hello")).isInstanceOf(InvalidLinkException.class)
        .hasMessageContaining("not a linking code");
  }

  @Test
  void envelopeSealedToAnotherDevicesCode_doesNotOpen() throws Exception {
    // The server (or a mix-up) delivers an envelope made for another new device's code.
    LinkingRequest victim = LinkingRequest.create(2, R);
    LinkingRequest other = LinkingRequest.create(2, R);
    LinkEnvelope.Sealed sealed = LinkEnvelope.seal(other.code(), "alice", alice, T, R);
    assertThatThrownBy(() -> victim.open(ALICE_2, sealed.envelope()))
        .isInstanceOf(InvalidLinkException.class).hasMessageContaining("does not decrypt");
    // ... and the failure did not use up the victim's code.
    LinkEnvelope.Sealed right = LinkEnvelope.seal(victim.code(), "alice", alice, T, R);
    assertThat(victim.open(ALICE_2, right.envelope()).account().publicKey())
        .isEqualTo(alice.publicKey());
  }

  @Test
  void replayedEnvelope_afterTheCodeWasUsed_isRefused() throws Exception {
    LinkingRequest newDevice = LinkingRequest.create(2, R);
    byte[] env = LinkEnvelope.seal(newDevice.code(), "alice", alice, T, R).envelope();
    newDevice.open(ALICE_2, env);
    assertThatThrownBy(() -> newDevice.open(ALICE_2, env))
        .isInstanceOf(InvalidLinkException.class).hasMessageContaining("already used");
  }

  @Test
  void envelope_withAnyBitFlipped_doesNotOpen() throws Exception {
    LinkingRequest newDevice = LinkingRequest.create(2, R);
    byte[] env = LinkEnvelope.seal(newDevice.code(), "alice", alice, T, R).envelope();
    for (int i = 0; i < env.length * 8; i++) {
      byte[] bad = env.clone();
      bad[i / 8] ^= (byte) (1 << (i % 8));
      assertThatThrownBy(() -> newDevice.open(ALICE_2, bad)).as("bit %d", i)
          .isInstanceOf(InvalidLinkException.class);
    }
    assertThat(newDevice.open(ALICE_2, env).account().publicKey()).isEqualTo(alice.publicKey());
  }

  @Test
  void envelopeForAnotherUser_isRefusedByTheNewDevice() throws Exception {
    LinkingRequest newDevice = LinkingRequest.create(2, R);
    AccountKeyPair bob = AccountKeyPair.generate(R);
    byte[] env = LinkEnvelope.seal(newDevice.code(), "bob", bob, T, R).envelope();
    assertThatThrownBy(() -> newDevice.open(ALICE_2, env))
        .isInstanceOf(InvalidLinkException.class).hasMessageContaining("bob.2");
  }
}
