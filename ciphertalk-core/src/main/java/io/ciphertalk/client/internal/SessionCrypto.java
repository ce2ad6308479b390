package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.IdentityKey;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.IdentityTrust;
import io.ciphertalk.crypto.session.InMemoryPreKeySource;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.InvalidMessageException;
import io.ciphertalk.crypto.session.KemPreKey;
import io.ciphertalk.crypto.session.OneTimePreKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import io.ciphertalk.crypto.session.RsaPreKey;
import io.ciphertalk.crypto.session.SafetyNumber;
import io.ciphertalk.crypto.session.Session;
import io.ciphertalk.crypto.session.SignedPreKey;
import io.ciphertalk.crypto.session.UntrustedIdentityException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link E2eCrypto} on the session library ({@code io.ciphertalk.crypto.session}): an identity,
 * signed X25519 / ML-KEM-768 (and, for the RSA suite, RSA-3072) prekeys, one-time prekeys, one
 * {@link Session} per peer device, and trust on first use per device with explicit re-trust per user.
 * Group operations go to a {@link GroupKeys}.
 *
 * <p>State is held in memory by this object (the in-memory store); thread-safe (synchronized).
 */
public final class SessionCrypto implements E2eCrypto {
  private final DeviceAddress self;
  private final HandshakeSuite suite;
  private final RandomSource random;
  private final GroupKeys groups;
  private final InMemoryPreKeySource preKeys = new InMemoryPreKeySource();
  private final Trust trust = new Trust();
  private final Map<DeviceAddress, Session> sessions = new HashMap<>();
  private IdentityKeyPair identity;
  private SignedPreKey signedPreKey;
  private KemPreKey kemPreKey;
  private RsaPreKey rsaPreKey;
  private int nextPreKeyId = 1;

  public SessionCrypto(DeviceAddress self, HandshakeSuite suite, RandomSource random,
      GroupKeys groups) {
    this.self = Objects.requireNonNull(self, "self");
    this.suite = Objects.requireNonNull(suite, "suite");
    this.random = Objects.requireNonNull(random, "random");
    this.groups = Objects.requireNonNull(groups, "groups");
    // A random start, as Signal does: a reinstalled device must not reuse the prekey ids of its
    // previous installation, which the directory may still hold.
    byte[] r = random.bytes(3);
    this.nextPreKeyId = 1 + (((r[0] & 0xff) << 16) | ((r[1] & 0xff) << 8) | (r[2] & 0xff));
  }

  @Override
  public DeviceAddress self() {
    return self;
  }

  /** This device's public identity, generating it on first use. */
  public synchronized IdentityKey identityKey() {
    ensureIdentity();
    return identity.publicKey();
  }

  private void ensureIdentity() {
    if (identity == null) {
      identity = IdentityKeyPair.generate(random);
    }
  }

  @Override
  public synchronized ServerLink.KeyUpload keysToPublish(int oneTimeCount) throws CryptoException {
    ensureIdentity();
    if (signedPreKey == null) {
      newSignedPreKeys();
    }
    return new ServerLink.KeyUpload(baseBundle(), newOneTimePrekeys(oneTimeCount));
  }

  private void newSignedPreKeys() {
    signedPreKey = SignedPreKey.generate(identity, nextPreKeyId++, random);
    preKeys.add(signedPreKey);
    kemPreKey = KemPreKey.generate(identity, nextPreKeyId++, random);
    preKeys.add(kemPreKey);
    if (suite == HandshakeSuite.RSA_OAEP && rsaPreKey == null) {
      // RSA-3072 generation is slow; the key is only published by devices configured for the suite.
      rsaPreKey = RsaPreKey.generate(identity, nextPreKeyId++, random);
      preKeys.add(rsaPreKey);
    }
  }

  private byte[] baseBundle() throws CryptoException {
    PreKeyBundle.Builder b = PreKeyBundle.builder().address(self).identityKey(identity.publicKey())
        .signedPreKey(signedPreKey).kemPreKey(kemPreKey);
    if (rsaPreKey != null) {
      b.rsaPreKey(rsaPreKey);
    }
    return b.build().serialize();
  }

  @Override
  public synchronized ServerLink.KeyUpload refillOneTimePrekeys(int count) throws CryptoException {
    ensureIdentity();
    if (signedPreKey == null) {
      newSignedPreKeys();
    }
    return new ServerLink.KeyUpload(baseBundle(), newOneTimePrekeys(count));
  }

  private List<ServerLink.KeyUpload.OneTimePrekey> newOneTimePrekeys(int count) {
    ensureIdentity();
    List<ServerLink.KeyUpload.OneTimePrekey> out = new ArrayList<>(count);
    for (OneTimePreKey k : OneTimePreKey.generateBatch(nextPreKeyId, count, random)) {
      preKeys.add(k);
      out.add(new ServerLink.KeyUpload.OneTimePrekey(k.id(), k.publicKey().toByteArray()));
    }
    nextPreKeyId += count;
    return out;
  }

  @Override
  public synchronized ServerLink.KeyUpload rotateSignedPrekey() throws CryptoException {
    ensureIdentity();
    // The previous signed prekeys stay in the prekey source so that initial messages already in
    // flight still complete; only new bundles name the new ones.
    newSignedPreKeys();
    return new ServerLink.KeyUpload(baseBundle(), List.of());
  }

  @Override
  public synchronized boolean hasSession(DeviceAddress peer) {
    return sessions.containsKey(peer);
  }

