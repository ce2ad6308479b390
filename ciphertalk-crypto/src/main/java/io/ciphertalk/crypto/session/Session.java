package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.Aead;
import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.AuthenticationFailedException;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.Kem;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.internal.SessionReader;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.Kdfs;
import io.ciphertalk.crypto.session.internal.SkippedKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An end-to-end encrypted 1:1 session between this device and one peer device: a Double Ratchet
 * (Signal's specification: X25519 DH ratchet, HKDF-SHA256 root chain, HMAC-SHA256
 * symmetric chains) seeded by one of the {@link HandshakeSuite}s, with AES-256-GCM per message.
 *
 * <p>Start one with {@link #initiate()} (from the peer's {@link PreKeyBundle}) or
 * {@link #respond()} (from the peer's {@link InitialMessage}); restore one with
 * {@link #deserialize}. Guarantees: confidentiality and integrity of each message and of its
 * header, message id and expiry (all in the associated data with the protocol version, the suite
 * and both identity keys); forward secrecy (each message key is deleted once used); post-compromise
 * security after a DH ratchet round trip; out-of-order delivery within {@link #MAX_SKIP} per chain
 * and {@link #MAX_SKIPPED_KEYS} in total. Every rejected message ({@link InvalidMessageException},
 * {@link DuplicateMessageException}, {@link TooManySkippedMessagesException}) leaves the state
 * exactly as it was: decryption works on a plan and commits only after the AEAD tag verifies.
 *
 * <p>Thread-safe: methods synchronize on the session. Arguments must not be null. Persist
 * {@link #serialize()} after every {@link #encrypt} and {@link #decrypt}: reusing an older state
 * would reuse message keys (the random per-message nonce keeps AES-GCM safe even then, see
 * docs/protocol.md, but the peer will reject the duplicates).
 */
public final class Session {
  /** Expiry value meaning "does not expire". */
  public static final long NO_EXPIRY = 0L;
  /** Largest plaintext {@link #encrypt} accepts: 1 MiB. */
  public static final int MAX_PLAINTEXT_LENGTH = 1 << 20;
  /** Most message keys one received message may make the session skip in one chain. */
  public static final int MAX_SKIP = 2000;
  /** Most skipped message keys kept in total; beyond it the oldest are forgotten. */
  public static final int MAX_SKIPPED_KEYS = 5000;
  /** How many earlier peer ratchet keys are remembered to recognise late duplicates. */
  static final int MAX_RETIRED_RATCHET_KEYS = 64;

  private static final int STATE_VERSION = 1;
  private static final int MAX_STATE_LENGTH = 1 << 20;
  private static final int AD_PREFIX = 128;

  private final HandshakeSuite suite;
  private final DeviceAddress remoteAddress;
  private final IdentityKey localIdentity;
  private final IdentityKey remoteIdentity;
  private final byte[] sendAdPrefix;
  private final byte[] recvAdPrefix;
  private final RandomSource random;
  private final byte[] baseKey;

  private byte[] rootKey;
  private X25519.PrivateKey sendRatchet;
  private byte[] sendRatchetPublic;
  private byte[] sendChainKey;
  private int sendCounter;
  private int previousSendCounter;
  private byte[] recvRatchetPublic;
  private byte[] recvChainKey;
  private int recvCounter;
  private byte[] pendingHandshake;
  private final SkippedKeys skipped = new SkippedKeys(MAX_SKIPPED_KEYS);
  private final ArrayDeque<byte[]> retired = new ArrayDeque<>();
  private boolean wiped;

  private Session(HandshakeSuite suite, DeviceAddress remoteAddress, IdentityKey localIdentity,
      IdentityKey remoteIdentity, byte[] baseKey, RandomSource random) {
    this.suite = suite;
    this.remoteAddress = remoteAddress;
    this.localIdentity = localIdentity;
    this.remoteIdentity = remoteIdentity;
    this.baseKey = baseKey;
    this.random = random;
    this.sendAdPrefix = Kdfs.concat(localIdentity.keyBytesView(), remoteIdentity.keyBytesView());
    this.recvAdPrefix = Kdfs.concat(remoteIdentity.keyBytesView(), localIdentity.keyBytesView());
  }

  /** A builder for the initiating side (the device that fetched a {@link PreKeyBundle}). */
  public static InitiatorBuilder initiate() {
    return new InitiatorBuilder();
  }

  /** A builder for the responding side (the device that received an {@link InitialMessage}). */
  public static ResponderBuilder respond() {
    return new ResponderBuilder();
  }

  // ---------------------------------------------------------------- accessors

  /** The suite this session was started with. */
  public HandshakeSuite suite() {
    return suite;
  }

  /** The peer device's address. */
  public DeviceAddress remoteAddress() {
    return remoteAddress;
  }

  /** The peer's identity key, fixed for the session's lifetime. */
  public IdentityKey remoteIdentity() {
    return remoteIdentity;
  }

  /** This device's identity key. */
  public IdentityKey localIdentity() {
    return localIdentity;
  }

  /**
   * Whether this (initiating) session still sends {@link InitialMessage}s because the peer has not
   * yet replied.
   */
  public synchronized boolean hasPendingHandshake() {
    return pendingHandshake != null;
  }

  /**
   * Whether {@code message} is a (possibly repeated) initial message of the handshake that created
   * this session, so {@link #decrypt} handles it; if false, the peer started a new session and the
   * caller should use {@link #respond()}.
   */
  public boolean isSameHandshake(InitialMessage message) {
    Objects.requireNonNull(message, "message");
    return baseKey != null
        && message.suite() == suite
        && Arrays.equals(baseKey, message.baseKey())
        && message.senderIdentity().equals(remoteIdentity);
  }

  // ---------------------------------------------------------------- encrypt

  /**
   * Encrypts {@code plaintext} as the next message of the sending chain.
   *
   * @param plaintext at most {@link #MAX_PLAINTEXT_LENGTH} bytes
   * @param messageId the sender's id for this message, bound into the associated data
   * @param expiresAtEpochMillis expiry in epoch milliseconds, or {@link #NO_EXPIRY}; bound into
   *     the associated data
   * @return an {@link InitialMessage} while {@link #hasPendingHandshake()}, else a
   *     {@link RatchetMessage}
   * @throws IllegalStateException if the session was wiped or its chain counter is exhausted
   */
  public synchronized EncryptedMessage encrypt(
      byte[] plaintext, MessageId messageId, long expiresAtEpochMillis) throws CryptoException {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(messageId, "messageId");
    checkLive();
    if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
      throw new IllegalArgumentException(
          "plaintext of " + plaintext.length + " bytes exceeds " + MAX_PLAINTEXT_LENGTH);
    }
    if (expiresAtEpochMillis < 0) {
      throw new IllegalArgumentException("expiry must be >= 0: " + expiresAtEpochMillis);
    }
    if (sendChainKey == null) {
      throw new IllegalStateException("session has no sending chain yet");
    }
    if (sendCounter == Integer.MAX_VALUE) {
      throw new IllegalStateException("sending chain exhausted; wait for the peer's reply");
    }
    byte[] messageKey = Kdfs.messageKey(sendChainKey);
    byte[] nextChainKey = Kdfs.nextChainKey(sendChainKey);
    byte[] nonce = random.bytes(Aead.NONCE_LENGTH);

    int prefixLength = pendingHandshake == null ? 3 : pendingHandshake.length;
    int headerLength = prefixLength + MessageCodec.BODY_LENGTH;
    byte[] ad = new byte[AD_PREFIX + headerLength];
    System.arraycopy(sendAdPrefix, 0, ad, 0, AD_PREFIX);
    if (pendingHandshake == null) {
      ad[AD_PREFIX] = (byte) Kdfs.PROTOCOL_VERSION;
      ad[AD_PREFIX + 1] = MessageCodec.TYPE_RATCHET;
      ad[AD_PREFIX + 2] = (byte) suite.code();
    } else {
      System.arraycopy(pendingHandshake, 0, ad, AD_PREFIX, prefixLength);
    }
    MessageCodec.writeBody(ad, AD_PREFIX + prefixLength, sendRatchetPublic, previousSendCounter,
        sendCounter, messageId, expiresAtEpochMillis, nonce);

    byte[] sealed;
    try {
      sealed = AesGcm.create(SecretBytes.wrap(messageKey)).seal(nonce, plaintext, ad);
    } finally {
      Arrays.fill(messageKey, (byte) 0);
    }
    byte[] out = Arrays.copyOfRange(ad, AD_PREFIX, AD_PREFIX + headerLength + sealed.length);
    System.arraycopy(sealed, 0, out, headerLength, sealed.length);

    Arrays.fill(sendChainKey, (byte) 0);
    sendChainKey = nextChainKey;
    sendCounter++;
    if (pendingHandshake == null) {
      return RatchetMessage.wrap(out, suite);
    }
    try {
      return InitialMessage.wrap(out, localIdentity);
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("built an unparsable initial message", e);
    }
  }

  // ---------------------------------------------------------------- decrypt

  /**
   * Verifies and decrypts a message from the peer.
   *
   * @throws InvalidMessageException if the message is forged, altered, for another session or
   *     suite, or an {@link InitialMessage} of a different handshake
   * @throws DuplicateMessageException if its key was already used (replay or duplicate delivery)
   * @throws TooManySkippedMessagesException if it is further ahead than {@link #MAX_SKIP}
   */
  public synchronized DecryptedMessage decrypt(EncryptedMessage message) throws CryptoException {
    Objects.requireNonNull(message, "message");
    checkLive();
    if (message.suite() != suite) {
      throw new InvalidMessageException("message of suite " + message.suite() + " for a "
          + suite + " session");
    }
    byte[] bytes;
    int headerLength;
    MessageCodec.Body body;
    if (message instanceof InitialMessage) {
      InitialMessage im = (InitialMessage) message;
      if (!isSameHandshake(im)) {
        throw new InvalidMessageException("initial message of another handshake");
      }
      bytes = im.view();
      headerLength = im.headerLength();
      body = im.body();
    } else {
      RatchetMessage rm = (RatchetMessage) message;
      bytes = rm.view();
      headerLength = rm.headerLength();
      body = rm.body();
    }
    Plan plan = plan(body);
    byte[] plaintext;
    try {
      plaintext = open(plan.messageKey, body, bytes, headerLength);
    } catch (CryptoException e) {
      plan.discard();
      throw e;
    }
    commit(plan, body);
    return new DecryptedMessage(remoteAddress, body.messageId, body.expiresAt, plaintext);
  }

  private byte[] open(byte[] messageKey, MessageCodec.Body body, byte[] bytes, int headerLength)
      throws CryptoException {
    byte[] ad = new byte[AD_PREFIX + headerLength];
    System.arraycopy(recvAdPrefix, 0, ad, 0, AD_PREFIX);
    System.arraycopy(bytes, 0, ad, AD_PREFIX, headerLength);
    byte[] ciphertext = Arrays.copyOfRange(bytes, headerLength, bytes.length);
    // The key object must not wipe the plan's array: the plan owns it. Its copy is wiped here.
    SecretBytes key = SecretBytes.copyOf(messageKey);
    try {
      return AesGcm.create(key).open(body.nonce, ciphertext, ad);
    } catch (AuthenticationFailedException e) {
      throw new InvalidMessageException("message failed authentication", e);
    } finally {
      key.wipe();
    }
  }

  /** What a successful decryption will change; nothing is mutated until {@link #commit}. */
  private static final class Plan {
    byte[] messageKey;
    boolean fromSkipped;
    boolean ratchet;
    byte[] newRootKey;
    byte[] newRecvChainKey;
    int newRecvCounter;
    final List<Object[]> newSkipped = new ArrayList<>();

    void discard() {
      Arrays.fill(messageKey, (byte) 0);
      if (newRootKey != null) {
        Arrays.fill(newRootKey, (byte) 0);
      }
      if (newRecvChainKey != null) {
        Arrays.fill(newRecvChainKey, (byte) 0);
      }
      for (Object[] s : newSkipped) {
        Arrays.fill((byte[]) s[2], (byte) 0);
      }
    }
  }

  private Plan plan(MessageCodec.Body h) throws CryptoException {
    Plan p = new Plan();
    byte[] key = skipped.get(h.ratchetKey, h.counter);
    if (key != null) {
      p.messageKey = key.clone();
      p.fromSkipped = true;
      return p;
    }
    if (h.counter < 0 || h.previousCounter < 0) {
      throw new InvalidMessageException("negative counter");
    }
    if (recvRatchetPublic != null && Arrays.equals(h.ratchetKey, recvRatchetPublic)) {
      if (h.counter < recvCounter) {
        throw new DuplicateMessageException(h.messageId);
      }
      if (h.counter - recvCounter > MAX_SKIP) {
        throw new TooManySkippedMessagesException(
            "message " + h.counter + " is " + (h.counter - recvCounter) + " ahead of its chain");
      }
      byte[] ck = skipAhead(p, recvRatchetPublic, recvChainKey.clone(), recvCounter, h.counter);
      p.messageKey = Kdfs.messageKey(ck);
      p.newRecvChainKey = Kdfs.nextChainKey(ck);
      Arrays.fill(ck, (byte) 0);
      p.newRecvCounter = h.counter + 1;
      return p;
    }
    for (byte[] old : retired) {
      if (Arrays.equals(old, h.ratchetKey)) {
        throw new DuplicateMessageException(h.messageId);
      }
    }
    // A new peer ratchet key: a DH ratchet step.
    if (recvChainKey != null && h.previousCounter - recvCounter > MAX_SKIP) {
      throw new TooManySkippedMessagesException(
          "previous chain would skip " + (h.previousCounter - recvCounter) + " messages");
    }
    if (h.counter > MAX_SKIP) {
      throw new TooManySkippedMessagesException(
          "message " + h.counter + " of a new chain is too far ahead");
    }
    if (recvChainKey != null && h.previousCounter > recvCounter) {
      byte[] ck =
          skipAhead(p, recvRatchetPublic, recvChainKey.clone(), recvCounter, h.previousCounter);
      Arrays.fill(ck, (byte) 0);
    }
    byte[] dh;
    try {
      dh = dh(sendRatchet, X25519.PublicKey.of(h.ratchetKey));
    } catch (InvalidKeyMaterialException e) {
      p.messageKey = new byte[0];
      p.discard();
      throw new InvalidMessageException("bad ratchet key", e);
    }
    byte[] rc = Kdfs.rootStep(rootKey, dh);
    Arrays.fill(dh, (byte) 0);
    p.ratchet = true;
    p.newRootKey = Arrays.copyOfRange(rc, 0, 32);
    byte[] ck = Arrays.copyOfRange(rc, 32, 64);
    Arrays.fill(rc, (byte) 0);
    ck = skipAhead(p, h.ratchetKey, ck, 0, h.counter);
    p.messageKey = Kdfs.messageKey(ck);
    p.newRecvChainKey = Kdfs.nextChainKey(ck);
    Arrays.fill(ck, (byte) 0);
    p.newRecvCounter = h.counter + 1;
    return p;
  }

  /** Advances {@code ck} from {@code from} to {@code to}, recording skipped keys in the plan. */
  private static byte[] skipAhead(Plan p, byte[] ratchetKey, byte[] ck, int from, int to) {
    for (int i = from; i < to; i++) {
      p.newSkipped.add(new Object[] {ratchetKey, i, Kdfs.messageKey(ck)});
      byte[] next = Kdfs.nextChainKey(ck);
      Arrays.fill(ck, (byte) 0);
      ck = next;
    }
    return ck;
  }

  private void commit(Plan p, MessageCodec.Body h) throws CryptoException {
    Arrays.fill(p.messageKey, (byte) 0);
    pendingHandshake = null;
    if (p.fromSkipped) {
      skipped.remove(h.ratchetKey, h.counter);
      return;
    }
    for (Object[] s : p.newSkipped) {
      skipped.add((byte[]) s[0], (Integer) s[1], (byte[]) s[2]);
    }
    if (p.ratchet) {
      if (recvRatchetPublic != null) {
        retired.addLast(recvRatchetPublic);
        if (retired.size() > MAX_RETIRED_RATCHET_KEYS) {
          retired.removeFirst();
        }
      }
      recvRatchetPublic = h.ratchetKey.clone();
      X25519.PrivateKey next = X25519.generate(random);
      byte[] dh = dh(next, X25519.PublicKey.of(h.ratchetKey));
      byte[] rc = Kdfs.rootStep(p.newRootKey, dh);
      Arrays.fill(dh, (byte) 0);
      Arrays.fill(p.newRootKey, (byte) 0);
      wipe(rootKey);
      rootKey = Arrays.copyOfRange(rc, 0, 32);
      wipe(sendChainKey);
      sendChainKey = Arrays.copyOfRange(rc, 32, 64);
      Arrays.fill(rc, (byte) 0);
      sendRatchet.wipe();
      sendRatchet = next;
      sendRatchetPublic = next.publicKey().toByteArray();
      previousSendCounter = sendCounter;
      sendCounter = 0;
    }
    wipe(recvChainKey);
    recvChainKey = p.newRecvChainKey;
    recvCounter = p.newRecvCounter;
  }

  private static void wipe(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * The versioned state encoding (docs/protocol.md, "Session state"). It contains every live
   * secret of the session: store it encrypted, and wipe the returned copy when done.
   */
  public synchronized SecretBytes serialize() {
    checkLive();
    ByteWriter w = new ByteWriter(1024 + skipped.size() * 68);
    w.u8(STATE_VERSION).u8(suite.code()).bytes(remoteAddress.encode());
    w.bytes(localIdentity.serialize()).bytes(remoteIdentity.serialize());
    int flags = (baseKey != null ? 1 : 0) | (recvChainKey != null ? 2 : 0)
        | (pendingHandshake != null ? 4 : 0) | (sendChainKey != null ? 8 : 0);
    w.u8(flags);
    if (baseKey != null) {
      w.bytes(baseKey);
    }
    w.bytes(rootKey);
    byte[] sk = sendRatchet.secret().toByteArray();
    w.bytes(sk);
    Arrays.fill(sk, (byte) 0);
    if (sendChainKey != null) {
      w.bytes(sendChainKey);
    }
    w.u32(sendCounter).u32(previousSendCounter);
    if (recvChainKey != null) {
      w.bytes(recvRatchetPublic).bytes(recvChainKey).u32(recvCounter);
    }
    if (pendingHandshake != null) {
      w.var16(pendingHandshake);
    }
    w.u8(retired.size());
    for (byte[] r : retired) {
      w.bytes(r);
    }
    w.u32(skipped.size());
    for (Map.Entry<SkippedKeys.Id, byte[]> e : skipped.entries()) {
      w.bytes(e.getKey().ratchetKey()).u32(e.getKey().counter()).bytes(e.getValue());
    }
    return SecretBytes.wrap(w.toByteArray());
  }

  /** Restores a session using {@link RandomSource#secure()}. */
  public static Session deserialize(SecretBytes state) throws InvalidSessionStateException {
    return deserialize(state, RandomSource.secure());
  }

  /** Restores a session from {@link #serialize()}, drawing future randomness from {@code random}. */
  public static Session deserialize(SecretBytes state, RandomSource random)
      throws InvalidSessionStateException {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(random, "random");
    if (state.length() > MAX_STATE_LENGTH) {
      throw new InvalidSessionStateException("session state longer than " + MAX_STATE_LENGTH);
    }
    byte[] b = state.toByteArray();
    try {
      SessionReader r = new SessionReader(b);
      if (r.u8() != STATE_VERSION) {
        throw new InvalidSessionStateException("unknown session state version");
      }
      HandshakeSuite suite = HandshakeSuite.fromCode(r.u8());
      if (suite == null) {
        throw new InvalidSessionStateException("unknown suite");
      }
      DeviceAddress address =
          DeviceAddress.of(new String(r.bytes(r.u8()), StandardCharsets.UTF_8), r.u32());
      IdentityKey local = IdentityKey.deserialize(r.bytes(IdentityKey.ENCODED_LENGTH));
      IdentityKey remote = IdentityKey.deserialize(r.bytes(IdentityKey.ENCODED_LENGTH));
      int flags = r.u8();
      if ((flags & ~15) != 0) {
        throw new InvalidSessionStateException("unknown state flags");
      }
      byte[] baseKey = (flags & 1) != 0 ? r.bytes(32) : null;
      Session s = new Session(suite, address, local, remote, baseKey, random);
      s.rootKey = r.bytes(32);
      byte[] sk = r.bytes(32);
      s.sendRatchet = X25519.PrivateKey.of(SecretBytes.wrap(sk));
      Arrays.fill(sk, (byte) 0);
      s.sendRatchetPublic = s.sendRatchet.publicKey().toByteArray();
      if ((flags & 8) != 0) {
        s.sendChainKey = r.bytes(32);
      }
      s.sendCounter = nonNegative(r.u32());
      s.previousSendCounter = nonNegative(r.u32());
      if ((flags & 2) != 0) {
        s.recvRatchetPublic = r.bytes(32);
        s.recvChainKey = r.bytes(32);
        s.recvCounter = nonNegative(r.u32());
      }
      if ((flags & 4) != 0) {
        s.pendingHandshake = r.var16();
      }
      int retiredCount = r.u8();
      if (retiredCount > MAX_RETIRED_RATCHET_KEYS) {
        throw new InvalidSessionStateException("too many retired ratchet keys");
      }
      for (int i = 0; i < retiredCount; i++) {
        s.retired.addLast(r.bytes(32));
      }
      int skippedCount = r.u32();
      if (skippedCount < 0 || skippedCount > MAX_SKIPPED_KEYS) {
        throw new InvalidSessionStateException("too many skipped keys");
      }
      for (int i = 0; i < skippedCount; i++) {
        s.skipped.add(r.bytes(32), r.u32(), r.bytes(32));
      }
      r.expectEnd();
      return s;
    } catch (SessionReader.Truncated | IllegalArgumentException | InvalidKeyMaterialException e) {
      throw new InvalidSessionStateException("malformed session state: " + e.getMessage(), e);
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  private static int nonNegative(int v) throws InvalidSessionStateException {
    if (v < 0) {
      throw new InvalidSessionStateException("negative counter in session state");
    }
    return v;
  }

  /** Overwrites every secret; afterwards every method but this one throws. Idempotent. */
  public synchronized void wipe() {
    if (wiped) {
      return;
    }
    wiped = true;
    wipe(rootKey);
    wipe(sendChainKey);
    wipe(recvChainKey);
    if (sendRatchet != null) {
      sendRatchet.wipe();
    }
    skipped.wipe();
  }

  private void checkLive() {
    if (wiped) {
      throw new IllegalStateException("session has been wiped");
    }
  }

  @Override
  public String toString() {
    return "Session[" + suite + " with " + remoteAddress + "]";
  }

  // ---------------------------------------------------------------- handshakes

  /** The DH output as a plain array the caller wipes; the {@code agree()} result is wiped here. */
  private static byte[] dh(X25519.PrivateKey priv, X25519.PublicKey pub)
      throws InvalidKeyMaterialException {
    SecretBytes shared = priv.agree(pub);
    try {
      return shared.toByteArray();
    } finally {
      shared.wipe();
    }
  }

  /**
   * Builds the initiating side from a verified {@link PreKeyBundle}. Not thread-safe; reusable
   * only for one {@link #build()}. Setters reject null.
   */
  public static final class InitiatorBuilder {
    private IdentityKeyPair identity;
    private DeviceAddress localAddress;
    private PreKeyBundle bundle;
    private HandshakeSuite suite = HandshakeSuite.X3DH;
    private IdentityTrust trust;
    private RandomSource random = RandomSource.secure();

    private InitiatorBuilder() {}

    /** This device's identity (required). */
    public InitiatorBuilder identity(IdentityKeyPair identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /**
     * This device's own address (required): bound, with the peer's, into the handshake secret, so
     * the session cannot be relabelled as coming from another device.
     */
    public InitiatorBuilder localAddress(DeviceAddress localAddress) {
      this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
      return this;
    }

    /** The peer's verified bundle (required). */
    public InitiatorBuilder bundle(PreKeyBundle bundle) {
      this.bundle = Objects.requireNonNull(bundle, "bundle");
      return this;
    }

    /** The handshake suite (default {@link HandshakeSuite#X3DH}). */
    public InitiatorBuilder suite(HandshakeSuite suite) {
      this.suite = Objects.requireNonNull(suite, "suite");
      return this;
    }

    /** The identity trust decision (required). */
    public InitiatorBuilder trust(IdentityTrust trust) {
      this.trust = Objects.requireNonNull(trust, "trust");
      return this;
    }

    /** Randomness (default {@link RandomSource#secure()}). */
    public InitiatorBuilder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Runs the handshake and returns a session whose first messages are {@link InitialMessage}s.
     *
     * @throws UntrustedIdentityException if {@code trust} rejects the bundle's identity key
     * @throws InvalidPreKeyBundleException if the bundle lacks the suite's prekey or holds an
     *     unusable key
     * @throws IllegalStateException if a required setter was not called
     */
    public Session build() throws CryptoException {
      if (identity == null || localAddress == null || bundle == null || trust == null) {
        throw new IllegalStateException("identity, localAddress, bundle and trust are required");
      }
      if (!bundle.supports(suite)) {
        throw new InvalidPreKeyBundleException(
            "bundle of " + bundle.address() + " has no prekey for " + suite);
      }
      IdentityKey remote = bundle.identityKey();
      if (!trust.isTrusted(bundle.address(), remote)) {
        throw new UntrustedIdentityException(bundle.address(), remote);
      }
      X25519.PrivateKey ek = X25519.generate(random);
      List<byte[]> parts = new ArrayList<>();
      ByteWriter prefix = new ByteWriter(1800);
      prefix.u8(Kdfs.PROTOCOL_VERSION).u8(MessageCodec.TYPE_INITIAL).u8(suite.code());
      prefix.bytes(identity.publicKey().serialize()).bytes(ek.publicKey().toByteArray());
      prefix.u32(bundle.signedPreKeyId()).u32(bundle.oneTimePreKeyId().orElse(0));
      X25519.PrivateKey firstRatchet = null;
      try {
        parts.add(Kdfs.HANDSHAKE_F);
        parts.add(dh(identity.agreementKey(), bundle.signedPreKey()));
        parts.add(dh(ek, remote.agreementKey()));
        parts.add(dh(ek, bundle.signedPreKey()));
        if (bundle.oneTimePreKey().isPresent()) {
          parts.add(dh(ek, bundle.oneTimePreKey().get()));
        }
        if (suite == HandshakeSuite.PQXDH) {
          MlKem768.PublicKey kemKey = bundle.kemPreKey().orElseThrow();
          Kem.Encapsulation enc = MlKem768.instance().encapsulate(kemKey, random);
          prefix.u32(bundle.kemPreKeyId().getAsInt()).bytes(enc.ciphertext());
          parts.add(enc.sharedSecret().toByteArray());
          enc.sharedSecret().wipe();
        } else if (suite == HandshakeSuite.RSA_OAEP) {
          byte[] secret = random.bytes(32);
          byte[] ct = bundle.rsaPreKey().orElseThrow()
              .encryptOaep(secret, Kdfs.RSA_OAEP_LABEL, random);
          prefix.u32(bundle.rsaPreKeyId().getAsInt()).var16(ct);
          parts.add(secret);
        }
        byte[] ikm = Kdfs.concat(parts.toArray(new byte[0][]));
        byte[] sk = Kdfs.handshakeSecret(ikm, suite.name(), localAddress, bundle.address());
        Arrays.fill(ikm, (byte) 0);

        // Double Ratchet initialisation (Alice): the responder's signed prekey is its first
        // ratchet key.
        firstRatchet = X25519.generate(random);
        byte[] dh0 = dh(firstRatchet, bundle.signedPreKey());
        byte[] rc = Kdfs.rootStep(sk, dh0);
        Arrays.fill(sk, (byte) 0);
        Arrays.fill(dh0, (byte) 0);

        Session s = new Session(suite, bundle.address(), identity.publicKey(), remote,
            ek.publicKey().toByteArray(), random);
        s.rootKey = Arrays.copyOfRange(rc, 0, 32);
        s.sendChainKey = Arrays.copyOfRange(rc, 32, 64);
        Arrays.fill(rc, (byte) 0);
        s.sendRatchet = firstRatchet;
        s.sendRatchetPublic = firstRatchet.publicKey().toByteArray();
        s.pendingHandshake = prefix.toByteArray();
        trust.trust(bundle.address(), remote);
        return s;
      } catch (InvalidKeyMaterialException e) {
        if (firstRatchet != null) {
          firstRatchet.wipe();
        }
        throw new InvalidPreKeyBundleException("bundle holds an unusable key", e);
      } finally {
        ek.wipe();
        for (int i = 1; i < parts.size(); i++) {
          Arrays.fill(parts.get(i), (byte) 0);
        }
      }
    }
  }

  /** A session created by {@link ResponderBuilder#accept} and the first message it decrypted. */
  public record Established(Session session, DecryptedMessage firstMessage) {
    public Established {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(firstMessage, "firstMessage");
    }
  }

  /**
   * Builds the responding side from an {@link InitialMessage}. Not thread-safe. Setters reject
   * null.
   */
  public static final class ResponderBuilder {
    private IdentityKeyPair identity;
    private PreKeySource preKeys;
    private IdentityTrust trust;
    private DeviceAddress remoteAddress;
    private DeviceAddress localAddress;
    private RandomSource random = RandomSource.secure();
    private boolean requirePostQuantum;

    private ResponderBuilder() {}

    /**
     * Refuse initial messages of any suite but {@link HandshakeSuite#PQXDH} with {@link
     * SuiteNotAcceptedException} (default false: every suite this device has a prekey for). A
     * responder that publishes a KEM prekey but still accepts X3DH lets an attacker who can
     * break X25519 later (a quantum computer) pick the weaker handshake.
     */
    public ResponderBuilder requirePostQuantum(boolean require) {
      this.requirePostQuantum = require;
      return this;
    }

    /** This device's own address (required), bound into the handshake secret. */
    public ResponderBuilder localAddress(DeviceAddress localAddress) {
      this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
      return this;
    }

    /** This device's identity (required). */
    public ResponderBuilder identity(IdentityKeyPair identity) {
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /** This device's private prekeys (required). */
    public ResponderBuilder preKeys(PreKeySource preKeys) {
      this.preKeys = Objects.requireNonNull(preKeys, "preKeys");
      return this;
    }

    /** The identity trust decision (required). */
    public ResponderBuilder trust(IdentityTrust trust) {
      this.trust = Objects.requireNonNull(trust, "trust");
      return this;
    }

    /** The sender's address as the transport authenticated it (required). */
    public ResponderBuilder remoteAddress(DeviceAddress remoteAddress) {
      this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
      return this;
    }

    /** Randomness (default {@link RandomSource#secure()}). */
    public ResponderBuilder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Runs the responder's half of the handshake and decrypts {@code message}. Only when that
     * succeeds are the one-time prekey and a one-time KEM prekey consumed ({@link
     * PreKeySource#consumeKemPreKey}) and the identity recorded as trusted; on any failure nothing
     * changes.
     *
     * @throws UntrustedIdentityException if {@code trust} rejects the sender's identity key
     * @throws SuiteNotAcceptedException if {@link #requirePostQuantum} is set and the message is
     *     not PQXDH
     * @throws NoSuchPreKeyException if a named prekey is unknown or already consumed
     * @throws InvalidMessageException if the message is malformed, forged or altered
     * <p>Before calling this for an initial message from a peer you already have a session with,
     * check {@link Session#isSameHandshake}: a repeated initial message belongs to the existing
     * session (which rejects it if it is a duplicate). Calling {@code accept} again with it would
     * fail only if it used a one-time prekey, since X3DH without one cannot detect the replay.
     *
     * @throws IllegalStateException if a required setter was not called
     */
    public Established accept(InitialMessage message) throws CryptoException {
      Objects.requireNonNull(message, "message");
      if (identity == null || preKeys == null || trust == null || remoteAddress == null
          || localAddress == null) {
        throw new IllegalStateException(
            "identity, preKeys, trust, remoteAddress and localAddress are required");
      }
      if (requirePostQuantum && message.suite() != HandshakeSuite.PQXDH) {
        throw new SuiteNotAcceptedException(message.suite(), "this responder requires PQXDH");
      }
      IdentityKey remote = message.senderIdentity();
      if (!trust.isTrusted(remoteAddress, remote)) {
        throw new UntrustedIdentityException(remoteAddress, remote);
      }
      HandshakeSuite suite = message.suite();
      SignedPreKey spk = preKeys.signedPreKey(message.signedPreKeyId())
          .orElseThrow(() -> new NoSuchPreKeyException("signed", message.signedPreKeyId()));
      OneTimePreKey opk = null;
      if (message.oneTimePreKeyId().isPresent()) {
        int id = message.oneTimePreKeyId().getAsInt();
        opk = preKeys.oneTimePreKey(id).orElseThrow(() -> new NoSuchPreKeyException("one-time", id));
      }
      List<byte[]> parts = new ArrayList<>();
      Session s = null;
      int kemId = 0;
      try {
        X25519.PublicKey ek = X25519.PublicKey.of(message.baseKey());
        parts.add(Kdfs.HANDSHAKE_F);
        parts.add(dh(spk.privateKey(), remote.agreementKey()));
        parts.add(dh(identity.agreementKey(), ek));
        parts.add(dh(spk.privateKey(), ek));
        if (opk != null) {
          parts.add(dh(opk.privateKey(), ek));
        }
        if (suite == HandshakeSuite.PQXDH) {
          int id = message.suitePreKeyId();
          KemPreKey kem =
              preKeys.kemPreKey(id).orElseThrow(() -> new NoSuchPreKeyException("kem", id));
          kemId = id;
          SecretBytes ss = kem.privateKey().decapsulate(message.suiteCiphertext());
          parts.add(ss.toByteArray());
          ss.wipe();
        } else if (suite == HandshakeSuite.RSA_OAEP) {
          int id = message.suitePreKeyId();
          RsaPreKey rsa =
              preKeys.rsaPreKey(id).orElseThrow(() -> new NoSuchPreKeyException("rsa", id));
          byte[] secret;
          try {
            secret = rsa.privateKey().decryptOaep(message.suiteCiphertext(), Kdfs.RSA_OAEP_LABEL);
          } catch (AuthenticationFailedException e) {
            throw new InvalidMessageException("RSA-OAEP key transport failed", e);
          }
          if (secret.length != 32) {
            throw new InvalidMessageException("RSA-OAEP key transport failed");
          }
          parts.add(secret);
        }
        byte[] ikm = Kdfs.concat(parts.toArray(new byte[0][]));
        byte[] sk = Kdfs.handshakeSecret(ikm, suite.name(), remoteAddress, localAddress);
        Arrays.fill(ikm, (byte) 0);

        // Double Ratchet initialisation (Bob): root key SK, the signed prekey as ratchet key pair.
        s = new Session(suite, remoteAddress, identity.publicKey(), remote, message.baseKey().clone(),
            random);
        s.rootKey = sk;
        s.sendRatchet = X25519.PrivateKey.of(spk.privateKey().secret());
        s.sendRatchetPublic = s.sendRatchet.publicKey().toByteArray();
        DecryptedMessage first = s.decrypt(message);
        // A one-time KEM prekey is deleted now (a last-resort one stays): a replay of this
        // message, or a second message racing it, then names a key that is gone.
        if (kemId != 0 && !preKeys.consumeKemPreKey(kemId)) {
          throw new NoSuchPreKeyException("kem", kemId);
        }
        if (opk != null && !preKeys.consumeOneTimePreKey(opk.id())) {
          throw new NoSuchPreKeyException("one-time", opk.id());
        }
        trust.trust(remoteAddress, remote);
        Session established = s;
        s = null;
        return new Established(established, first);
      } catch (InvalidKeyMaterialException e) {
        throw new InvalidMessageException("initial message holds an unusable key", e);
      } finally {
        if (s != null) {
          s.wipe();
        }
        for (int i = 1; i < parts.size(); i++) {
          Arrays.fill(parts.get(i), (byte) 0);
        }
      }
    }
  }
}
