package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.store.IdentityStore;
import io.ciphertalk.core.store.LocalIdentity;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.PreKeyStore;
import io.ciphertalk.core.store.PreKeyType;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.IdentityKey;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.IdentityTrust;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.InvalidMessageException;
import io.ciphertalk.crypto.session.KemPreKey;
import io.ciphertalk.crypto.session.OneTimePreKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import io.ciphertalk.crypto.session.PreKeySource;
import io.ciphertalk.crypto.session.RsaPreKey;
import io.ciphertalk.crypto.session.SafetyNumber;
import io.ciphertalk.crypto.session.Session;
import io.ciphertalk.crypto.session.SignedPreKey;
import io.ciphertalk.crypto.session.TooManySkippedMessagesException;
import io.ciphertalk.crypto.session.UntrustedIdentityException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link E2eCrypto} on the session library ({@code io.ciphertalk.crypto.session}): an identity,
 * signed X25519 / ML-KEM-768 (and, for the RSA suite, RSA-3072) prekeys, one-time prekeys, one
 * {@link Session} per peer device, and trust on first use per device with explicit re-trust per user.
 * Group operations go to a {@link GroupKeys}.
 *
 * <p>State lives in the device's {@link LocalStore} (sealed at rest by the encrypted store) with
 * the sessions in use cached in memory; thread-safe (synchronized).
 */
public final class SessionCrypto implements E2eCrypto {
  private static final Logger LOG = LoggerFactory.getLogger(SessionCrypto.class);
  private final DeviceAddress self;
  private final HandshakeSuite suite;
  private final RandomSource random;
  private final GroupKeys groups;
  private final LocalStore store;
  private final StorePreKeys preKeys;
  private final Trust trust;
  private final Map<DeviceAddress, SessionRecord> sessions = new HashMap<>();
  private final List<NewDevice> newDevices = new ArrayList<>();
  private IdentityKeyPair identity;
  private SignedPreKey signedPreKey;
  private KemPreKey kemPreKey;
  private RsaPreKey rsaPreKey;
  private int nextPreKeyId = 1;
  private final boolean requirePostQuantum;
  private final java.time.Clock clock;
  private final java.time.Duration prekeyGrace;

  /**
   * Loads this device's identity, prekeys, trusted peer keys and sessions from {@code store}
   * (lazily) and writes every change back.
   */
  public SessionCrypto(DeviceAddress self, HandshakeSuite suite, RandomSource random,
      GroupKeys groups, LocalStore store) {
    this(self, suite, random, groups, store, false, java.time.Clock.systemUTC(),
        DEFAULT_PREKEY_GRACE);
  }

  /** How long replaced signed and KEM prekeys stay usable for initial messages in flight. */
  public static final java.time.Duration DEFAULT_PREKEY_GRACE = java.time.Duration.ofDays(30);

  /**
   * As above; with {@code requirePostQuantum}, initial messages of any suite but PQXDH are refused
   * ({@link io.ciphertalk.crypto.session.SuiteNotAcceptedException}); replaced signed and KEM
   * prekeys are deleted {@code prekeyGrace} after their replacement, by {@code clock}.
   */
  public SessionCrypto(DeviceAddress self, HandshakeSuite suite, RandomSource random,
      GroupKeys groups, LocalStore store, boolean requirePostQuantum, java.time.Clock clock,
      java.time.Duration prekeyGrace) {
    this.requirePostQuantum = requirePostQuantum;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.prekeyGrace = Objects.requireNonNull(prekeyGrace, "prekeyGrace");
    this.self = Objects.requireNonNull(self, "self");
    this.suite = Objects.requireNonNull(suite, "suite");
    this.random = Objects.requireNonNull(random, "random");
    this.groups = Objects.requireNonNull(groups, "groups");
    this.store = Objects.requireNonNull(store, "store");
    this.preKeys = new StorePreKeys(store.preKeys());
    this.trust = new Trust(store.identities());
    int max = 0;
    for (PreKeyType t : PreKeyType.values()) {
      for (int id : store.preKeys().preKeyIds(t)) {
        max = Math.max(max, id);
      }
    }
    if (max > 0) {
      nextPreKeyId = max + 1;
    } else {
      // A random start, as Signal does: a reinstalled device must not reuse the prekey ids of its
      // previous installation, which the directory may still hold.
      byte[] r = random.bytes(3);
      nextPreKeyId = 1 + (((r[0] & 0xff) << 16) | ((r[1] & 0xff) << 8) | (r[2] & 0xff));
    }
    loadCurrentSignedPreKeys();
  }

