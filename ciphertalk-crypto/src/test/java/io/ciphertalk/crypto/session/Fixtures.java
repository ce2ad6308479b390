package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.Rsa;
import java.nio.charset.StandardCharsets;

/** Test parties: identities, prekeys and bundles. RSA keys are generated once per JVM (slow). */
final class Fixtures {
  private Fixtures() {}

  static final DeviceAddress ALICE = DeviceAddress.of("alice", 1);
  static final DeviceAddress BOB = DeviceAddress.of("bob", 7);

  private static final class RsaHolder {
    static final Rsa.PrivateKey KEY =
        Rsa.generate(RandomSource.deterministicForTesting(bytes("fixture rsa key")));
  }

  static Rsa.PrivateKey rsaKey() {
    return RsaHolder.KEY;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** One device: identity, prekeys, a prekey source and a trust store. */
  static final class Party {
    final DeviceAddress address;
    final IdentityKeyPair identity;
    final SignedPreKey signedPreKey;
    final KemPreKey kemPreKey;
    final RsaPreKey rsaPreKey;
    final InMemoryPreKeySource preKeys = new InMemoryPreKeySource();
    final InMemoryIdentityTrust trust = new InMemoryIdentityTrust();
    final RandomSource random;
    int nextOneTimeId = 100;

    Party(DeviceAddress address, RandomSource random) {
      this.address = address;
      this.random = random;
      this.identity = IdentityKeyPair.generate(random);
      this.signedPreKey = SignedPreKey.generate(identity, 1, random);
      this.kemPreKey = KemPreKey.generate(identity, 2, random);
      this.rsaPreKey = RsaPreKey.of(identity, 3, rsaKey());
      preKeys.add(signedPreKey).add(kemPreKey).add(rsaPreKey);
    }

    /** A full bundle with a fresh one-time prekey. */
    PreKeyBundle bundle() throws CryptoException {
      OneTimePreKey opk = OneTimePreKey.generate(nextOneTimeId++, random);
      preKeys.add(opk);
      return PreKeyBundle.builder()
          .address(address)
          .identityKey(identity.publicKey())
          .signedPreKey(signedPreKey)
          .oneTimePreKey(opk)
          .kemPreKey(kemPreKey)
          .rsaPreKey(rsaPreKey)
          .build();
    }

    Session initiate(Party peer, HandshakeSuite suite) throws CryptoException {
      return Session.initiate().identity(identity).localAddress(address).bundle(peer.bundle())
          .suite(suite).trust(trust).random(random).build();
    }

    Session.Established accept(Party peer, EncryptedMessage first) throws CryptoException {
      return accept(peer.address, first);
    }

    /** Accepts {@code first} as if the transport said it came from {@code claimedSender}. */
    Session.Established accept(DeviceAddress claimedSender, EncryptedMessage first)
        throws CryptoException {
      return Session.respond().identity(identity).preKeys(preKeys).trust(trust)
          .remoteAddress(claimedSender).localAddress(address).random(random)
          .accept((InitialMessage) first);
    }
  }

  static Party alice(long seed) {
    return new Party(ALICE, RandomSource.deterministicForTesting(bytes("alice " + seed)));
  }

  static Party bob(long seed) {
    return new Party(BOB, RandomSource.deterministicForTesting(bytes("bob " + seed)));
  }

  static MessageId id(int n) {
    byte[] b = new byte[16];
    b[12] = (byte) (n >>> 24);
    b[13] = (byte) (n >>> 16);
    b[14] = (byte) (n >>> 8);
    b[15] = (byte) n;
    return MessageId.of(b);
  }
}