  @Override
  public synchronized void startSession(ServerLink.DeviceBundle fetched) throws CryptoException {
    ensureIdentity();
    PreKeyBundle base = PreKeyBundle.deserialize(fetched.bundle());
    if (!base.address().equals(fetched.device())) {
      throw new InvalidMessageException("bundle of " + base.address() + " served for "
          + fetched.device());
    }
    PreKeyBundle bundle = withOneTime(base, fetched.oneTimePrekey());
    try {
      Session s = Session.initiate().identity(identity).bundle(bundle).suite(suite).trust(trust)
          .random(random).build();
      sessions.put(fetched.device(), s);
    } catch (UntrustedIdentityException e) {
      throw changed(e);
    }
  }

  private static PreKeyBundle withOneTime(PreKeyBundle base,
      ServerLink.KeyUpload.OneTimePrekey otk) throws CryptoException {
    if (otk == null) {
      return base;
    }
    PreKeyBundle.Builder b = PreKeyBundle.builder().address(base.address())
        .identityKey(base.identityKey())
        .signedPreKey(base.signedPreKeyId(), base.signedPreKey(), base.signedPreKeySignature())
        .oneTimePreKey(otk.id(), X25519.PublicKey.of(otk.publicKey()));
    if (base.kemPreKey().isPresent()) {
      b.kemPreKey(base.kemPreKeyId().getAsInt(), base.kemPreKey().get(),
          base.kemPreKeySignature().get());
    }
    if (base.rsaPreKey().isPresent()) {
      b.rsaPreKey(base.rsaPreKeyId().getAsInt(), base.rsaPreKey().get(),
          base.rsaPreKeySignature().get());
    }
    return b.build();
  }

  @Override
  public synchronized byte[] encrypt(DeviceAddress peer, byte[] plaintext, MessageId id,
      Instant expiresAt) throws CryptoException {
    Session s = sessions.get(peer);
    if (s == null) {
      throw new CryptoException("no session with " + peer);
    }
    return s.encrypt(plaintext, sessionId(id), millis(expiresAt)).serialize();
  }

  @Override
  public synchronized byte[] decrypt(DeviceAddress peer, byte[] ciphertext, MessageId id,
      Instant expiresAt) throws CryptoException {
    ensureIdentity();
    EncryptedMessage m = EncryptedMessage.deserialize(ciphertext);
    // The routing copies of id and expiry must be the ones bound into the associated data.
    if (!m.messageId().equals(sessionId(id)) || m.expiresAtEpochMillis() != millis(expiresAt)) {
      throw new InvalidMessageException("routing metadata does not match the message");
    }
    Session s = sessions.get(peer);
    if (m instanceof InitialMessage im && (s == null || !s.isSameHandshake(im))) {
      try {
        Session.Established est = Session.respond().identity(identity).preKeys(preKeys)
            .trust(trust).remoteAddress(peer).random(random).accept(im);
        Session old = sessions.put(peer, est.session());
        if (old != null) {
          old.wipe();
        }
        return est.firstMessage().plaintext();
      } catch (UntrustedIdentityException e) {
        throw changed(e);
      }
    }
    if (s == null) {
      throw new InvalidMessageException("no session with " + peer);
    }
    return s.decrypt(m).plaintext();
  }

  private IdentityChangedException changed(UntrustedIdentityException e) {
    trust.pending.put(e.address(), e.identityKey());
    String number = SafetyNumber.of(self, identity.publicKey(), e.address(), e.identityKey())
        .digits();
    return new IdentityChangedException(e.address(), number);
  }

  @Override
  public synchronized void trust(String userId) {
    List<DeviceAddress> accepted = new ArrayList<>();
    trust.pending.forEach((a, k) -> {
      if (a.userId().equals(userId)) {
        trust.trust(a, k);
        accepted.add(a);
      }
    });
    for (DeviceAddress a : accepted) {
      trust.pending.remove(a);
      Session old = sessions.remove(a); // a session with the old identity is useless now
      if (old != null) {
        old.wipe();
      }
    }
  }

  @Override
  public synchronized String safetyNumber(String userId) {
    ensureIdentity();
    return trust.trusted.entrySet().stream()
        .filter(e -> e.getKey().userId().equals(userId))
        .min(Map.Entry.comparingByKey())
        .map(e -> SafetyNumber.of(self, identity.publicKey(), e.getKey(), e.getValue()).digits())
        .orElseThrow(() -> new IllegalArgumentException("no known identity for " + userId));
  }

  private static io.ciphertalk.crypto.session.MessageId sessionId(MessageId id) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putLong(id.uuid().getMostSignificantBits()).putLong(id.uuid().getLeastSignificantBits());
    return io.ciphertalk.crypto.session.MessageId.of(b.array());
  }

  private static long millis(Instant expiresAt) {
    return expiresAt == null ? Session.NO_EXPIRY : expiresAt.toEpochMilli();
  }

  @Override
  public GroupKeys groups() {
    return groups;
  }

  /** Trust on first use per device; changed keys wait in {@code pending} for the user's decision. */
  private static final class Trust implements IdentityTrust {
    final Map<DeviceAddress, IdentityKey> trusted = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<DeviceAddress, IdentityKey> pending = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public boolean isTrusted(DeviceAddress address, IdentityKey key) {
      IdentityKey k = trusted.get(address);
      return k == null || k.equals(key);
    }

    @Override
    public void trust(DeviceAddress address, IdentityKey key) {
      trusted.put(address, key);
    }
  }

}