  private void loadCurrentSignedPreKeys() {
    try {
      signedPreKey = newest(PreKeyType.SIGNED).map(id -> preKeys.signedPreKey(id).orElse(null))
          .orElse(null);
      kemPreKey = newest(PreKeyType.KEM).map(id -> preKeys.kemPreKey(id).orElse(null))
          .orElse(null);
      rsaPreKey = newest(PreKeyType.RSA).map(id -> preKeys.rsaPreKey(id).orElse(null))
          .orElse(null);
    } catch (RuntimeException e) {
      throw new IllegalStateException("stored prekeys are unreadable", e);
    }
  }

  private java.util.Optional<Integer> newest(PreKeyType t) {
    return store.preKeys().preKeyIds(t).stream().max(Integer::compare);
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
    if (identity != null) {
      return;
    }
    Optional<LocalIdentity> stored = store.identities().localIdentity();
    if (stored.isPresent()) {
      try {
        identity = IdentityKeyPair.deserialize(stored.get().privateKey());
        return;
      } catch (CryptoException e) {
        throw new IllegalStateException("stored identity is unreadable", e);
      }
    }
    identity = IdentityKeyPair.generate(random);
    SecretBytes priv = identity.serialize();
    store.identities().saveLocalIdentity(LocalIdentity.of(self, identity.publicKey().serialize(),
        priv));
    priv.wipe();
  }

  @Override
  public synchronized ServerLink.KeyUpload keysToPublish(int oneTimeCount) throws CryptoException {
    ensureIdentity();
    deleteExpiredPreKeys();
    if (signedPreKey == null) {
      newSignedPreKeys();
    }
    return new ServerLink.KeyUpload(baseBundle(), newOneTimePrekeys(oneTimeCount));
  }

  private void newSignedPreKeys() {
    signedPreKey = SignedPreKey.generate(identity, nextPreKeyId++, random);
    preKeys.put(PreKeyType.SIGNED, signedPreKey.id(), signedPreKey.serialize());
    kemPreKey = KemPreKey.generate(identity, nextPreKeyId++, random);
    preKeys.put(PreKeyType.KEM, kemPreKey.id(), kemPreKey.serialize());
    if (suite == HandshakeSuite.RSA_OAEP && rsaPreKey == null) {
      // RSA-3072 generation is slow; the key is only published by devices configured for the suite.
      rsaPreKey = RsaPreKey.generate(identity, nextPreKeyId++, random);
      preKeys.put(PreKeyType.RSA, rsaPreKey.id(), rsaPreKey.serialize());
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
      preKeys.put(PreKeyType.ONE_TIME, k.id(), k.serialize());
      out.add(new ServerLink.KeyUpload.OneTimePrekey(k.id(), k.publicKey().toByteArray()));
    }
    nextPreKeyId += count;
    return out;
  }

  @Override
  public synchronized ServerLink.KeyUpload rotateSignedPrekey() throws CryptoException {
    ensureIdentity();
    // The previous signed prekeys stay in the prekey source for the grace period, so that initial
    // messages already in flight still complete; only new bundles name the new ones. After it,
    // they are deleted (as libsignal does): an initial message that names them fails, and a later
    // compromise of this device cannot decrypt initial messages sent to them.
    long now = clock.millis();
    for (PreKeyType t : List.of(PreKeyType.SIGNED, PreKeyType.KEM)) {
      for (int id : store.preKeys().preKeyIds(t)) {
        if (store.preKeys().loadPreKey(PreKeyType.RETIRED, id).isEmpty()) {
          store.preKeys().storePreKey(PreKeyType.RETIRED, id,
              SecretBytes.wrap(java.nio.ByteBuffer.allocate(8).putLong(now).array()));
        }
      }
    }
    newSignedPreKeys();
    deleteExpiredPreKeys();
    return new ServerLink.KeyUpload(baseBundle(), List.of());
  }

  /** Deletes replaced signed and KEM prekeys whose grace period has passed. */
  public synchronized int deleteExpiredPreKeys() {
    long now = clock.millis();
    int deleted = 0;
    for (int id : store.preKeys().preKeyIds(PreKeyType.RETIRED)) {
      Optional<SecretBytes> at = store.preKeys().loadPreKey(PreKeyType.RETIRED, id);
      long retired = at.map(b -> java.nio.ByteBuffer.wrap(b.toByteArray()).getLong()).orElse(0L);
      at.ifPresent(SecretBytes::wipe);
      if (now - retired < prekeyGrace.toMillis()) {
        continue;
      }
      boolean current = (signedPreKey != null && signedPreKey.id() == id)
          || (kemPreKey != null && kemPreKey.id() == id);
      if (!current) {
        store.preKeys().removePreKey(PreKeyType.SIGNED, id);
        store.preKeys().removePreKey(PreKeyType.KEM, id);
        deleted++;
      }
      store.preKeys().removePreKey(PreKeyType.RETIRED, id);
    }
    if (deleted > 0) {
      LOG.info("deleted {} replaced signed/KEM prekeys after their {} grace", deleted, prekeyGrace);
    }
    return deleted;
  }

