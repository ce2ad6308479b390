package io.ciphertalk.core.store.jdbi;

import io.ciphertalk.core.model.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.Room;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.model.RoomMember;
import io.ciphertalk.core.store.Account;
import io.ciphertalk.core.store.AccountKeyStore;
import io.ciphertalk.core.store.AccountStore;
import io.ciphertalk.core.store.IdentityStore;
import io.ciphertalk.core.store.InvalidStoreKeyException;
import io.ciphertalk.core.store.LocalIdentity;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.MessageCursor;
import io.ciphertalk.core.store.MessageStore;
import io.ciphertalk.core.store.HeldEnvelope;
import io.ciphertalk.core.store.HeldEnvelopeStore;
import io.ciphertalk.core.store.OutboxEntry;
import io.ciphertalk.core.store.OutboxStore;
import io.ciphertalk.core.store.PreKeyStore;
import io.ciphertalk.core.store.PreKeyType;
import io.ciphertalk.core.store.SenderKeyStore;
import io.ciphertalk.core.store.RoomStore;
import io.ciphertalk.core.store.SeenStore;
import io.ciphertalk.core.store.SessionStore;
import io.ciphertalk.core.store.StoreCorruptedException;
import io.ciphertalk.core.store.StoreRollbackException;
import io.ciphertalk.core.store.UnreadStore;
import io.ciphertalk.core.store.AppDataStore;
import io.ciphertalk.core.store.StoreException;
import io.ciphertalk.core.store.internal.StoreSupport;
import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.HkdfSha256;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * A {@link LocalStore} in a relational database through Jdbi: by default an H2 file database;
 * any {@link DataSource} whose SQL dialect accepts the portable schema (PostgreSQL) also works.
 *
 * <p><b>Encrypted at rest.</b> Private identity and prekeys, session state, sender keys, message
 * bodies and outbox payloads are sealed with AES-256-GCM (random 96-bit nonce per value; associated
 * data binding table, column and row) under a data key derived with HKDF-SHA256 (RFC 5869) from
 * the store key. The store key is either supplied by the app (32 bytes) or derived from a
 * passphrase with Argon2id (RFC 9106; random 16-byte salt and the {@link Argon2Settings} kept in
 * the database). A sealed key-check value detects a wrong key at {@link Builder#open()}. Routing
 * metadata stays in clear so it can be indexed: room ids, user and device ids, message ids and
 * times, flags, and public identity keys.
 *
 * <p>The schema is versioned ({@code schema_version} table, ordered scripts applied at open).
 * Thread-safe: every call borrows a pooled connection. Expiry is judged by the injected clock.
 */
public final class JdbiLocalStore implements LocalStore {
  private static final byte[] KEY_CHECK = "ciphertalk-store-key-check-v1".getBytes(StandardCharsets.UTF_8);
  /**
   * The key check of a store whose trust table is sealed (since 1.1). A store still holding the v1
   * check has its peer identities in clear; opening it seals them and writes this check, in one
   * transaction.
   */
  private static final byte[] KEY_CHECK_V2 = "ciphertalk-store-key-check-v2".getBytes(StandardCharsets.UTF_8);
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final Db db;
  private final AutoCloseable resource;
  private boolean closed;
  private final InstantSource clock;
  private final Identities identities = new Identities();
  private final AccountKeys accountKeys = new AccountKeys();
  private final Sessions sessions = new Sessions();
  private final PreKeys preKeys = new PreKeys();
  private final SenderKeys senderKeys = new SenderKeys();
  private final Messages messages = new Messages();
  private final Outbox outbox = new Outbox();
  private final Held held = new Held();
  private final Accounts account = new Accounts();
  private final Rooms rooms = new Rooms();
  private final Seen seen = new Seen();
  private final Unread unread = new Unread();
  private final AppData appData = new AppData();

  private JdbiLocalStore(Db db, AutoCloseable resource, InstantSource clock) {
    this.db = db;
    this.resource = resource;
    this.clock = clock;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public AccountKeyStore accountKeys() {
    return accountKeys;
  }

  @Override
  public IdentityStore identities() {
    return identities;
  }

  @Override
  public SessionStore sessions() {
    return sessions;
  }

  @Override
  public PreKeyStore preKeys() {
    return preKeys;
  }

  @Override
  public SenderKeyStore senderKeys() {
    return senderKeys;
  }

  @Override
  public MessageStore messages() {
    return messages;
  }

  @Override
  public OutboxStore outbox() {
    return outbox;
  }

  @Override
  public HeldEnvelopeStore held() {
    return held;
  }

  @Override
  public AccountStore account() {
    return account;
  }

  @Override
  public RoomStore rooms() {
    return rooms;
  }

  @Override
  public SeenStore seen() {
    return seen;
  }

  @Override
  public UnreadStore unread() {
    return unread;
  }

  /**
   * One H2/PostgreSQL transaction for everything {@code work} does on this store from this thread.
   * On PostgreSQL a failed statement aborts the whole unit (H2 only fails the statement).
   */
  @Override
  public void inTransaction(Runnable work) {
    db.inUnit(work);
  }

  @Override
  public AppDataStore appData() {
    return appData;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    db.close();
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception e) {
        throw new StoreException("closing the database failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "JdbiLocalStore";
  }

  // ------------------------------------------------------------------------------------ builder

  /**
   * Closes the H2 database itself, not only the pool: a connection still held by another thread
   * would otherwise keep the database open, and its files written to, after {@link #close()}
   * returned (a backup copied then would be torn, and a store reopened on the same file in this
   * JVM would share the still-open database instead of reading the file).
   */
  private static void shutDown(JdbcConnectionPool pool) throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    } finally {
      pool.dispose();
    }
  }

  /** Configures and opens a {@link JdbiLocalStore}. Not thread-safe. */
  public static final class Builder {
    private Path file;
    private DataSource dataSource;
    private SecretBytes key;
    private char[] passphrase;
    private Argon2Settings argon2 = Argon2Settings.recommended();
    private InstantSource clock = InstantSource.system();
    private RandomSource random = RandomSource.secure();
    private java.util.function.Consumer<Object> secretsProbe = s -> { };

    private Builder() {}

    /**
     * Test hook (package-private, per builder): {@link #open()} hands it each secret it holds, its
     * copy of the key or passphrase and the store key it derives (raw copy or Argon2id output), so
     * a test can check that each is wiped once {@code open()} returns, whether it succeeded or not.
     */
    Builder secretsProbe(java.util.function.Consumer<Object> probe) {
      this.secretsProbe = Objects.requireNonNull(probe, "probe");
      return this;
    }

    /**
     * An H2 file database at {@code file} (without the {@code .mv.db} suffix H2 appends); created
     * if absent. Exclusive with {@link #dataSource}.
     */
    public Builder file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Any data source whose database accepts the portable schema (H2, PostgreSQL). */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** The app-supplied 32-byte store key (copied). Exclusive with {@link #passphrase}. */
    public Builder key(SecretBytes key) {
      Objects.requireNonNull(key, "key");
      if (key.length() != 32) {
        throw new IllegalArgumentException("store key must be 32 bytes, got " + key.length());
      }
      this.key = SecretBytes.copyOf(key.toByteArray());
      return this;
    }

    /** A passphrase to derive the store key from with Argon2id (copied; wipe yours). */
    public Builder passphrase(char[] passphrase) {
      Objects.requireNonNull(passphrase, "passphrase");
      if (passphrase.length == 0) {
        throw new IllegalArgumentException("passphrase must not be empty");
      }
      this.passphrase = passphrase.clone();
      return this;
    }

    /**
     * Argon2id cost for a new passphrase store; default {@link Argon2Settings#recommended()}. An
     * existing store always opens with the parameters saved in it.
     */
    public Builder argon2(Argon2Settings settings) {
      this.argon2 = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The clock that judges message expiry and stamps the outbox; default system clock. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Randomness for nonces and salt; default {@link RandomSource#secure()}. */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Opens (creating and migrating if needed) the store.
     *
     * @throws InvalidStoreKeyException if the key or passphrase is not the one the store was
     *     created with, or a key is given for a passphrase store (or the reverse)
     * @throws IllegalStateException if the location or the key is missing, or both kinds given
     * @throws StoreException if the database cannot be opened or migrated
     */
    public JdbiLocalStore open() throws InvalidStoreKeyException {
      if ((file == null) == (dataSource == null)) {
        throw new IllegalStateException("set exactly one of file(...) and dataSource(...)");
      }
      if ((key == null) == (passphrase == null)) {
        throw new IllegalStateException("set exactly one of key(...) and passphrase(...)");
      }
      secretsProbe.accept(key != null ? key : passphrase);
      JdbcConnectionPool pool = null;
      DataSource ds = dataSource;
      if (file != null) {
        // No shutdown hook (library code leaves the JVM alone), no trace file. WRITE_DELAY=0: a
        // commit is in the file (the OS's cache) when it returns, so a killed process keeps it;
        // with H2's default (500 ms) the last commits lived only in memory, and what they
        // acknowledged to the server was lost for good (KilledDeviceTest).
        String url = "jdbc:h2:file:" + file.toAbsolutePath()
            + ";DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0;WRITE_DELAY=0";
        pool = JdbcConnectionPool.create(url, "ciphertalk", "");
        pool.setMaxConnections(8);
        ds = pool;
      }
      try {
        Jdbi jdbi = Jdbi.create(ds);
        Migrations.migrate(jdbi, Migrations.latest(), clock);
        SecretBytes master = masterKey(jdbi);
        secretsProbe.accept(master);
        Sealer sealer;
        RowSetDigest digest;
        try {
          sealer = sealerFor(master, random);
          digest = digestFor(master);
        } finally {
          master.wipe();
        }
        checkKey(jdbi, sealer);
        checkRowSet(jdbi, sealer, digest);
        JdbcConnectionPool opened = pool;
        return new JdbiLocalStore(new Db(jdbi, sealer, digest),
            opened == null ? null : () -> shutDown(opened), clock);
      } catch (InvalidStoreKeyException | RuntimeException e) {
        if (pool != null) {
          pool.dispose();
        }
        if (e instanceof JdbiException) {
          throw new StoreException("cannot open the store database", e);
        }
        throw e;
      } finally {
        if (passphrase != null) {
          Arrays.fill(passphrase, '\0');
          passphrase = null;
        }
        if (key != null) {
          key.wipe();
          key = null;
        }
      }
    }

    private SecretBytes masterKey(Jdbi jdbi) throws InvalidStoreKeyException {
      Map<String, String> meta = readMeta(jdbi);
      String kdf = meta.get("kdf");
      if (kdf == null) {
        // A new store: record how its key is made.
        Map<String, String> fresh = new HashMap<>();
        if (passphrase != null) {
          byte[] salt = random.bytes(16);
          fresh.put("kdf", "argon2id");
          fresh.put("kdf_salt", B64.encodeToString(salt));
          fresh.put("kdf_memory_kib", Integer.toString(argon2.memoryKiB()));
          fresh.put("kdf_iterations", Integer.toString(argon2.iterations()));
          fresh.put("kdf_parallelism", Integer.toString(argon2.parallelism()));
        } else {
          fresh.put("kdf", "raw");
        }
        jdbi.useTransaction(
            h -> {
              for (Map.Entry<String, String> e : fresh.entrySet()) {
                h.createUpdate("INSERT INTO store_meta (name, val) VALUES (:n, :v)")
                    .bind("n", e.getKey())
                    .bind("v", e.getValue())
                    .execute();
              }
            });
        meta = fresh;
        kdf = fresh.get("kdf");
      }
      if (kdf.equals("raw")) {
        if (key == null) {
          throw new InvalidStoreKeyException("this store was created with a key, not a passphrase");
        }
        return SecretBytes.copyOf(key.toByteArray());
      }
      if (!kdf.equals("argon2id")) {
        throw new StoreException("unknown key derivation '" + kdf + "' in store_meta");
      }
      if (passphrase == null) {
        throw new InvalidStoreKeyException("this store was created with a passphrase, not a key");
      }
      Argon2Settings s =
          new Argon2Settings(
              Integer.parseInt(meta.get("kdf_memory_kib")),
              Integer.parseInt(meta.get("kdf_iterations")),
              Integer.parseInt(meta.get("kdf_parallelism")));
      return argon2id(passphrase, B64D.decode(meta.get("kdf_salt")), s);
    }

    private static Map<String, String> readMeta(Jdbi jdbi) {
      return jdbi.withHandle(
          h -> {
            Map<String, String> m = new HashMap<>();
            h.createQuery("SELECT name, val FROM store_meta")
                .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getString("val")))
                .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
          });
    }

    private static void checkKey(Jdbi jdbi, Sealer sealer) throws InvalidStoreKeyException {
      String check =
          jdbi.withHandle(
              h ->
                  h.createQuery("SELECT val FROM store_meta WHERE name = 'key_check'")
                      .mapTo(String.class)
                      .findOne()
                      .orElse(null));
      if (check == null) {
        String sealed = sealer.seal(KEY_CHECK_V2, "store_meta", "val", "key_check");
        jdbi.useHandle(
            h ->
                h.createUpdate("INSERT INTO store_meta (name, val) VALUES ('key_check', :v)")
                    .bind("v", sealed)
                    .execute());
        return;
      }
      byte[] opened = sealer.tryOpen(check, "store_meta", "val", "key_check");
      if (opened != null && Arrays.equals(opened, KEY_CHECK_V2)) {
        return;
      }
      if (opened == null || !Arrays.equals(opened, KEY_CHECK)) {
        throw new InvalidStoreKeyException("wrong store key or passphrase");
      }
      sealTrustTable(jdbi, sealer);
    }

    /** Upgrades a store from before 1.1: seals every pinned peer identity, then the v2 check. */
    private static void sealTrustTable(Jdbi jdbi, Sealer sealer) {
      jdbi.useTransaction(
          h -> {
            List<Map<String, Object>> rows =
                h.createQuery("SELECT user_id, device_id, identity_key FROM peer_identities").mapToMap().list();
            for (Map<String, Object> r : rows) {
              DeviceAddress a = new DeviceAddress((String) r.get("user_id"), ((Number) r.get("device_id")).intValue());
              String sealed = sealer.seal(B64D.decode((String) r.get("identity_key")), "peer_identities", "identity_key", row(a));
              h.createUpdate("UPDATE peer_identities SET identity_key = :k WHERE user_id = :u AND device_id = :d")
                  .bind("k", sealed)
                  .bind("u", a.userId())
                  .bind("d", a.deviceId())
                  .execute();
            }
            h.createUpdate("UPDATE store_meta SET val = :v WHERE name = 'key_check'")
                .bind("v", sealer.seal(KEY_CHECK_V2, "store_meta", "val", "key_check"))
                .execute();
          });
    }
  }

  // The protected tables, where a rollback matters: pinned peer identities (trust table), this
  // device's account key pair, certificate and pinned account keys, and the group sender-key state
  // (including a pending rotation).

  /** Every protected row as (table, row identity, sealed value). */
  private static List<String[]> protectedRows(Handle h) {
    List<String[]> out = new ArrayList<>();
    h.createQuery("SELECT user_id, device_id, identity_key FROM peer_identities")
        .map((rs, ctx) -> new String[] {"peer_identities",
            row(new DeviceAddress(rs.getString(1), rs.getInt(2))), rs.getString(3)})
        .forEach(out::add);
    h.createQuery("SELECT name, value_sealed FROM account_keys")
        .map((rs, ctx) -> new String[] {"account_keys", rs.getString(1), rs.getString(2)})
        .forEach(out::add);
    h.createQuery("SELECT room_id, sender_user, sender_device, state_sealed FROM sender_keys")
        .map((rs, ctx) -> new String[] {"sender_keys",
            senderKeyRow(rs.getString(1), new DeviceAddress(rs.getString(2), rs.getInt(3))), rs.getString(4)})
        .forEach(out::add);
    return out;
  }

  private static final String ROWSET = "rowset";

  /**
   * Checks the protected rows against the store's sealed digest of them ({@link RowSetDigest}); a
   * store opened for the first time since the digest exists records it for the rows as they are
   * (and moves its seen message ids, stored in clear before 1.1, to their keyed tags).
   */
  private static void checkRowSet(Jdbi jdbi, Sealer sealer, RowSetDigest digest) {
    jdbi.useTransaction(
        h -> {
          BigInteger sum = BigInteger.ZERO;
          for (String[] r : protectedRows(h)) {
            sum = sum.add(digest.term(r[0], r[1], r[2])).mod(RowSetDigest.MODULUS);
          }
          Optional<String> stored =
              h.createQuery("SELECT val FROM store_meta WHERE name = :n").bind("n", ROWSET)
                  .mapTo(String.class).findOne();
          if (stored.isEmpty()) {
            h.createUpdate("INSERT INTO store_meta (name, val) VALUES (:n, :v)")
                .bind("n", ROWSET)
                .bind("v", sealer.seal(RowSetDigest.encode(sum), "store_meta", "val", ROWSET))
                .execute();
            // Once, on the first open since 1.1: seen ids stored in clear become keyed tags. Later
            // clear ids (written behind the store's back) never match a tag.
            List<String> clear =
                h.createQuery("SELECT message_id FROM seen_messages WHERE message_id NOT LIKE 'm:%'")
                    .mapTo(String.class).list();
            for (String id : clear) {
              h.createUpdate("UPDATE seen_messages SET message_id = :t WHERE message_id = :id")
                  .bind("t", digest.seenTag(id))
                  .bind("id", id)
                  .execute();
            }
          } else {
            byte[] expected = sealer.open(stored.get(), "store_meta", "val", ROWSET);
            if (!java.security.MessageDigest.isEqual(expected, RowSetDigest.encode(sum))) {
              throw new StoreRollbackException("the trust table, account keys or group state of this store"
                  + " are not as the store last wrote them: a row was rolled back to an older copy,"
                  + " swapped, deleted or inserted; refusing to open");
            }
          }
        });
  }

  /** The integrity key of a store whose store key is {@code master} (not wiped here). */
  static RowSetDigest digestFor(SecretBytes master) {
    byte[] m = master.toByteArray();
    byte[] k = null;
    try {
      k = HkdfSha256.instance()
          .derive(
              m,
              "ciphertalk-store".getBytes(StandardCharsets.UTF_8),
              "ciphertalk-store-v1 hmac-sha256 integrity key".getBytes(StandardCharsets.UTF_8),
              32);
      return new RowSetDigest(SecretBytes.wrap(k));
    } finally {
      Arrays.fill(m, (byte) 0);
      if (k != null) {
        Arrays.fill(k, (byte) 0);
      }
    }
  }

  /** The digest sum (locked for this transaction) and the protected row's old sealed value. */
  private record Locked(BigInteger sum, Optional<String> old) {}

  /**
   * The digest sum, the digest row locked first ({@code SELECT ... FOR UPDATE}: concurrent writers
   * of protected rows are serialised on it, so old values read after it are the latest). Inside a
   * unit of work the sum is read and locked once and written once, before the unit commits (a
   * catch-up batch writes a sender key per message).
   */
  private BigInteger lockedSum(Handle h) {
    Map<String, Object> unit = db.unitState();
    if (unit != null && unit.containsKey(ROWSET)) {
      return (BigInteger) unit.get(ROWSET);
    }
    String sealed =
        h.createQuery("SELECT val FROM store_meta WHERE name = :n FOR UPDATE").bind("n", ROWSET)
            .mapTo(String.class).findOne()
            .orElseThrow(() -> new StoreCorruptedException("the store's row digest is missing", null));
    BigInteger sum = RowSetDigest.decode(db.sealer.open(sealed, "store_meta", "val", ROWSET));
    if (unit != null) {
      unit.put(ROWSET, sum);
      db.beforeCommit(() -> writeSum(h, (BigInteger) unit.get(ROWSET)));
    }
    return sum;
  }

  private void putSum(Handle h, BigInteger sum) {
    Map<String, Object> unit = db.unitState();
    if (unit != null && unit.containsKey(ROWSET)) {
      unit.put(ROWSET, sum);
      return;
    }
    writeSum(h, sum);
  }

  private void writeSum(Handle h, BigInteger sum) {
    h.createUpdate("UPDATE store_meta SET val = :v WHERE name = :n")
        .bind("n", ROWSET)
        .bind("v", db.sealer.seal(RowSetDigest.encode(sum), "store_meta", "val", ROWSET))
        .execute();
  }

  /** Locks the digest, then reads the protected row's old value ({@code query} with {@code binds}). */
  private Locked lockedOld(Handle h, String query, Map<String, Object> binds) {
    BigInteger sum = lockedSum(h);
    return new Locked(sum, h.createQuery(query).bindMap(binds).mapTo(String.class).findOne());
  }

  /**
   * Replaces the digest terms of protected rows ({table, row, old sealed or null, new sealed or
   * null} each), in the caller's transaction, under the lock {@link #lockedSum} took.
   */
  private void rowSetReplace(Handle h, BigInteger lockedSum, List<String[]> changes) {
    BigInteger sum = lockedSum;
    for (String[] c : changes) {
      sum = db.digest.replace(sum, c[0], c[1], c[2], c[3]);
    }
    putSum(h, sum);
  }

  private void rowSetReplace(Handle h, Locked locked, String table, String row, String newSealed) {
    rowSetReplace(h, locked.sum(),
        List.<String[]>of(new String[] {table, row, locked.old().orElse(null), newSealed}));
  }

  static String senderKeyRow(String roomId, DeviceAddress sender) {
    return roomId + "/" + sender;
  }

  /** The sealer of a store whose store key is {@code master} (the key is not wiped here). */
  static Sealer sealerFor(SecretBytes master, RandomSource random) {
    byte[] m = master.toByteArray();
    try {
      byte[] dataKey =
          HkdfSha256.instance()
              .derive(
                  m,
                  "ciphertalk-store".getBytes(StandardCharsets.UTF_8),
                  "ciphertalk-store-v1 aes-256-gcm data key".getBytes(StandardCharsets.UTF_8),
                  32);
      SecretBytes k = SecretBytes.wrap(dataKey);
      try {
        // The AEAD keeps its own copy (a SecretKeySpec, which cannot be wiped on JDK 17).
        return new Sealer(AesGcm.create(k), random);
      } finally {
        k.wipe();
      }
    } catch (CryptoException e) {
      throw new StoreException("cannot derive the data key", e);
    } finally {
      Arrays.fill(m, (byte) 0);
    }
  }

  /** Argon2id version 1.3 (RFC 9106) via BouncyCastle's lightweight API. */
  static SecretBytes argon2id(char[] passphrase, byte[] salt, Argon2Settings s) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(salt)
            .withMemoryAsKB(s.memoryKiB())
            .withIterations(s.iterations())
            .withParallelism(s.parallelism())
            .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[32];
    gen.generateBytes(passphrase, out);
    return SecretBytes.wrap(out);
  }

  // ------------------------------------------------------------------------------------ stores

  private static String row(DeviceAddress a) {
    return a.toString();
  }

  private final class Identities implements IdentityStore {
    @Override
    public Optional<LocalIdentity> localIdentity() {
      return db.with(
          h ->
              h.createQuery(
                      "SELECT user_id, device_id, public_key, private_key_sealed FROM local_identity WHERE slot = 1")
                  .map(
                      (rs, ctx) -> {
                        DeviceAddress a = new DeviceAddress(rs.getString(1), rs.getInt(2));
                        byte[] priv = db.sealer.open(rs.getString(4), "local_identity", "private_key", "1");
                        SecretBytes secret = SecretBytes.wrap(priv);
                        LocalIdentity id = LocalIdentity.of(a, B64D.decode(rs.getString(3)), secret);
                        secret.wipe();
                        return id;
                      })
                  .findOne());
    }

    @Override
    public void saveLocalIdentity(LocalIdentity identity) {
      Objects.requireNonNull(identity, "identity");
      byte[] priv = identity.privateKey().toByteArray();
      String sealed = db.sealer.seal(priv, "local_identity", "private_key", "1");
      Arrays.fill(priv, (byte) 0);
      Map<String, Object> b = new HashMap<>();
      b.put("u", identity.address().userId());
      b.put("d", identity.address().deviceId());
      b.put("pub", B64.encodeToString(identity.publicKey()));
      b.put("priv", sealed);
      db.with(
          h -> {
            db.upsert(
                h,
                "UPDATE local_identity SET user_id = :u, device_id = :d, public_key = :pub, private_key_sealed = :priv WHERE slot = 1",
                "INSERT INTO local_identity (slot, user_id, device_id, public_key, private_key_sealed) VALUES (1, :u, :d, :pub, :priv)",
                b);
            return null;
          });
    }

    @Override
    public Optional<byte[]> peerIdentity(DeviceAddress peer) {
      Objects.requireNonNull(peer, "peer");
      return db.with(
          h ->
              h.createQuery("SELECT identity_key FROM peer_identities WHERE user_id = :u AND device_id = :d")
                  .bind("u", peer.userId())
                  .bind("d", peer.deviceId())
                  .mapTo(String.class)
                  .findOne()
                  .map(v -> db.sealer.open(v, "peer_identities", "identity_key", row(peer))));
    }

    @Override
    public boolean savePeerIdentity(DeviceAddress peer, byte[] identityKey) {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(identityKey, "identityKey");
      // Sealed with the row in the associated data: a file writer can neither swap a pinned key
      // nor move one row's key to another device (StoreCorruptedException on read).
      Map<String, Object> b = Map.of("u", peer.userId(), "d", peer.deviceId(),
          "k", db.sealer.seal(identityKey, "peer_identities", "identity_key", row(peer)));
      return db.inTransaction(
          h -> {
            Locked locked = lockedOld(h,
                "SELECT identity_key FROM peer_identities WHERE user_id = :u AND device_id = :d",
                Map.of("u", peer.userId(), "d", peer.deviceId()));
            // The row first, then its digest term: a failed write leaves the digest untouched.
            Optional<String> old = locked.old();
            boolean changed = false;
            if (old.isPresent()) {
              h.createUpdate("UPDATE peer_identities SET identity_key = :k WHERE user_id = :u AND device_id = :d")
                  .bindMap(b)
                  .execute();
              changed = !Arrays.equals(
                  db.sealer.open(old.get(), "peer_identities", "identity_key", row(peer)), identityKey);
            } else {
              h.createUpdate("INSERT INTO peer_identities (user_id, device_id, identity_key) VALUES (:u, :d, :k)")
                  .bindMap(b)
                  .execute();
            }
            rowSetReplace(h, locked, "peer_identities", row(peer), (String) b.get("k"));
            return changed;
          });
    }

    @Override
    public boolean removePeerIdentity(DeviceAddress peer) {
      Objects.requireNonNull(peer, "peer");
      return db.inTransaction(
          h -> {
            Locked locked = lockedOld(h,
                "SELECT identity_key FROM peer_identities WHERE user_id = :u AND device_id = :d",
                Map.of("u", peer.userId(), "d", peer.deviceId()));
            if (locked.old().isEmpty()) {
              return false;
            }
            boolean deleted = h.createUpdate("DELETE FROM peer_identities WHERE user_id = :u AND device_id = :d")
                    .bind("u", peer.userId())
                    .bind("d", peer.deviceId())
                    .execute()
                > 0;
            rowSetReplace(h, locked, "peer_identities", row(peer), null);
            return deleted;
          });
    }
  }

  /** Account keys as sealed name/value rows; revocations (public, signed) in clear. */
  private final class AccountKeys implements AccountKeyStore {
    private Optional<byte[]> get(String name) {
      return db.with(
          h ->
              h.createQuery("SELECT value_sealed FROM account_keys WHERE name = :n")
                  .bind("n", name)
                  .mapTo(String.class)
                  .findOne()
                  .map(v -> db.sealer.open(v, "account_keys", "value", name)));
    }

    private void put(String name, byte[] value) {
      Map<String, Object> b = Map.of("n", name, "v", db.sealer.seal(value, "account_keys", "value", name));
      db.inTransaction(
          h -> {
            Locked locked = lockedOld(h, "SELECT value_sealed FROM account_keys WHERE name = :n",
                Map.of("n", name));
            db.upsert(
                h,
                "UPDATE account_keys SET value_sealed = :v WHERE name = :n",
                "INSERT INTO account_keys (name, value_sealed) VALUES (:n, :v)",
                b);
            rowSetReplace(h, locked, "account_keys", name, (String) b.get("v"));
            return null;
          });
    }

    @Override
    public Optional<SecretBytes> accountKeyPair() {
      return get("account_key_pair").map(SecretBytes::wrap);
    }

    @Override
    public void saveAccountKeyPair(SecretBytes keyPair) {
      byte[] raw = Objects.requireNonNull(keyPair, "keyPair").toByteArray();
      try {
        put("account_key_pair", raw);
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
    }

    @Override
    public Optional<byte[]> ownCertificate() {
      return get("own_certificate");
    }

    @Override
    public void saveOwnCertificate(byte[] certificate) {
      put("own_certificate", Objects.requireNonNull(certificate, "certificate"));
    }

    @Override
    public Optional<byte[]> pinnedAccountKey(String userId) {
      return get("pin/" + Objects.requireNonNull(userId, "userId"));
    }

    @Override
    public void pinAccountKey(String userId, byte[] accountKey) {
      put("pin/" + Objects.requireNonNull(userId, "userId"), Objects.requireNonNull(accountKey, "accountKey"));
    }

    @Override
    public List<byte[]> revocations(String userId) {
      Objects.requireNonNull(userId, "userId");
      return db.with(
          h ->
              h.createQuery("SELECT revocation FROM device_revocations WHERE user_id = :u ORDER BY seq")
                  .bind("u", userId)
                  .mapTo(String.class)
                  .map(B64D::decode)
                  .list());
    }

    @Override
    public void addRevocation(String userId, byte[] revocation) {
      Objects.requireNonNull(userId, "userId");
      String r = B64.encodeToString(Objects.requireNonNull(revocation, "revocation"));
      db.inTransaction(
          h -> {
            boolean known =
                h.createQuery("SELECT COUNT(*) FROM device_revocations WHERE revocation = :r")
                        .bind("r", r)
                        .mapTo(Long.class)
                        .one()
                    > 0;
            if (!known) {
              h.createUpdate("INSERT INTO device_revocations (user_id, revocation) VALUES (:u, :r)")
                  .bind("u", userId)
                  .bind("r", r)
                  .execute();
            }
            return null;
          });
    }
  }

  private final class Sessions implements SessionStore {
    @Override
    public Optional<byte[]> loadSession(DeviceAddress peer) {
      Objects.requireNonNull(peer, "peer");
      return db.with(
          h ->
              h.createQuery("SELECT state_sealed FROM sessions WHERE user_id = :u AND device_id = :d")
                  .bind("u", peer.userId())
                  .bind("d", peer.deviceId())
                  .mapTo(String.class)
                  .findOne()
                  .map(s -> db.sealer.open(s, "sessions", "state", row(peer))));
    }

    @Override
    public void storeSession(DeviceAddress peer, byte[] state) {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(state, "state");
      Map<String, Object> b =
          Map.of("u", peer.userId(), "d", peer.deviceId(), "s", db.sealer.seal(state, "sessions", "state", row(peer)));
      db.with(
          h -> {
            db.upsert(
                h,
                "UPDATE sessions SET state_sealed = :s WHERE user_id = :u AND device_id = :d",
                "INSERT INTO sessions (user_id, device_id, state_sealed) VALUES (:u, :d, :s)",
                b);
            return null;
          });
    }

    @Override
    public boolean deleteSession(DeviceAddress peer) {
      Objects.requireNonNull(peer, "peer");
      return db.with(
          h ->
              h.createUpdate("DELETE FROM sessions WHERE user_id = :u AND device_id = :d")
                      .bind("u", peer.userId())
                      .bind("d", peer.deviceId())
                      .execute()
                  > 0);
    }

    @Override
    public List<DeviceAddress> sessionDevices(String userId) {
      Objects.requireNonNull(userId, "userId");
      return db.with(
          h ->
              h.createQuery("SELECT device_id FROM sessions WHERE user_id = :u ORDER BY device_id")
                  .bind("u", userId)
                  .map((rs, ctx) -> new DeviceAddress(userId, rs.getInt(1)))
                  .list());
    }

    @Override
    public List<DeviceAddress> allSessionDevices() {
      return db.with(
          h ->
              h.createQuery("SELECT user_id, device_id FROM sessions ORDER BY user_id, device_id")
                  .map((rs, ctx) -> new DeviceAddress(rs.getString(1), rs.getInt(2)))
                  .list());
    }

    @Override
    public int deleteAllSessions(String userId) {
      Objects.requireNonNull(userId, "userId");
      return db.with(h -> h.createUpdate("DELETE FROM sessions WHERE user_id = :u").bind("u", userId).execute());
    }
  }

  private final class PreKeys implements PreKeyStore {
    private String rowOf(PreKeyType type, int id) {
      return type.name() + ":" + id;
    }

    @Override
    public void storePreKey(PreKeyType type, int id, SecretBytes privateKey) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(privateKey, "privateKey");
      byte[] raw = privateKey.toByteArray();
      String sealed = db.sealer.seal(raw, "prekeys", "secret", rowOf(type, id));
      Arrays.fill(raw, (byte) 0);
      Map<String, Object> b = Map.of("k", type.name(), "i", id, "s", sealed);
      db.with(
          h -> {
            db.upsert(
                h,
                "UPDATE prekeys SET secret_sealed = :s WHERE kind = :k AND key_id = :i",
                "INSERT INTO prekeys (kind, key_id, secret_sealed) VALUES (:k, :i, :s)",
                b);
            return null;
          });
    }

    private Optional<String> sealedOf(Handle h, PreKeyType type, int id) {
      return h.createQuery("SELECT secret_sealed FROM prekeys WHERE kind = :k AND key_id = :i")
          .bind("k", type.name())
          .bind("i", id)
          .mapTo(String.class)
          .findOne();
    }

    @Override
    public Optional<SecretBytes> loadPreKey(PreKeyType type, int id) {
      Objects.requireNonNull(type, "type");
      return db.with(h -> sealedOf(h, type, id))
          .map(s -> SecretBytes.wrap(db.sealer.open(s, "prekeys", "secret", rowOf(type, id))));
    }

    @Override
    public Optional<SecretBytes> consumePreKey(PreKeyType type, int id) {
      Objects.requireNonNull(type, "type");
      Optional<String> sealed =
          db.with(
              h -> {
                Optional<String> s = sealedOf(h, type, id);
                // Only the caller whose DELETE removed the row gets the key.
                if (s.isEmpty() || !deleteRow(h, type, id)) {
                  return Optional.<String>empty();
                }
                return s;
              });
      return sealed.map(s -> SecretBytes.wrap(db.sealer.open(s, "prekeys", "secret", rowOf(type, id))));
    }

    private boolean deleteRow(Handle h, PreKeyType type, int id) {
      return h.createUpdate("DELETE FROM prekeys WHERE kind = :k AND key_id = :i")
              .bind("k", type.name())
              .bind("i", id)
              .execute()
          > 0;
    }

    @Override
    public boolean removePreKey(PreKeyType type, int id) {
      Objects.requireNonNull(type, "type");
      return db.with(h -> deleteRow(h, type, id));
    }

    @Override
    public List<Integer> preKeyIds(PreKeyType type) {
      Objects.requireNonNull(type, "type");
      return db.with(
          h ->
              h.createQuery("SELECT key_id FROM prekeys WHERE kind = :k ORDER BY key_id")
                  .bind("k", type.name())
                  .mapTo(Integer.class)
                  .list());
    }
  }

  private final class SenderKeys implements SenderKeyStore {
    private String rowOf(String roomId, DeviceAddress sender) {
      return senderKeyRow(roomId, sender);
    }

    /**
     * The row's old value under the digest lock. Inside a unit of work the value this unit last
     * wrote to the row (while holding the lock, so nobody else changed it) is remembered, so a
     * catch-up batch reads each room's row once, not once per message.
     */
    private Locked lockedOld(Handle h, String roomId, DeviceAddress sender) {
      Map<String, Object> unit = db.unitState();
      String key = "sender_keys\0" + rowOf(roomId, sender);
      if (unit != null && unit.containsKey(ROWSET) && unit.containsKey(key)) {
        return new Locked(lockedSum(h), Optional.ofNullable((String) unit.get(key)));
      }
      return JdbiLocalStore.this.lockedOld(h,
          "SELECT state_sealed FROM sender_keys WHERE room_id = :r AND sender_user = :u AND sender_device = :d",
          Map.of("r", roomId, "u", sender.userId(), "d", sender.deviceId()));
    }

    private void remember(String roomId, DeviceAddress sender, String sealed) {
      Map<String, Object> unit = db.unitState();
      if (unit != null && unit.containsKey(ROWSET)) {
        unit.put("sender_keys\0" + rowOf(roomId, sender), sealed);
      }
    }

    @Override
    public Optional<byte[]> loadSenderKey(String roomId, DeviceAddress sender) {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(sender, "sender");
      return db.with(
          h ->
              h.createQuery(
                      "SELECT state_sealed FROM sender_keys WHERE room_id = :r AND sender_user = :u AND sender_device = :d")
                  .bind("r", roomId)
                  .bind("u", sender.userId())
                  .bind("d", sender.deviceId())
                  .mapTo(String.class)
                  .findOne()
                  .map(s -> db.sealer.open(s, "sender_keys", "state", rowOf(roomId, sender))));
    }

    @Override
    public void storeSenderKey(String roomId, DeviceAddress sender, byte[] state) {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(state, "state");
      Map<String, Object> b =
          Map.of(
              "r", roomId,
              "u", sender.userId(),
              "d", sender.deviceId(),
              "s", db.sealer.seal(state, "sender_keys", "state", rowOf(roomId, sender)));
      db.inTransaction(
          h -> {
            // Group state is where a rollback would reuse chain keys: its digest term is replaced
            // in the same transaction as the row.
            Locked locked = lockedOld(h, roomId, sender);
            h.createUpdate(locked.old().isPresent()
                    ? "UPDATE sender_keys SET state_sealed = :s WHERE room_id = :r AND sender_user = :u AND sender_device = :d"
                    : "INSERT INTO sender_keys (room_id, sender_user, sender_device, state_sealed) VALUES (:r, :u, :d, :s)")
                .bindMap(b)
                .execute();
            rowSetReplace(h, locked, "sender_keys", rowOf(roomId, sender), (String) b.get("s"));
            remember(roomId, sender, (String) b.get("s"));
            return null;
          });
    }

    @Override
    public boolean deleteSenderKey(String roomId, DeviceAddress sender) {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(sender, "sender");
      return db.inTransaction(
          h -> {
            Locked locked = lockedOld(h, roomId, sender);
            if (locked.old().isEmpty()) {
              return false;
            }
            boolean deleted = h.createUpdate(
                        "DELETE FROM sender_keys WHERE room_id = :r AND sender_user = :u AND sender_device = :d")
                    .bind("r", roomId)
                    .bind("u", sender.userId())
                    .bind("d", sender.deviceId())
                    .execute()
                > 0;
            rowSetReplace(h, locked, "sender_keys", rowOf(roomId, sender), null);
            remember(roomId, sender, null);
            return deleted;
          });
    }

    @Override
    public int deleteSenderKeys(String roomId) {
      Objects.requireNonNull(roomId, "roomId");
      return db.inTransaction(
          h -> {
            BigInteger sum = lockedSum(h);
            List<String[]> rows = h.createQuery(
                    "SELECT sender_user, sender_device, state_sealed FROM sender_keys WHERE room_id = :r")
                .bind("r", roomId)
                .map((rs, ctx) -> new String[] {"sender_keys",
                    rowOf(roomId, new DeviceAddress(rs.getString(1), rs.getInt(2))), rs.getString(3), null})
                .list();
            if (rows.isEmpty()) {
              return 0;
            }
            int deleted = h.createUpdate("DELETE FROM sender_keys WHERE room_id = :r").bind("r", roomId).execute();
            rowSetReplace(h, sum, rows);
            Map<String, Object> unit = db.unitState();
            if (unit != null) {
              unit.keySet().removeIf(k -> k.startsWith("sender_keys\0" + roomId + "/"));
            }
            return deleted;
          });
    }
  }

  private final class Messages implements MessageStore {
    private static final String COLUMNS =
        "message_id, room_id, sender_user, sender_device, sent_at, reply_to, expires_at, edited, deleted, body_sealed";
    private static final String VISIBLE = "(expires_at IS NULL OR expires_at > :now)";

    private Message map(ResultSet rs) throws SQLException {
      String id = rs.getString("message_id");
      byte[] sealed = db.sealer.open(rs.getString("body_sealed"), "messages", "body", id);
      ContentEncoding.Content content;
      try {
        content = ContentEncoding.decode(sealed);
      } catch (java.io.IOException e) {
        throw new StoreCorruptedException("message " + id + " has an unreadable content record", e);
      }
      String reply = rs.getString("reply_to");
      long exp = rs.getLong("expires_at");
      boolean hasExp = !rs.wasNull();
      return new Message(
          MessageId.parse(id),
          rs.getString("room_id"),
          new DeviceAddress(rs.getString("sender_user"), rs.getInt("sender_device")),
          Instant.ofEpochMilli(rs.getLong("sent_at")),
          content.body(),
          reply == null ? null : MessageId.parse(reply),
          hasExp ? Instant.ofEpochMilli(exp) : null,
          rs.getBoolean("edited"),
          rs.getBoolean("deleted"),
          content.reactions());
    }

    @Override
    public void saveMessage(Message message) {
      Message m = StoreSupport.toMillis(Objects.requireNonNull(message, "message"));
      String id = m.id().toString();
      String body =
          db.sealer.seal(ContentEncoding.encode(m.body(), m.reactions()), "messages", "body", id);
      WriteBehind w = db.writeBehind();
      if (w != null) {
        // Inside a unit (a received batch): held back and run as one JDBC batch (WriteBehind).
        w.add(INSERT_IF_ABSENT, UPDATE_ROW, ps -> ps.setString(bindRow(ps, m, body), id));
        w.absent.remove(id);
        return;
      }
      // A received message is new: one INSERT that does nothing if the id exists; only then (an
      // edit, a reaction, a deletion) the UPDATE. If another writer inserted in between, the
      // UPDATE after the unique violation replaces its row, as an upsert does.
      db.jdbc(c -> {
        try (PreparedStatement ps = c.prepareStatement(INSERT_IF_ABSENT)) {
          int i = bindRow(ps, m, body);
          ps.setString(i, id);
          if (ps.executeUpdate() > 0) {
            return null;
          }
        } catch (SQLException e) {
          if (!"23505".equals(e.getSQLState())) {
            throw e;
          }
        }
        try (PreparedStatement ps = c.prepareStatement(UPDATE_ROW)) {
          int i = bindRow(ps, m, body);
          ps.setString(i, id);
          ps.executeUpdate();
        }
        return null;
      });
    }

    private static final String INSERT_IF_ABSENT =
        "INSERT INTO messages (" + COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
            + " WHERE NOT EXISTS (SELECT 1 FROM messages WHERE message_id = ?)";
    private static final String UPDATE_ROW =
        "UPDATE messages SET message_id = ?, room_id = ?, sender_user = ?, sender_device = ?,"
            + " sent_at = ?, reply_to = ?, expires_at = ?, edited = ?, deleted = ?,"
            + " body_sealed = ? WHERE message_id = ?";

    @Override
    public Set<MessageId> storedAmong(java.util.Collection<MessageId> ids) {
      Objects.requireNonNull(ids, "ids");
      long now = clock.millis();
      List<String> keys = ids.stream().map(MessageId::toString).distinct().toList();
      Set<String> found = new java.util.HashSet<>();
      for (int from = 0; from < keys.size(); from += IN_CHUNK) {
        List<String> chunk = keys.subList(from, Math.min(keys.size(), from + IN_CHUNK));
        found.addAll(db.jdbc(c -> {
          int n = inListSize(chunk.size());
          try (PreparedStatement ps = c.prepareStatement("SELECT message_id FROM messages"
              + " WHERE message_id IN (" + placeholders(n) + ")"
              + " AND (expires_at IS NULL OR expires_at > ?)")) {
            int i = bindPadded(ps, chunk, n);
            ps.setLong(i, now);
            return strings(ps);
          }
        }));
      }
      WriteBehind w = db.writeBehind();
      Set<MessageId> out = new java.util.HashSet<>();
      for (MessageId id : ids) {
        String k = id.toString();
        if (found.contains(k)) {
          out.add(id);
        } else if (w != null) {
          w.absent.add(k);
        }
      }
      return out;
    }

    /** Binds the ten columns of {@link #COLUMNS} from index 1; returns the next index. */
    private int bindRow(PreparedStatement ps, Message m, String body) throws SQLException {
      ps.setString(1, m.id().toString());
      ps.setString(2, m.roomId());
      ps.setString(3, m.sender().userId());
      ps.setInt(4, m.sender().deviceId());
      ps.setLong(5, m.sentAt().toEpochMilli());
      if (m.replyTo() == null) {
        ps.setNull(6, Types.VARCHAR);
      } else {
        ps.setString(6, m.replyTo().toString());
      }
      if (m.expiresAt() == null) {
        ps.setNull(7, Types.BIGINT);
      } else {
        ps.setLong(7, m.expiresAt().toEpochMilli());
      }
      ps.setBoolean(8, m.edited());
      ps.setBoolean(9, m.deleted());
      ps.setString(10, body);
      return 11;
    }

    @Override
    public Optional<Message> message(MessageId id) {
      Objects.requireNonNull(id, "id");
      WriteBehind w = db.writeBehind();
      if (w != null && w.absent.contains(id.toString())) {
        return Optional.empty(); // this unit read it absent (storedAmong) and has not saved it
      }
      long now = clock.millis();
      return db.jdbc(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
            + " FROM messages WHERE message_id = ? AND (expires_at IS NULL OR expires_at > ?)")) {
          ps.setString(1, id.toString());
          ps.setLong(2, now);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(map(rs)) : Optional.<Message>empty();
          }
        }
      });
    }

    @Override
    public List<Message> history(String roomId, MessageCursor before, int limit) {
      Objects.requireNonNull(roomId, "roomId");
      StoreSupport.checkLimit(limit);
      String sql =
          "SELECT " + COLUMNS + " FROM messages WHERE room_id = :room AND " + VISIBLE
              + (before == null ? "" : " AND (sent_at < :ts OR (sent_at = :ts AND message_id < :mid))")
              + " ORDER BY sent_at DESC, message_id DESC LIMIT :limit";
      return db.with(
          h -> {
            var q = h.createQuery(sql).bind("room", roomId).bind("now", clock.millis()).bind("limit", limit);
            if (before != null) {
              q.bind("ts", before.sentAt().toEpochMilli()).bind("mid", before.id().toString());
            }
            return q.map((rs, ctx) -> map(rs)).list();
          });
    }

    @Override
    public List<Message> search(String roomId, String text, int limit) {
      Objects.requireNonNull(text, "text");
      StoreSupport.checkLimit(limit);
      String needle = StoreSupport.lower(text);
      String sql =
          "SELECT " + COLUMNS + " FROM messages WHERE deleted = FALSE AND " + VISIBLE
              + (roomId == null ? "" : " AND room_id = :room")
              + " ORDER BY sent_at DESC, message_id DESC";
      return db.with(
          h -> {
            var q = h.createQuery(sql).bind("now", clock.millis());
            if (roomId != null) {
              q.bind("room", roomId);
            }
            List<Message> out = new ArrayList<>();
            try (var it = q.map((rs, ctx) -> map(rs)).iterator()) {
              while (it.hasNext() && out.size() < limit) {
                Message m = it.next();
                if (StoreSupport.matches(m, needle)) {
                  out.add(m);
                }
              }
            }
            return out;
          });
    }

    @Override
    public boolean deleteMessage(MessageId id) {
      Objects.requireNonNull(id, "id");
      return db.inTransaction(
          h -> {
            h.createUpdate("DELETE FROM message_send_state WHERE message_id = :id").bind("id", id.toString()).execute();
            return h.createUpdate("DELETE FROM messages WHERE message_id = :id").bind("id", id.toString()).execute() > 0;
          });
    }

    @Override
    public boolean updateSendState(MessageId id, io.ciphertalk.core.model.SendState state) {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(state, "state");
      return db.inTransaction(
          h -> {
            Optional<io.ciphertalk.core.model.SendState> old = sendState(h, id);
            if (old.isPresent() && !old.get().status().canMoveTo(state.status())) {
              return false;
            }
            db.upsert(
                h,
                "UPDATE message_send_state SET status = :s, failure_reason = :r, updated_at = :t WHERE message_id = :id",
                "INSERT INTO message_send_state (message_id, status, failure_reason, updated_at) VALUES (:id, :s, :r, :t)",
                java.util.Map.of(
                    "id", id.toString(),
                    "s", state.status().name(),
                    "r", state.failureReason().orElse(""),
                    "t", clock.millis()));
            return true;
          });
    }

    @Override
    public Optional<io.ciphertalk.core.model.SendState> sendState(MessageId id) {
      Objects.requireNonNull(id, "id");
      return db.with(h -> sendState(h, id));
    }

    private Optional<io.ciphertalk.core.model.SendState> sendState(Handle h, MessageId id) {
      return h.createQuery("SELECT status, failure_reason FROM message_send_state WHERE message_id = :id")
          .bind("id", id.toString())
          .map(
              (rs, ctx) -> {
                io.ciphertalk.core.model.MessageStatus st;
                try {
                  st = io.ciphertalk.core.model.MessageStatus.valueOf(rs.getString(1));
                } catch (IllegalArgumentException e) {
                  throw new StoreCorruptedException("unknown send status of message " + id, e);
                }
                String reason = rs.getString(2);
                return st == io.ciphertalk.core.model.MessageStatus.FAILED
                    ? io.ciphertalk.core.model.SendState.failed(reason == null || reason.isEmpty() ? "unknown" : reason)
                    : io.ciphertalk.core.model.SendState.of(st);
              })
          .findOne();
    }

    @Override
    public List<Message> sweepExpired() {
      long now = clock.millis();
      return db.inTransaction(
          h -> {
            List<Message> gone =
                h.createQuery(
                        "SELECT " + COLUMNS + " FROM messages WHERE expires_at <= :now"
                            + " ORDER BY expires_at, message_id")
                    .bind("now", now)
                    .map((rs, ctx) -> map(rs))
                    .list();
            for (Message m : gone) {
              h.createUpdate("DELETE FROM message_send_state WHERE message_id = :id").bind("id", m.id().toString()).execute();
            }
            h.createUpdate("DELETE FROM messages WHERE expires_at <= :now").bind("now", now).execute();
            return gone;
          });
    }

    @Override
    public Optional<Instant> nextExpiry() {
      Long next =
          db.with(h -> h.createQuery("SELECT MIN(expires_at) FROM messages").mapTo(Long.class).one());
      return next == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(next));
    }
  }

  private final class Held implements HeldEnvelopeStore {
    private static final String COLUMNS = "SELECT seq, message_id, sender_user, held_at, payload_sealed FROM held_envelopes";

    private HeldEnvelope map(ResultSet rs) throws SQLException {
      String id = rs.getString("message_id");
      return new HeldEnvelope(
          rs.getLong("seq"),
          MessageId.parse(id),
          rs.getString("sender_user"),
          Instant.ofEpochMilli(rs.getLong("held_at")),
          db.sealer.open(rs.getString("payload_sealed"), "held", "payload", id));
    }

    @Override
    public boolean hold(MessageId messageId, String senderUserId, byte[] payload) {
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(senderUserId, "senderUserId");
      Objects.requireNonNull(payload, "payload");
      String id = messageId.toString();
      String sealed = db.sealer.seal(payload, "held", "payload", id);
      long now = clock.millis();
      return db.with(
          h -> {
            boolean present =
                h.createQuery("SELECT COUNT(*) FROM held_envelopes WHERE message_id = :id")
                        .bind("id", id)
                        .mapTo(Integer.class)
                        .one()
                    > 0;
            if (present) {
              return false;
            }
            try {
              h.createUpdate(
                      "INSERT INTO held_envelopes (message_id, sender_user, held_at, payload_sealed) VALUES (:id, :u, :at, :p)")
                  .bind("id", id)
                  .bind("u", senderUserId)
                  .bind("at", now)
                  .bind("p", sealed)
                  .execute();
              return true;
            } catch (JdbiException e) {
              if (!Db.isUniqueViolation(e)) {
                throw e;
              }
              return false;
            }
          });
    }

    @Override
    public List<HeldEnvelope> all(int limit) {
      requireLimit(limit);
      return db.with(
          h ->
              h.createQuery(COLUMNS + " ORDER BY seq LIMIT :limit")
                  .bind("limit", limit)
                  .map((rs, ctx) -> map(rs))
                  .list());
    }

    @Override
    public List<HeldEnvelope> from(String senderUserId, int limit) {
      Objects.requireNonNull(senderUserId, "senderUserId");
      requireLimit(limit);
      return db.with(
          h ->
              h.createQuery(COLUMNS + " WHERE sender_user = :u ORDER BY seq LIMIT :limit")
                  .bind("u", senderUserId)
                  .bind("limit", limit)
                  .map((rs, ctx) -> map(rs))
                  .list());
    }

    private void requireLimit(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1: " + limit);
      }
    }

    @Override
    public boolean remove(MessageId messageId) {
      Objects.requireNonNull(messageId, "messageId");
      return db.with(
          h -> h.createUpdate("DELETE FROM held_envelopes WHERE message_id = :id").bind("id", messageId.toString()).execute() > 0);
    }

    @Override
    public int count(String senderUserId) {
      Objects.requireNonNull(senderUserId, "senderUserId");
      return db.with(
          h ->
              h.createQuery("SELECT COUNT(*) FROM held_envelopes WHERE sender_user = :u")
                  .bind("u", senderUserId)
                  .mapTo(Integer.class)
                  .one());
    }
  }

  private final class Outbox implements OutboxStore {
    private OutboxEntry map(ResultSet rs) throws SQLException {
      String id = rs.getString("message_id");
      return new OutboxEntry(
          rs.getLong("seq"),
          MessageId.parse(id),
          rs.getString("room_id"),
          Instant.ofEpochMilli(rs.getLong("enqueued_at")),
          db.sealer.open(rs.getString("payload_sealed"), "outbox", "payload", id));
    }

    private Optional<OutboxEntry> find(Handle h, MessageId id) {
      return h.createQuery(
              "SELECT seq, message_id, room_id, enqueued_at, payload_sealed FROM outbox WHERE message_id = :id")
          .bind("id", id.toString())
          .map((rs, ctx) -> map(rs))
          .findOne();
    }

    @Override
    public OutboxEntry enqueue(MessageId messageId, String roomId, byte[] payload) {
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(payload, "payload");
      String id = messageId.toString();
      String sealed = db.sealer.seal(payload, "outbox", "payload", id);
      long now = clock.millis();
      return db.with(
          h -> {
            Optional<OutboxEntry> existing = find(h, messageId);
            if (existing.isPresent()) {
              return existing.get();
            }
            try {
              h.createUpdate(
                      "INSERT INTO outbox (message_id, room_id, enqueued_at, payload_sealed) VALUES (:id, :room, :at, :p)")
                  .bind("id", id)
                  .bind("room", roomId)
                  .bind("at", now)
                  .bind("p", sealed)
                  .execute();
            } catch (JdbiException e) {
              if (!Db.isUniqueViolation(e)) {
                throw e;
              }
            }
            return find(h, messageId).orElseThrow(() -> new StoreException("outbox entry vanished"));
          });
    }

    @Override
    public List<OutboxEntry> pending(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1: " + limit);
      }
      return db.with(
          h ->
              h.createQuery(
                      "SELECT seq, message_id, room_id, enqueued_at, payload_sealed FROM outbox ORDER BY seq LIMIT :limit")
                  .bind("limit", limit)
                  .map((rs, ctx) -> map(rs))
                  .list());
    }

    @Override
    public boolean remove(MessageId messageId) {
      Objects.requireNonNull(messageId, "messageId");
      return db.with(
          h -> h.createUpdate("DELETE FROM outbox WHERE message_id = :id").bind("id", messageId.toString()).execute() > 0);
    }

    @Override
    public int size() {
      return db.with(h -> h.createQuery("SELECT COUNT(*) FROM outbox").mapTo(Integer.class).one());
    }
  }

  private final class Accounts implements AccountStore {
    @Override
    public Optional<Account> account() {
      return db.with(
          h ->
              h.createQuery("SELECT user_id, device_id, token_sealed FROM account WHERE slot = 1")
                  .map(
                      (rs, ctx) ->
                          new Account(
                              rs.getString(1),
                              rs.getInt(2),
                              new String(
                                  db.sealer.open(rs.getString(3), "account", "token", "1"),
                                  StandardCharsets.UTF_8)))
                  .findOne());
    }

    @Override
    public void saveAccount(Account account) {
      Objects.requireNonNull(account, "account");
      Map<String, Object> b =
          Map.of(
              "u", account.userId(),
              "d", account.deviceId(),
              "t", db.sealer.seal(account.token().getBytes(StandardCharsets.UTF_8), "account", "token", "1"));
      db.with(
          h -> {
            db.upsert(
                h,
                "UPDATE account SET user_id = :u, device_id = :d, token_sealed = :t WHERE slot = 1",
                "INSERT INTO account (slot, user_id, device_id, token_sealed) VALUES (1, :u, :d, :t)",
                b);
            return null;
          });
    }

    @Override
    public boolean clearAccount() {
      return db.with(h -> h.createUpdate("DELETE FROM account WHERE slot = 1").execute() > 0);
    }
  }

  private final class AppData implements AppDataStore {
    @Override
    public Optional<byte[]> get(String key) {
      AppDataStore.check(key, null);
      return db.with(h -> h.createQuery("SELECT value_sealed FROM app_data WHERE data_key = :k")
          .bind("k", key).mapTo(String.class).findOne()
          .map(sealed -> db.sealer.open(sealed, "app_data", "value", key)));
    }

    @Override
    public synchronized void put(String key, byte[] value) {
      Objects.requireNonNull(value, "value");
      AppDataStore.check(key, value);
      Map<String, Object> b = Map.of("k", key,
          "v", db.sealer.seal(value, "app_data", "value", key));
      db.with(h -> {
        db.upsert(h, "UPDATE app_data SET value_sealed = :v WHERE data_key = :k",
            "INSERT INTO app_data (data_key, value_sealed) VALUES (:k, :v)", b);
        return null;
      });
    }

    @Override
    public boolean remove(String key) {
      AppDataStore.check(key, null);
      return db.with(h -> h.createUpdate("DELETE FROM app_data WHERE data_key = :k")
          .bind("k", key).execute() > 0);
    }
  }

  private final class Rooms implements RoomStore {
    @Override
    public synchronized void saveRoom(Room room) {
      Objects.requireNonNull(room, "room");
      // Replace = delete + insert, so two saves of one room at once could both find nothing to
      // delete and collide on the insert: saves through this store are serialised, and a save that
      // still collides (another process on the same database) retries, replacing what won.
      for (int attempt = 1; ; attempt++) {
        try {
          replaceRoom(room);
          return;
        } catch (StoreException e) {
          if (attempt == 3 || !Db.isUniqueViolation(e)) {
            throw e;
          }
        }
      }
    }

    private void replaceRoom(Room room) {
      db.inTransaction(
          h -> {
            h.createUpdate("DELETE FROM room_members WHERE room_id = :r").bind("r", room.roomId()).execute();
            h.createUpdate("DELETE FROM rooms WHERE room_id = :r").bind("r", room.roomId()).execute();
            h.createUpdate(
                    "INSERT INTO rooms (room_id, kind, name, description, max_members) VALUES (:r, :k, :n, :d, :m)")
                .bind("r", room.roomId())
                .bind("k", room.kind().name())
                .bind("n", room.name())
                .bind("d", room.description())
                .bind("m", room.maxMembers())
                .execute();
            int pos = 0;
            for (RoomMember m : room.members()) {
              h.createUpdate(
                      "INSERT INTO room_members (room_id, user_id, member_role, member_order) VALUES (:r, :u, :role, :p)")
                  .bind("r", room.roomId())
                  .bind("u", m.userId())
                  .bind("role", m.role().name())
                  .bind("p", pos++)
                  .execute();
            }
            return null;
          });
    }

    private Optional<Room> load(Handle h, String roomId) {
      List<RoomMember> members =
          h.createQuery("SELECT user_id, member_role FROM room_members WHERE room_id = :r ORDER BY member_order")
              .bind("r", roomId)
              .map((rs, ctx) -> new RoomMember(rs.getString(1), Role.valueOf(rs.getString(2))))
              .list();
      return h.createQuery("SELECT kind, name, description, max_members FROM rooms WHERE room_id = :r")
          .bind("r", roomId)
          .map(
              (rs, ctx) ->
                  new Room(
                      roomId,
                      RoomKind.valueOf(rs.getString(1)),
                      rs.getString(2),
                      rs.getString(3),
                      members,
                      rs.getInt(4)))
          .findOne();
    }

    @Override
    public Optional<Room> room(String roomId) {
      Objects.requireNonNull(roomId, "roomId");
      return db.inTransaction(h -> load(h, roomId));
    }

    @Override
    public List<Room> rooms() {
      return db.inTransaction(
          h -> {
            List<Room> out = new ArrayList<>();
            for (String id : h.createQuery("SELECT room_id FROM rooms ORDER BY room_id").mapTo(String.class).list()) {
              load(h, id).ifPresent(out::add);
            }
            return out;
          });
    }

    @Override
    public synchronized boolean removeRoom(String roomId) {
      Objects.requireNonNull(roomId, "roomId");
      return db.inTransaction(
          h -> {
            h.createUpdate("DELETE FROM room_members WHERE room_id = :r").bind("r", roomId).execute();
            return h.createUpdate("DELETE FROM rooms WHERE room_id = :r").bind("r", roomId).execute() > 0;
          });
    }
  }

  /** Ids per {@code IN (...)} list: well below every driver's limit on parameters. */
  private static final int IN_CHUNK = 500;

  /**
   * The length of the IN list for {@code n} ids: one of a few sizes, so the database sees a few
   * statement texts it parses once (its statement cache), not one per batch size.
   */
  private static int inListSize(int n) {
    for (int size = 4; ; size *= 4) {
      if (size >= n) {
        return Math.min(size, IN_CHUNK);
      }
    }
  }

  /** Binds {@code keys} from index 1, then repeats the first up to {@code n}; the next index. */
  private static int bindPadded(PreparedStatement ps, List<String> keys, int n)
      throws SQLException {
    int i = 1;
    for (int k = 0; k < n; k++) {
      ps.setString(i++, keys.get(k < keys.size() ? k : 0));
    }
    return i;
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  /** The first column of every row of {@code ps}'s query. */
  private static List<String> strings(PreparedStatement ps) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private final class Seen implements SeenStore {
    @Override
    public boolean markSeen(MessageId id) {
      Objects.requireNonNull(id, "id");
      long now = clock.millis();
      String key = db.digest.seenTag(id.toString());
      WriteBehind w = db.writeBehind();
      if (w != null) {
        Boolean known = w.seen.get(key);
        if (known != null) {
          // The unit knows the answer (seenAmong, or its own earlier call): the INSERT is held
          // back and run with the batch's others (WriteBehind).
          if (known) {
            return false;
          }
          w.seen.put(key, true);
          w.add(MARK_SEEN, ps -> {
            ps.setString(1, key);
            ps.setLong(2, now);
            ps.setString(3, key);
          });
          return true;
        }
      }
      // One statement: inserts only if absent (no SELECT first), portable to H2 and PostgreSQL.
      boolean inserted = db.jdbc(c -> {
        try (PreparedStatement ps = c.prepareStatement(MARK_SEEN)) {
          ps.setString(1, key);
          ps.setLong(2, now);
          ps.setString(3, key);
          return ps.executeUpdate() > 0;
        } catch (SQLException e) {
          if ("23505".equals(e.getSQLState())) {
            return false; // inserted by another thread since
          }
          throw e;
        }
      });
      if (w != null) {
        w.seen.put(key, true);
      }
      return inserted;
    }

    private static final String MARK_SEEN =
        "INSERT INTO seen_messages (message_id, seen_at) SELECT ?, ? WHERE NOT EXISTS"
            + " (SELECT 1 FROM seen_messages WHERE message_id = ?)";

    @Override
    public Set<MessageId> seenAmong(java.util.Collection<MessageId> ids) {
      Objects.requireNonNull(ids, "ids");
      Map<String, MessageId> byKey = new HashMap<>();
      for (MessageId id : ids) {
        byKey.put(db.digest.seenTag(id.toString()), id);
      }
      List<String> keys = List.copyOf(byKey.keySet());
      Set<String> found = new java.util.HashSet<>();
      for (int from = 0; from < keys.size(); from += IN_CHUNK) {
        List<String> chunk = keys.subList(from, Math.min(keys.size(), from + IN_CHUNK));
        found.addAll(db.jdbc(c -> {
          int n = inListSize(chunk.size());
          try (PreparedStatement ps = c.prepareStatement("SELECT message_id FROM seen_messages"
              + " WHERE message_id IN (" + placeholders(n) + ")")) {
            bindPadded(ps, chunk, n);
            return strings(ps);
          }
        }));
      }
      WriteBehind w = db.writeBehind();
      Set<MessageId> out = new java.util.HashSet<>();
      byKey.forEach((k, id) -> {
        boolean seen = found.contains(k);
        if (seen) {
          out.add(id);
        }
        if (w != null) {
          w.seen.put(k, seen);
        }
      });
      return out;
    }

    @Override
    public boolean isSeen(MessageId id) {
      Objects.requireNonNull(id, "id");
      String key = db.digest.seenTag(id.toString());
      WriteBehind w = db.writeBehind();
      if (w != null) {
        Boolean known = w.seen.get(key);
        if (known != null) {
          return known;
        }
      }
      return db.jdbc(c -> {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM seen_messages WHERE message_id = ?")) {
          ps.setString(1, key);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next();
          }
        }
      });
    }

    @Override
    public int forgetSeenBefore(Instant cutoff) {
      Objects.requireNonNull(cutoff, "cutoff");
      WriteBehind w = db.writeBehind();
      if (w != null) {
        w.seen.clear(); // what the unit knew may be deleted now
      }
      return db.with(
          h ->
              h.createUpdate("DELETE FROM seen_messages WHERE seen_at < :c")
                  .bind("c", cutoff.toEpochMilli())
                  .execute());
    }
  }

  private final class Unread implements UnreadStore {
    @Override
    public Set<MessageId> unread(String roomId) {
      Objects.requireNonNull(roomId, "roomId");
      return db.with(
          h ->
              Set.copyOf(
                  h.createQuery("SELECT message_id FROM unread_messages WHERE room_id = :r")
                      .bind("r", roomId)
                      .map((rs, ctx) -> MessageId.parse(rs.getString(1)))
                      .list()));
    }

    // The mutators are serialised: setUnread replaces a room's set (delete + insert), which a
    // concurrent insert of the same id would otherwise make fail on the primary key.
    @Override
    public synchronized void setUnread(String roomId, Set<MessageId> ids) {
      Objects.requireNonNull(roomId, "roomId");
      Set<MessageId> copy = Set.copyOf(ids);
      db.inTransaction(
          h -> {
            h.createUpdate("DELETE FROM unread_messages WHERE room_id = :r").bind("r", roomId).execute();
            for (MessageId id : copy) {
              h.createUpdate("INSERT INTO unread_messages (room_id, message_id) VALUES (:r, :id)")
                  .bind("r", roomId)
                  .bind("id", id.toString())
                  .execute();
            }
            return null;
          });
    }

    @Override
    public synchronized void addUnread(String roomId, MessageId id) {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(id, "id");
      String key = id.toString();
      WriteBehind.Row row = ps -> {
        ps.setString(1, roomId);
        ps.setString(2, key);
        ps.setString(3, roomId);
        ps.setString(4, key);
      };
      WriteBehind w = db.writeBehind();
      if (w != null) {
        w.add(ADD_UNREAD, row); // inside a unit: run with the batch's others (WriteBehind)
        return;
      }
      // Inserted only if absent, so a repeat is no failed statement (which would abort a
      // PostgreSQL transaction).
      db.jdbc(c -> {
        try (PreparedStatement ps = c.prepareStatement(ADD_UNREAD)) {
          row.bind(ps);
          return ps.executeUpdate();
        }
      });
    }

    private static final String ADD_UNREAD =
        "INSERT INTO unread_messages (room_id, message_id) SELECT ?, ? WHERE NOT EXISTS"
            + " (SELECT 1 FROM unread_messages WHERE room_id = ? AND message_id = ?)";

    @Override
    public synchronized int markRead(String roomId, Set<MessageId> ids) {
      Objects.requireNonNull(roomId, "roomId");
      Set<MessageId> copy = Set.copyOf(ids);
      return db.inTransaction(
          h -> {
            int n = 0;
            for (MessageId id : copy) {
              n +=
                  h.createUpdate("DELETE FROM unread_messages WHERE room_id = :r AND message_id = :id")
                      .bind("r", roomId)
                      .bind("id", id.toString())
                      .execute();
            }
            return n;
          });
    }
  }
}
