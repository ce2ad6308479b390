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
  private final DeviceTrust devices;
  private CertificateSource certificates = (d, fresh) -> Optional.empty();
  private final Map<DeviceAddress, SessionRecord> sessions = new HashMap<>();
  /**
   * During an inbound batch ({@link #beginBatch}): the peers whose session changed and is not
   * written yet; null outside a batch, where every change is written at once.
   */
  private java.util.Set<DeviceAddress> unsaved;
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
    this.devices = new DeviceTrust(self, store.accountKeys(), clock, random);
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
    return certified(oneTimeUpload(oneTimeCount));
  }

  /**
   * As many one-time ML-KEM-768 prekeys as X25519 ones, so that the two stocks, consumed one of
   * each per bundle, stay level and a refill (triggered by the fewer) never piles up the other.
   */
  private ServerLink.KeyUpload oneTimeUpload(int count) throws CryptoException {
    List<ServerLink.KeyUpload.OneTimePrekey> ec = newOneTimePrekeys(count);
    List<ServerLink.KeyUpload.KemPrekey> kem = newOneTimeKemPrekeys(count);
    return new ServerLink.KeyUpload(baseBundle(), ec, null, kem);
  }

  private List<ServerLink.KeyUpload.KemPrekey> newOneTimeKemPrekeys(int count) {
    List<ServerLink.KeyUpload.KemPrekey> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      KemPreKey k = KemPreKey.generate(identity, nextPreKeyId++, random);
      preKeys.put(PreKeyType.ONE_TIME_KEM, k.id(), k.serialize());
      out.add(new ServerLink.KeyUpload.KemPrekey(k.id(), k.publicKey().toByteArray(),
          k.signature()));
      k.wipe();
    }
    return out;
  }

  /** The upload with this device's certificate (issued on first use), once it holds the account key. */
  private ServerLink.KeyUpload certified(ServerLink.KeyUpload upload) {
    return devices.hasAccountKey() ? upload.withCertificate(devices.ownCertificate(identity.publicKey()))
        : upload;
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
    return certified(oneTimeUpload(count));
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
    return certified(new ServerLink.KeyUpload(baseBundle(), List.of()));
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

  /** Drops the cached session with {@code peer} (wiped) and any pending write of it. */
  private void forget(DeviceAddress peer) {
    SessionRecord old = sessions.remove(peer);
    if (old != null) {
      old.wipe();
    }
    if (unsaved != null) {
      unsaved.remove(peer);
    }
  }

  @Override
  public synchronized void beginBatch() {
    if (unsaved != null) {
      throw new IllegalStateException("an inbound batch is already open");
    }
    unsaved = new java.util.LinkedHashSet<>();
    groups.beginBatch();
  }

  @Override
  public synchronized void endBatch() {
    java.util.Set<DeviceAddress> peers = unsaved;
    unsaved = null;
    if (peers != null) {
      for (DeviceAddress peer : peers) {
        SessionRecord r = sessions.get(peer);
        if (r != null) {
          saveNow(peer, r);
        }
      }
    }
    groups.endBatch();
  }

  @Override
  public synchronized void abortBatch() {
    unsaved = null;
    // Whatever the batch changed in memory was rolled back in the store: read it all back.
    for (SessionRecord r : sessions.values()) {
      r.wipe();
    }
    sessions.clear();
    devices.forgetCached();
    groups.abortBatch();
  }

  /**
   * Encryption never runs inside an inbound batch: a message sent under a state the batch then
   * rolled back would reuse its message keys.
   */
  private void requireNoBatch(String what) {
    if (unsaved != null) {
      throw new IllegalStateException(what + " inside an inbound batch");
    }
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
          forget(peer);
          store.sessions().deleteSession(peer);
        }
      }
    }
    return r;
  }

  private void save(DeviceAddress peer, SessionRecord r) {
    if (unsaved != null) {
      unsaved.add(peer); // written once, at the end of the batch (endBatch)
      return;
    }
    saveNow(peer, r);
  }

  private void saveNow(DeviceAddress peer, SessionRecord r) {
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
    // Never a session with a device its account key has not certified (own devices included).
    devices.verify(fetched.device(), base.identityKey(), fetched.certificate());
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
    requireNoBatch("encrypt");
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
    verifySender(peer, im.senderIdentity());
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

  /**
   * The sender of an initial message must have a certificate for exactly the identity key it
   * uses: asked from the directory (again, fresh, if what is known names another key).
   */
  private void verifySender(DeviceAddress peer, IdentityKey key) throws CryptoException {
    if (devices.isVerified(peer, key)) {
      return;
    }
    try {
      devices.verify(peer, key, certificates.certificate(peer, false).orElse(null));
    } catch (UncertifiedDeviceException first) {
      byte[] fresh = certificates.certificate(peer, true).orElse(null);
      if (fresh != null && certifiesAnotherKey(fresh, peer, key)) {
        // peer is a certified device, but not the one that made this message: the sender was
        // relabelled (the handshake secret, which binds both addresses, would not match either).
        throw new InvalidMessageException("initial message from " + peer
            + " carries another device's identity key (relabelled sender)");
      }
      devices.verify(peer, key, fresh);
    }
  }

  private static boolean certifiesAnotherKey(byte[] cert, DeviceAddress peer, IdentityKey key) {
    try {
      io.ciphertalk.crypto.account.DeviceCertificate c =
          io.ciphertalk.crypto.account.DeviceCertificate.deserialize(cert);
      return c.address().equals(peer) && !c.identityKey().equals(key);
    } catch (io.ciphertalk.crypto.account.InvalidCertificateException e) {
      return false;
    }
  }

  private static CryptoException changed(UntrustedIdentityException e) {
    // Certificates are verified before the session layer sees a key, so this is a key no
    // certificate vouches for.
    return new UncertifiedDeviceException(e.address(), "its identity key is not certified");
  }

  @Override
  public synchronized boolean trust(String userId, String seenSafetyNumber) {
    if (!devices.trust(userId, seenSafetyNumber)) {
      return false;
    }
    // Sessions with devices certified by the old account key are useless now.
    for (DeviceAddress a : new ArrayList<>(trust.known(userId))) {
      forget(a);
      store.sessions().deleteSession(a);
      store.identities().removePeerIdentity(a);
    }
    return true;
  }

  @Override
  public synchronized Optional<String> pendingSafetyNumber(String userId) {
    return devices.pendingSafetyNumber(userId).map(n -> n.digits());
  }

  @Override
  public synchronized boolean hasAccountKey() {
    return devices.hasAccountKey();
  }

  @Override
  public synchronized void createAccount() {
    dropPreAccountSessions();
    devices.createAccount();
  }

  @Override
  public synchronized void adoptAccount(io.ciphertalk.crypto.account.AccountKeyPair account) {
    dropPreAccountSessions();
    devices.adoptAccount(account);
  }

  @Override
  public synchronized boolean holdsPreAccountSessions() {
    return !devices.hasAccountKey() && !store.sessions().allSessionDevices().isEmpty();
  }

  /**
   * Deletes the sessions of a store from before accounts, before its account key exists (a crash
   * in between leaves a store with neither, which upgrades like a fresh first device). A device
   * that never had an account key and is not such a store has no sessions: nothing happens.
   */
  private void dropPreAccountSessions() {
    if (devices.hasAccountKey()) {
      return;
    }
    List<DeviceAddress> old = store.sessions().allSessionDevices();
    for (DeviceAddress a : old) {
      forget(a);
      store.sessions().deleteSession(a);
      // Its first-use pin too: once certified, the device is announced as linked (DeviceLinked).
      store.identities().removePeerIdentity(a);
    }
    if (!old.isEmpty()) {
      LOG.info("store from before accounts: deleted {} sessions set up before certificates;"
          + " peers are reached again through certificate-checked handshakes", old.size());
    }
  }

  @Override
  public synchronized io.ciphertalk.crypto.account.AccountKeyPair accountKeyPair() {
    return devices.accountKeyPair();
  }

  @Override
  public synchronized void certificateSource(CertificateSource source) {
    this.certificates = Objects.requireNonNull(source, "source");
  }

  @Override
  public synchronized byte[] revoke(int deviceId, byte[] certificate) throws CryptoException {
    io.ciphertalk.crypto.account.DeviceCertificate cert =
        io.ciphertalk.crypto.account.DeviceCertificate.deserialize(certificate);
    cert.verify(devices.accountKeyPair().publicKey(), new DeviceAddress(self.userId(), deviceId));
    byte[] r = devices.revoke(cert).serialize();
    acceptRevocation(r);
    return r;
  }

  @Override
  public synchronized boolean acceptRevocation(byte[] revocation) throws CryptoException {
    io.ciphertalk.crypto.account.DeviceRevocation r =
        io.ciphertalk.crypto.account.DeviceRevocation.deserialize(revocation);
    boolean fresh = devices.acceptRevocation(r);
    forget(r.address());
    store.sessions().deleteSession(r.address());
    return fresh;
  }

  @Override
  public synchronized boolean isRevoked(DeviceAddress device) {
    return devices.isRevoked(device);
  }

  @Override
  public synchronized List<NewDevice> takeNewDevices() {
    List<NewDevice> out = List.copyOf(newDevices);
    newDevices.clear();
    return out;
  }

  @Override
  public synchronized String safetyNumber(String userId) {
    return devices.safetyNumber(userId).digits();
  }

  @Override
  public synchronized String safetyNumberPayload(String userId) {
    return devices.safetyNumber(userId).scannableText();
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

  /**
   * The session layer's trust decision: a key is trusted for an address only if that address's
   * certificate, verified by {@link DeviceTrust}, certifies it. The identity store remembers which
   * devices were seen, so that a device first seen of an already known user (or of this account) is
   * announced as linked.
   */
  private final class Trust implements IdentityTrust {
    private final IdentityStore ids;

    Trust(IdentityStore ids) {
      this.ids = ids;
    }

    java.util.Set<DeviceAddress> known(String userId) {
      java.util.Set<DeviceAddress> out = new java.util.HashSet<>(
          store.sessions().sessionDevices(userId));
      sessions.keySet().stream().filter(a -> a.userId().equals(userId)).forEach(out::add);
      return out;
    }

    @Override
    public boolean isTrusted(DeviceAddress address, IdentityKey key) {
      return devices.isVerified(address, key);
    }

    @Override
    public void trust(DeviceAddress address, IdentityKey key) {
      boolean first = ids.peerIdentity(address).isEmpty();
      if (first) {
        boolean knownUser = address.userId().equals(self.userId());
        for (DeviceAddress d : known(address.userId())) {
          if (!d.equals(address) && ids.peerIdentity(d).isPresent()) {
            knownUser = true;
          }
        }
        if (knownUser) {
          newDevices.add(new NewDevice(address, ""));
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
      Optional<KemPreKey> oneTime = load(PreKeyType.ONE_TIME_KEM, id, KemPreKey::deserialize);
      return oneTime.isPresent() ? oneTime : load(PreKeyType.KEM, id, KemPreKey::deserialize);
    }

    @Override
    public boolean consumeKemPreKey(int id) {
      if (keys.loadPreKey(PreKeyType.ONE_TIME_KEM, id).map(k -> {
        k.wipe();
        return true;
      }).orElse(false)) {
        // Exactly one of racing callers removes it.
        Optional<SecretBytes> s = keys.consumePreKey(PreKeyType.ONE_TIME_KEM, id);
        s.ifPresent(SecretBytes::wipe);
        return s.isPresent();
      }
      Optional<SecretBytes> lastResort = keys.loadPreKey(PreKeyType.KEM, id);
      lastResort.ifPresent(SecretBytes::wipe);
      return lastResort.isPresent();
    }

    @Override
    public Optional<RsaPreKey> rsaPreKey(int id) {
      return load(PreKeyType.RSA, id, RsaPreKey::deserialize);
    }
  }
}
