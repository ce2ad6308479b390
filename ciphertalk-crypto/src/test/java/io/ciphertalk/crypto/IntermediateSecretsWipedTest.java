package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.crypto.account.AccountKeyPair;
import io.ciphertalk.crypto.account.LinkEnvelope;
import io.ciphertalk.crypto.account.LinkingRequest;
import io.ciphertalk.crypto.group.GroupSession;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.InMemoryIdentityTrust;
import io.ciphertalk.crypto.session.InMemoryPreKeySource;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.KemPreKey;
import io.ciphertalk.crypto.session.MessageId;
import io.ciphertalk.crypto.session.OneTimePreKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import io.ciphertalk.crypto.session.Session;
import io.ciphertalk.crypto.session.SignedPreKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The intermediate secrets docs/protocol.md says are wiped, observed where they can be: every key
 * CipherTalk makes from random bytes is made in the very array the {@link RandomSource} filled
 * ({@code X25519.generate}, {@code Ed25519.generate}, the sender chain key) or passes that array
 * on as the secret (the ML-KEM encapsulation randomness), so a {@link RandomSource} that keeps a
 * reference to each array it filled sees whether the library zeroed it. A snapshot taken at fill
 * time identifies which key each array is (its public key or ciphertext appears in the output).
 * Secrets that never come from the random source (DH outputs, HKDF blocks, message keys) are not
 * observable from outside and are wiped by inspection only.
 */
class IntermediateSecretsWipedTest {
  private static final byte[] ZERO32 = new byte[32];

  /** Keeps every array it fills, and what it put there. Thread-safe enough for these tests. */
  static final class RecordingRandom implements RandomSource {
    private final RandomSource delegate;
    final List<byte[]> filled = new ArrayList<>();
    final List<byte[]> snapshots = new ArrayList<>();

    RecordingRandom(String seed) {
      this.delegate = RandomSource.deterministicForTesting(seed.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void nextBytes(byte[] out) {
      delegate.nextBytes(out);
      filled.add(out);
      snapshots.add(out.clone());
    }

    /** The live arrays of exactly {@code length} bytes, in the order they were filled. */
    synchronized List<Integer> indexesOfLength(int length) {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < filled.size(); i++) {
        if (filled.get(i).length == length) {
          out.add(i);
        }
      }
      return out;
    }
  }

