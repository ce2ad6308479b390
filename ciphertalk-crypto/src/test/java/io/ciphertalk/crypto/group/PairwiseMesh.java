package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.session.DecryptedMessage;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.InMemoryIdentityTrust;
import io.ciphertalk.crypto.session.InMemoryPreKeySource;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.MessageId;
import io.ciphertalk.crypto.session.OneTimePreKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import io.ciphertalk.crypto.session.Session;
import io.ciphertalk.crypto.session.SignedPreKey;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Real pairwise 1:1 sessions (X3DH + Double Ratchet from {@code io.ciphertalk.crypto.session})
 * between test devices, created on first use the way a client would: fetch the peer's bundle,
 * initiate, and let the peer accept the initial message.
 */
final class PairwiseMesh {
  /** One device's long-term keys. */
  private static final class Device {
    final DeviceAddress address;
    final RandomSource random;
    final IdentityKeyPair identity;
    final SignedPreKey signedPreKey;
    final InMemoryPreKeySource preKeys = new InMemoryPreKeySource();
    final InMemoryIdentityTrust trust = new InMemoryIdentityTrust();
    int nextOneTimeId = 1;

    Device(DeviceAddress address, long seed) {
      this.address = address;
      this.random = RandomSource.deterministicForTesting(
          (address + "/" + seed).getBytes(StandardCharsets.UTF_8));
      this.identity = IdentityKeyPair.generate(random);
      this.signedPreKey = SignedPreKey.generate(identity, 1, random);
      preKeys.add(signedPreKey);
    }

    PreKeyBundle bundle() throws CryptoException {
      OneTimePreKey opk = OneTimePreKey.generate(nextOneTimeId++, random);
      preKeys.add(opk);
      return PreKeyBundle.builder().address(address).identityKey(identity.publicKey())
          .signedPreKey(signedPreKey).oneTimePreKey(opk).build();
    }
  }

  /** What the receiving device got: the plaintext and the peer the session authenticated. */
  record Received(DeviceAddress authenticatedPeer, byte[] plaintext) {}

  private final long seed;
  private final Map<DeviceAddress, Device> devices = new HashMap<>();
  /** (owner, peer) -> owner's session with peer. */
  private final Map<String, Session> sessions = new HashMap<>();
  private long nextId;

  PairwiseMesh(long seed) {
    this.seed = seed;
  }

  private Device device(DeviceAddress a) {
    return devices.computeIfAbsent(a, x -> new Device(x, seed));
  }

  private static String key(DeviceAddress owner, DeviceAddress peer) {
    return owner + "->" + peer;
  }

  /** Encrypts {@code payload} from {@code from} to {@code to} over their pairwise session. */
  byte[] seal(DeviceAddress from, DeviceAddress to, byte[] payload) throws CryptoException {
    Session s = sessions.get(key(from, to));
    if (s == null) {
      s = Session.initiate().identity(device(from).identity).localAddress(from).bundle(device(to).bundle())
          .suite(HandshakeSuite.X3DH).trust(device(from).trust).random(device(from).random).build();
      sessions.put(key(from, to), s);
    }
    return s.encrypt(payload, MessageId.of(GroupTestSupport.messageId(++nextId)), Session.NO_EXPIRY)
        .serialize();
  }

  /** Decrypts at {@code to} a pairwise message that the transport says came from {@code from}. */
  Received open(DeviceAddress from, DeviceAddress to, byte[] wire) throws CryptoException {
    EncryptedMessage m = EncryptedMessage.deserialize(wire);
    Session s = sessions.get(key(to, from));
    DecryptedMessage d;
    if (s == null || (m instanceof InitialMessage && !s.isSameHandshake((InitialMessage) m))) {
      Device me = device(to);
      Session.Established e = Session.respond().identity(me.identity).preKeys(me.preKeys)
          .trust(me.trust).remoteAddress(from).localAddress(to).random(me.random).accept((InitialMessage) m);
      sessions.put(key(to, from), e.session());
      s = e.session();
      d = e.firstMessage();
    } else {
      d = s.decrypt(m);
    }
    return new Received(s.remoteAddress(), d.plaintext());
  }
}