  @Override
  public synchronized boolean hasSession(DeviceAddress peer) {
    return session(peer) != null;
  }

  private Session session(DeviceAddress peer) {
    SessionRecord r = record(peer);
    return r == null ? null : r.current();
  }

  /** The sessions held with {@code peer}, or null; for tests of this package. */
  synchronized SessionRecord recordForTesting(DeviceAddress peer) {
    return record(peer);
  }

  private SessionRecord record(DeviceAddress peer) {
    SessionRecord r = sessions.get(peer);
    if (r == null) {
      Optional<byte[]> stored = store.sessions().loadSession(peer);
      if (stored.isPresent()) {
        try {
          r = SessionRecord.deserialize(stored.get(), random);
          sessions.put(peer, r);
        } catch (CryptoException e) {
          LOG.warn("stored session with {} is unreadable; starting afresh", peer);
          store.sessions().deleteSession(peer);
        }
      }
    }
    return r;
  }

  private void save(DeviceAddress peer, SessionRecord r) {
    byte[] state = r.serialize();
    try {
      store.sessions().storeSession(peer, state);
    } finally {
      java.util.Arrays.fill(state, (byte) 0);
    }
  }

  /**
   * Whether this device's own handshake wins when both devices initiated a session to each other
   * at the same time (crossed initiation): the one started by the smaller address (user id, then
   * device id) is the canonical session both end up sending on.
   */
  private boolean ownHandshakeWins(DeviceAddress peer) {
    int c = self.userId().compareTo(peer.userId());
    return c < 0 || (c == 0 && self.deviceId() < peer.deviceId());
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
      Session s = Session.initiate().identity(identity).localAddress(self).bundle(bundle).suite(suite).trust(trust)
          .random(random).build();
      SessionRecord r = record(fetched.device());
      if (r == null) {
        r = new SessionRecord(s);
        sessions.put(fetched.device(), r);
      } else {
        r.promote(s); // the old one still decrypts what the peer sent under it
      }
      save(fetched.device(), r);
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
    SessionRecord r = record(peer);
    if (r == null) {
      throw new CryptoException("no session with " + peer);
    }
    byte[] out = r.current().encrypt(plaintext, sessionId(id), millis(expiresAt)).serialize();
    save(peer, r);
    return out;
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
    SessionRecord r = record(peer);
    if (m instanceof InitialMessage im) {
      Session held = r == null ? null : r.find(im);
      if (held != null) {
        // A repeated initial message of a handshake we hold, current or previous.
        byte[] pt = held.decrypt(m).plaintext();
        save(peer, r);
        return pt;
      }
      return acceptHandshake(peer, r, im);
    }
    if (r == null) {
      throw new InvalidMessageException("no session with " + peer);
    }
    CryptoException first;
    try {
      byte[] pt = r.current().decrypt(m).plaintext();
      save(peer, r);
      return pt;
    } catch (InvalidMessageException | TooManySkippedMessagesException e) {
      // A message of another session fails authentication, or looks like a far jump.
      first = e;
    }
    // Sent under a session this device no longer sends on (crossed handshakes, or the peer
    // re-established while this was in flight). Decrypting under a previous session never makes
    // it current again: only a new handshake changes the current session.
    for (Session prev : r.previous()) {
      try {
        byte[] pt = prev.decrypt(m).plaintext();
        save(peer, r);
        return pt;
      } catch (InvalidMessageException | TooManySkippedMessagesException e) {
        // not this one; Session.decrypt left it unchanged
      }
    }
    throw first;
  }