  private static byte[] x25519Public(byte[] scalar) {
    byte[] k = scalar.clone();
    org.bouncycastle.math.ec.rfc7748.X25519.clampPrivateKey(k);
    byte[] pub = new byte[32];
    org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(k, 0, pub, 0);
    return pub;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @ParameterizedTest
  @EnumSource(value = HandshakeSuite.class, names = {"X3DH", "PQXDH"})
  void initiator_wipesItsEphemeralKey_andTheKemRandomness_whenTheSessionIsBuilt_andTheRatchetKeyOnWipe(
      HandshakeSuite suite) throws Exception {
    RandomSource setup = RandomSource.deterministicForTesting(new byte[] {1});
    IdentityKeyPair alice = IdentityKeyPair.generate(setup);
    IdentityKeyPair bob = IdentityKeyPair.generate(setup);
    KemPreKey kem = KemPreKey.generate(bob, 3, setup);
    PreKeyBundle bundle = PreKeyBundle.builder().address(DeviceAddress.of("bob", 1))
        .identityKey(bob.publicKey()).signedPreKey(SignedPreKey.generate(bob, 1, setup))
        .oneTimePreKey(OneTimePreKey.generate(2, setup)).kemPreKey(kem).build();
    RecordingRandom random = new RecordingRandom("initiator " + suite);

    Session session = Session.initiate().identity(alice).localAddress(DeviceAddress.of("alice", 1))
        .bundle(bundle).suite(suite).trust(new InMemoryIdentityTrust()).random(random).build();
    byte[] initial = session.encrypt(new byte[] {42}, MessageId.random(setup), 0).serialize();

    // The handshake draws EK_A, then (PQXDH) the encapsulation randomness m, then the first
    // ratchet key; the 12-byte array after them is the message nonce (public).
    List<Integer> drawn = random.indexesOfLength(32);
    assertThat(drawn).hasSize(suite == HandshakeSuite.PQXDH ? 3 : 2);
    int ek = drawn.get(0);
    int ratchet = drawn.get(drawn.size() - 1);
    assertThat(contains(initial, x25519Public(random.snapshots.get(ek)))).as("EK_A's public key is in the message").isTrue();
    assertThat(contains(initial, x25519Public(random.snapshots.get(ratchet)))).as("the ratchet key's public key is in the message").isTrue();
    assertThat(random.filled.get(ek)).as("EK_A").isEqualTo(ZERO32);
    if (suite == HandshakeSuite.PQXDH) {
      int m = drawn.get(1);
      byte[] ciphertext = MlKem768.instance()
          .encapsulateDeterministic(kem.publicKey(), random.snapshots.get(m)).ciphertext();
      assertThat(contains(initial, ciphertext)).as("m is the encapsulation randomness").isTrue();
      assertThat(random.filled.get(m)).as("ML-KEM randomness m (it determines SS)").isEqualTo(ZERO32);
    }
    assertThat(random.filled.get(ratchet)).as("the live ratchet key").isNotEqualTo(ZERO32);

    session.wipe();
    assertThat(random.filled.get(ratchet)).as("the ratchet key after wipe").isEqualTo(ZERO32);
  }

  @Test
  void dhRatchetStep_wipesTheOldRatchetPrivateKey_andWipeZeroesTheCurrentOne() throws Exception {
    RandomSource setup = RandomSource.deterministicForTesting(new byte[] {2});
    DeviceAddress aliceAddress = DeviceAddress.of("alice", 1);
    DeviceAddress bobAddress = DeviceAddress.of("bob", 1);
    IdentityKeyPair alice = IdentityKeyPair.generate(setup);
    IdentityKeyPair bob = IdentityKeyPair.generate(setup);
    SignedPreKey spk = SignedPreKey.generate(bob, 1, setup);
    InMemoryPreKeySource bobPreKeys = new InMemoryPreKeySource().add(spk);
    PreKeyBundle bundle = PreKeyBundle.builder().address(bobAddress)
        .identityKey(bob.publicKey()).signedPreKey(spk).build();
    RecordingRandom aliceRandom = new RecordingRandom("alice");
    RecordingRandom bobRandom = new RecordingRandom("bob");

    Session a = Session.initiate().identity(alice).localAddress(aliceAddress).bundle(bundle)
        .suite(HandshakeSuite.X3DH).trust(new InMemoryIdentityTrust()).random(aliceRandom).build();
    int firstRatchet = aliceRandom.indexesOfLength(32).get(1);
    EncryptedMessage first = a.encrypt(new byte[] {1}, MessageId.random(setup), 0);
    Session b = Session.respond().identity(bob).preKeys(bobPreKeys)
        .trust(new InMemoryIdentityTrust()).remoteAddress(aliceAddress).localAddress(bobAddress)
        .random(bobRandom).accept((InitialMessage) first).session();
    a.decrypt(b.encrypt(new byte[] {2}, MessageId.random(setup), 0));

    // Alice's decryption of Bob's reply was a DH ratchet step: her first ratchet key is gone.
    assertThat(aliceRandom.filled.get(firstRatchet)).as("alice's old ratchet key").isEqualTo(ZERO32);
    b.decrypt(a.encrypt(new byte[] {3}, MessageId.random(setup), 0));

    a.wipe();
    b.wipe();
    for (RecordingRandom r : List.of(aliceRandom, bobRandom)) {
      for (int i : r.indexesOfLength(32)) {
        assertThat(r.filled.get(i)).as("32-byte secret %d after wipe", i).isEqualTo(ZERO32);
      }
    }
  }

  @Test
  void linking_wipesTheEnvelopesEphemeralKey_onSeal_andTheCodesKey_afterTheFirstEnvelopeOpens()
      throws Exception {
    RandomSource setup = RandomSource.deterministicForTesting(new byte[] {3});
    DeviceAddress newDevice = DeviceAddress.of("judy", 2);
    RecordingRandom newDeviceRandom = new RecordingRandom("new device");
    RecordingRandom oldDeviceRandom = new RecordingRandom("old device");
    LinkingRequest request = LinkingRequest.create(2, newDeviceRandom);
    int n = newDeviceRandom.indexesOfLength(32).get(0);
    AccountKeyPair account = AccountKeyPair.generate(setup);

    LinkEnvelope.Sealed sealed = LinkEnvelope.seal(request.code(), "judy", account,
        Instant.parse("2026-12-02T00:00:00Z"), oldDeviceRandom);
    int e = oldDeviceRandom.indexesOfLength(32).get(0);
    assertThat(contains(sealed.envelope(), x25519Public(oldDeviceRandom.snapshots.get(e)))).isTrue();
    assertThat(oldDeviceRandom.filled.get(e)).as("the envelope's ephemeral key e").isEqualTo(ZERO32);

    assertThat(newDeviceRandom.filled.get(n)).as("n while linking").isNotEqualTo(ZERO32);
    LinkEnvelope.Opened opened = request.open(newDevice, sealed.envelope());
    assertThat(opened.account().publicKey()).isEqualTo(account.publicKey());
    assertThat(newDeviceRandom.filled.get(n)).as("n once linked").isEqualTo(ZERO32);
  }

  @Test
  void nextEpoch_wipesTheOldSenderKey_andLeaveWipesTheCurrentOne() throws Exception {
    DeviceAddress alice = DeviceAddress.of("alice", 1);
    Set<DeviceAddress> members = Set.of(alice, DeviceAddress.of("bob", 1));
    RecordingRandom random = new RecordingRandom("group");
    GroupSession group = GroupSession.builder().localAddress(alice).random(random).build();

    group.startEpoch("r", 1, members);
    // A sender key is its signing seed (32 bytes), chain id (4) and chain key (32).
    List<Integer> epoch1 = random.indexesOfLength(32);
    assertThat(epoch1).hasSize(2);
    group.encrypt("r", new byte[] {1}, new byte[16], 0);
    group.nextEpoch("r", Set.of(alice));
    for (int i : epoch1) {
      assertThat(random.filled.get(i)).as("epoch 1 sender key part %d", i).isEqualTo(ZERO32);
    }
    List<Integer> epoch2 = new ArrayList<>(random.indexesOfLength(32));
    epoch2.removeAll(epoch1);
    assertThat(epoch2).hasSize(2);
    for (int i : epoch2) {
      assertThat(random.filled.get(i)).as("live epoch 2 key part %d", i).isNotEqualTo(ZERO32);
    }
    group.leave("r");
    for (int i : epoch2) {
      assertThat(random.filled.get(i)).as("epoch 2 key part %d after leave", i).isEqualTo(ZERO32);
    }
  }

  @Test
  void mlKemEncapsulate_wipesItsRandomness_m() {
    RandomSource setup = RandomSource.deterministicForTesting(new byte[] {4});
    MlKem768.PrivateKey key = MlKem768.generate(setup);
    RecordingRandom random = new RecordingRandom("kem");
    Kem.Encapsulation enc = MlKem768.instance().encapsulate(key.publicKey(), random);
    assertThat(random.filled).hasSize(1);
    assertThat(MlKem768.instance().encapsulateDeterministic(key.publicKey(),
        random.snapshots.get(0)).ciphertext()).isEqualTo(enc.ciphertext());
    assertThat(random.filled.get(0)).as("m").isEqualTo(ZERO32);
    enc.sharedSecret().wipe();
  }
}