  /**
   * A new handshake from {@code peer}: the responder session becomes current, except when this
   * device started its own handshake with the peer that has not been answered yet and its own
   * handshake wins the tie-break ({@link #ownHandshakeWins}); then the peer's session is kept as a
   * previous one (so everything the peer encrypted under it still decrypts) and this device goes
   * on sending on its own, which the peer adopts when it receives it.
   */
  private byte[] acceptHandshake(DeviceAddress peer, SessionRecord r, InitialMessage im)
      throws CryptoException {
    Session.Established est;
    try {
      est = Session.respond().identity(identity).preKeys(preKeys).trust(trust)
          .remoteAddress(peer).localAddress(self).random(random)
          .requirePostQuantum(requirePostQuantum).accept(im);
    } catch (UntrustedIdentityException e) {
      throw changed(e);
    }
    if (r == null) {
      sessions.put(peer, new SessionRecord(est.session()));
    } else if (r.current().hasPendingHandshake() && ownHandshakeWins(peer)) {
      LOG.debug("crossed handshakes with {}: keeping this device's own", peer);
      r.archive(est.session());
    } else {
      r.promote(est.session());
    }
    save(peer, sessions.get(peer));
    return est.firstMessage().plaintext();
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
      SessionRecord old = sessions.remove(a); // a session with the old identity is useless now
      if (old != null) {
        old.wipe();
      }
      store.sessions().deleteSession(a);
    }
  }

  @Override
  public synchronized List<NewDevice> takeNewDevices() {
    List<NewDevice> out = List.copyOf(newDevices);
    newDevices.clear();
    return out;
  }

  @Override
  public synchronized String safetyNumber(String userId) {
    ensureIdentity();
    for (DeviceAddress d : new java.util.TreeSet<>(trust.known(userId))) {
      Optional<IdentityKey> k = trust.trustedKey(d);
      if (k.isPresent()) {
        return SafetyNumber.of(self, identity.publicKey(), d, k.get()).digits();
      }
    }
    throw new IllegalArgumentException("no known identity for " + userId);
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

  /** Trust on first use per device, kept in the identity store; changed keys wait in pending. */
  private final class Trust implements IdentityTrust {
    private final IdentityStore ids;
    final Map<DeviceAddress, IdentityKey> pending = new java.util.concurrent.ConcurrentHashMap<>();

    Trust(IdentityStore ids) {
      this.ids = ids;
    }

    Optional<IdentityKey> trustedKey(DeviceAddress address) {
      Optional<byte[]> k = ids.peerIdentity(address);
      if (k.isEmpty()) {
        return Optional.empty();
      }
      try {
        return Optional.of(IdentityKey.deserialize(k.get()));
      } catch (CryptoException e) {
        throw new IllegalStateException("stored identity of " + address + " is unreadable", e);
      }
    }

    java.util.Set<DeviceAddress> known(String userId) {
      java.util.Set<DeviceAddress> out = new java.util.HashSet<>(
          store.sessions().sessionDevices(userId));
      sessions.keySet().stream().filter(a -> a.userId().equals(userId)).forEach(out::add);
      return out;
    }

    @Override
    public boolean isTrusted(DeviceAddress address, IdentityKey key) {
      return trustedKey(address).map(k -> k.equals(key)).orElse(true);
    }

    @Override
    public void trust(DeviceAddress address, IdentityKey key) {
      boolean first = ids.peerIdentity(address).isEmpty();
      if (first && !address.userId().equals(self.userId())) {
        boolean knownUser = false;
        for (DeviceAddress d : known(address.userId())) {
          if (!d.equals(address) && ids.peerIdentity(d).isPresent()) {
            knownUser = true;
          }
        }
        if (knownUser) {
          newDevices.add(new NewDevice(address,
              SafetyNumber.of(self, identity.publicKey(), address, key).digits()));
        }
      }
      ids.savePeerIdentity(address, key.serialize());
    }
  }

  /** The responder's private prekeys, read from the prekey store. */
  private static final class StorePreKeys implements PreKeySource {
    private final PreKeyStore keys;

    StorePreKeys(PreKeyStore keys) {
      this.keys = keys;
    }

    void put(PreKeyType type, int id, SecretBytes secret) {
      try {
        keys.storePreKey(type, id, secret);
      } finally {
        secret.wipe();
      }
    }

    private <T> Optional<T> load(PreKeyType type, int id, Parser<T> parser) {
      Optional<SecretBytes> s = keys.loadPreKey(type, id);
      if (s.isEmpty()) {
        return Optional.empty();
      }
      try {
        return Optional.of(parser.parse(s.get()));
      } catch (CryptoException e) {
        LOG.warn("stored {} prekey {} is unreadable", type, id);
        return Optional.empty();
      } finally {
        s.get().wipe();
      }
    }

    private interface Parser<T> {
      T parse(SecretBytes s) throws CryptoException;
    }

    @Override
    public Optional<SignedPreKey> signedPreKey(int id) {
      return load(PreKeyType.SIGNED, id, SignedPreKey::deserialize);
    }

    @Override
    public Optional<OneTimePreKey> oneTimePreKey(int id) {
      return load(PreKeyType.ONE_TIME, id, OneTimePreKey::deserialize);
    }

    @Override
    public boolean consumeOneTimePreKey(int id) {
      Optional<SecretBytes> s = keys.consumePreKey(PreKeyType.ONE_TIME, id);
      s.ifPresent(SecretBytes::wipe);
      return s.isPresent();
    }

    @Override
    public Optional<KemPreKey> kemPreKey(int id) {
      return load(PreKeyType.KEM, id, KemPreKey::deserialize);
    }

    @Override
    public Optional<RsaPreKey> rsaPreKey(int id) {
      return load(PreKeyType.RSA, id, RsaPreKey::deserialize);
    }
  }
}
