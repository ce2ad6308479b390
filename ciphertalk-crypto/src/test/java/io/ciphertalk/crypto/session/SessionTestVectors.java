package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.Rsa;
import io.ciphertalk.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/**
 * Generates docs/test-vectors/sessions.json: for each suite, fixed keys and a fixed random stream
 * in, exact bytes out. {@link SessionTestVectorsTest} recomputes the file and compares it byte for
 * byte, and separately replays each vector from the file's own inputs (keys and recorded random
 * draws), as another implementation would.
 *
 * <p>Regenerate (only after an intentional protocol change):
 * {@code ./mvnw -B -q -pl ciphertalk-crypto test -Dtest=SessionTestVectorsTest
 * -Dciphertalk.regenerateVectors=true}.
 */
final class SessionTestVectors {
  private SessionTestVectors() {}

  static final String PATH = "../docs/test-vectors/sessions.json";
  static final DeviceAddress ALICE = DeviceAddress.of("alice", 1);
  static final DeviceAddress BOB = DeviceAddress.of("bob", 2);

  /** A fixed RSA-3072 key (PKCS#8), so the vectors do not depend on the JDK's RSA generator. */
  private static final String RSA_PKCS8_HEX =
      "308206fe020100300d06092a864886f70d0101010500048206e8308206e40201000282018100c8bdc7a22e7782034c63"
      + "d89dd304607942f138e941e8ad71107734bc9b1e655757d0ee187f51269c6c837caed3d2f7e9804fff6a7fb7ea304328"
      + "a8308c846d3e9bda1cbc0b32b1fea526fdfc7baf19164cf68c6ab3470b847599a1b92da99532c30a02453ed465ecb2f6"
      + "7520a693db7b3d34af792a70b5b1c2c6e2d81f5485c329d39b9935cdeb676243759128509769aab5f711a12fb5da4387"
      + "6617980af4dbfca420481a32c8c0177be2f8f1064ed64e9da53c0fb7278e799ef8caabc7f5b2eda667a6dd98306009a7"
      + "84ebb4375925d8fed8d43b5aa34f8920b1b13eba600b2193ebea00441499f15732f2f48a5885fc84f5e768122204378d"
      + "56d29add0b98ff77a398aa1fbb647a82a917f2382323143b32b4d8b7135d6d9815e135688617eb82a7db448aa48dba45"
      + "dad5c39644dc45771800f9fcd59ea76fef2ef7179c3b945297b053e1a8be30b9bc767ddab6910a3aca45d9c5bf46814d"
      + "72235809073929d4378ef110a244f18b9f02d704366cc5951e7fdf97feb9a80a7194ce81daed02030100010282018013"
      + "8480388094160c040d612e572a01c7487ef3ad9a3ee93e28ffae1cf868082a69db628af73608af04cdf3fd7b92f38fbc"
      + "6e0ac36c0f91b18796186440055029da3566bdd1c8e80d7e394050a025f2267ced2bd1e40470563ca8e7547de0132590"
      + "5914c76ec86ff087a5f6d569dcce6639193a46699df3cc88c7959eb5cd1e044fb8c7542a2b0f4c49fd8d1cc3f2b20610"
      + "170922a9ad5ddd0edbc74d5bf714bf9edcc656bc555bb77191160c6642dabf737d5867728fb844de065ae239b98365ea"
      + "22d3c31643a259cbd9713254c3bbe4aca8236ca158febc1f7fbe4da34b8a2f95f9114f7ce1149dc406c34d5fcc2f754f"
      + "fa7b27aa1b5cadb92b7219e90f0d4e46b32bcef7c15798596fa538537220c711af0e6ac057cd994486ee551768958bcd"
      + "96f759055a4bc51b515ce9b62b9a7a56711049a1589298a66c7594632a4d1e61efce35e96577154e53b9865373d84903"
      + "678c2010478e2c2fe08429cbd110ed90db3fe184ef3bdfef2f3a4db69ffeefd0e903c3b5f70c281f370c034e25747102"
      + "81c100e9d8ea415a1d9a156027d58ed5b08686f303602d8b81f433d51436eec4efbab3a6d5a22e67ae5d68f1451ddebd"
      + "63adec8a3b2d0c908945da3a8564506f2b516bad4c0957ea8d0dac906aed398152ee2e2ac71005ff7eb4083fe45b8115"
      + "9fbd0929900213776daeedbdf4e70559b4f86171a6dabed209451e3ca0e539bef03c56d65e71567c6fe00e42f6bffa8e"
      + "5f51e42095e4b375bb851d8685b90f1534bf8ecef221a5c76a93513ee3f1b77221cd40120f5d33e22fbc7e616d4e1358"
      + "3a90cb0281c100dbc200ef79e3573d131c7d3b8660ded15647f67364402c6964d3d6f29f594a6b3d541792351637ccdb"
      + "3f9699a299471063ac2b70ba2a4133e0b3493bd104e05efa5e48b0c6a1a66b37b666dbaeaadcd7e2f0ad22ed0b754e57"
      + "f5805c5ba8c461b711c94bdefa861efa49df4803759a057a2a48b887520f686e75d93b1863250c793edeee068e358856"
      + "d1f00710a90b211d0bed23f8b4a2777b2756f515e0c8ecf9a001cac1cde1587f1a5bf0e1857632f98e3ec6dbb5a1e21c"
      + "61deca7ec3e4270281c100cb0683e3775cca0112f9a2a51f0be2d0593e2e0b7cdab7ed246b278247c326e280cf6bbe44"
      + "501353605db4a044e7bd01e7c596c818d8c5a7c1353cb1c4c2e42ecb477fb92faf8516b44fd16422cea071bebc134251"
      + "df6c68d927e6f5fc93322939478935e3737bf376ffa06f79c1efff920fde4cdbc8269528e83bfbd5b5777da1225fde49"
      + "ad4be6b5e6cb28bae1311511e171ad096364200d421e38651de5ce14080e8482cd19d7e8f538501fac0f2a3843d4948e"
      + "2509cee3c1658ed00410df0281c0374f920ab443fb1e1d244b84e2e298d259840d4ca7cbdb21bfc5edd0ed387d1996bb"
      + "069fbf0ad38a9518612054237e166aefd7932cd81bc721e41e279709422bc59a5b735adb2ed6c793fa398ab1e899d1bd"
      + "bfe60d8197c9db2ba85e1697d8adbb75179428102817bde93ff091265558d191b8f1f0e53f898a5bd10c25ac3693f824"
      + "51d9d8fe8c0cbfc5614375f7061d14817ef351d2ad1da37a9851616b4d470fe12cf24a6b362f9ef61474015f250bd971"
      + "eaed0439a8001022b5ff837e6c7b0281c1008b671f7f4b4d22bda6a0a790652dea4ede82c893d5b2d043221eabb3701b"
      + "169e5302b0d6d5f3d309fd497e3ac7afd7a7435e1c88ecc3207ea6f60e1f36bc5e4e645375d7a65ec30c1d4d2b4053b4"
      + "95b8615f56980f76d1fe421c51900241ba6f5cd1830db0d8fffa9a0508eedf25f44dd7014b8c5a20445ebad3e7eb3816"
      + "01bdc4a1d138f4c3fd8fa6a714cbbdd7ad8e9066735db0745534a6c67dd8c359501f62f031129a5e48ef467212bcaf1a"
      + "9aefe24995c7296b5b30a316c9ee18041e33";

  static final HexFormat HEX = HexFormat.of();

  /** The long-term keys of one vector. */
  static final class Keys {
    IdentityKeyPair aliceIdentity;
    IdentityKeyPair bobIdentity;
    SignedPreKey signedPreKey;
    OneTimePreKey oneTimePreKey;
    KemPreKey kemPreKey;
    RsaPreKey rsaPreKey;

    PreKeyBundle bundle() throws CryptoException {
      return PreKeyBundle.builder().address(BOB).identityKey(bobIdentity.publicKey())
          .signedPreKey(signedPreKey).oneTimePreKey(oneTimePreKey).kemPreKey(kemPreKey)
          .rsaPreKey(rsaPreKey).build();
    }
  }

  /** One message of the scripted conversation. */
  record Msg(String from, byte[] plaintext, MessageId id, long expiresAt, byte[] bytes) {}

  /** Output of one run of the conversation. */
  static final class Transcript {
    final List<Msg> messages = new ArrayList<>();
    byte[] aliceState;
    byte[] bobState;
  }

  static Keys keys(HandshakeSuite suite) throws CryptoException {
    RandomSource r = RandomSource.deterministicForTesting(
        ("ciphertalk session test vectors keys " + suite.name()).getBytes(StandardCharsets.US_ASCII));
    Keys k = new Keys();
    k.aliceIdentity = IdentityKeyPair.generate(r);
    k.bobIdentity = IdentityKeyPair.generate(r);
    k.signedPreKey = SignedPreKey.generate(k.bobIdentity, 1, r);
    k.oneTimePreKey = OneTimePreKey.generate(100, r);
    k.kemPreKey = KemPreKey.generate(k.bobIdentity, 2, r);
    k.rsaPreKey = RsaPreKey.of(k.bobIdentity, 3, Rsa.PrivateKey.fromPkcs8(HEX.parseHex(RSA_PKCS8_HEX)));
    return k;
  }

  /**
   * The scripted conversation: Alice initiates and sends two initial messages, Bob accepts the
   * first, reads the second and replies, Alice reads the reply and sends a ratchet message, which
   * Bob reads.
   */
  static Transcript run(HandshakeSuite suite, Keys k, RandomSource aliceRandom,
      RandomSource bobRandom) throws CryptoException {
    Transcript t = new Transcript();
    InMemoryPreKeySource preKeys = new InMemoryPreKeySource().add(k.signedPreKey)
        .add(k.oneTimePreKey).add(k.kemPreKey).add(k.rsaPreKey);
    Session a = Session.initiate().identity(k.aliceIdentity).localAddress(ALICE).bundle(k.bundle()).suite(suite)
        .trust(new InMemoryIdentityTrust()).random(aliceRandom).build();
    EncryptedMessage m1 = send(t, "alice", a, "Hello Bob, this is Alice.", 1, 1_767_225_600_000L);
    EncryptedMessage m2 = send(t, "alice", a, "Second message before any reply.", 2, Session.NO_EXPIRY);
    Session b = Session.respond().identity(k.bobIdentity).preKeys(preKeys)
        .trust(new InMemoryIdentityTrust()).remoteAddress(ALICE).localAddress(BOB).random(bobRandom)
        .accept((InitialMessage) m1).session();
    b.decrypt(m2);
    EncryptedMessage r1 = send(t, "bob", b, "Hi Alice! Bob here.", 3, Session.NO_EXPIRY);
    a.decrypt(r1);
    EncryptedMessage m3 = send(t, "alice", a, "Ratchet turned.", 4, 1_767_229_200_000L);
    b.decrypt(m3);
    t.aliceState = a.serialize().toByteArray();
    t.bobState = b.serialize().toByteArray();
    return t;
  }

  private static EncryptedMessage send(Transcript t, String from, Session s, String text, int n,
      long expiresAt) throws CryptoException {
    byte[] pt = text.getBytes(StandardCharsets.UTF_8);
    byte[] idBytes = new byte[16];
    idBytes[0] = (byte) 0xc7;
    idBytes[15] = (byte) n;
    MessageId id = MessageId.of(idBytes);
    EncryptedMessage m = s.encrypt(pt, id, expiresAt);
    t.messages.add(new Msg(from, pt, id, expiresAt, m.serialize()));
    return m;
  }

  /** Records every draw, in order, from a deterministic stream. */
  static final class RecordingRandom implements RandomSource {
    private final RandomSource inner;
    final List<byte[]> draws = new ArrayList<>();

    RecordingRandom(String seed) {
      this.inner = RandomSource.deterministicForTesting(seed.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public synchronized void nextBytes(byte[] out) {
      inner.nextBytes(out);
      draws.add(out.clone());
    }
  }

  /** Replays recorded draws; fails loudly if the implementation asks for anything else. */
  static final class ScriptedRandom implements RandomSource {
    private final Deque<byte[]> draws;

    ScriptedRandom(List<byte[]> draws) {
      this.draws = new ArrayDeque<>(draws);
    }

    @Override
    public synchronized void nextBytes(byte[] out) {
      byte[] next = draws.pollFirst();
      if (next == null || next.length != out.length) {
        throw new IllegalStateException("unexpected random draw of " + out.length + " bytes");
      }
      System.arraycopy(next, 0, out, 0, out.length);
    }

    boolean exhausted() {
      return draws.isEmpty();
    }
  }

  /** The whole file, deterministically. */
  static String generate() throws CryptoException {
    StringBuilder sb = new StringBuilder();
    sb.append("{\n");
    sb.append("  \"description\": \"CipherTalk 1:1 session test vectors (docs/protocol.md, 1:1 sessions). All byte strings are lower-case hex. Private keys use the encodings of IdentityKeyPair/SignedPreKey/OneTimePreKey/KemPreKey/RsaPreKey.serialize(). alice_random and bob_random list, in order, every random draw each side's session makes (handshake ephemeral, KEM m or RSA secret and OAEP seed, ratchet keys, per-message nonces). Generated by SessionTestVectors in ciphertalk-crypto test sources.\",\n");
    sb.append("  \"protocol_version\": 1,\n");
    sb.append("  \"vectors\": [\n");
    HandshakeSuite[] suites = HandshakeSuite.values();
    for (int i = 0; i < suites.length; i++) {
      HandshakeSuite suite = suites[i];
      Keys k = keys(suite);
      RecordingRandom ar = new RecordingRandom("ciphertalk session test vectors alice " + suite.name());
      RecordingRandom br = new RecordingRandom("ciphertalk session test vectors bob " + suite.name());
      // Serialize the keys first: the run consumes (and wipes) the one-time prekey.
      String oneTimeHex = hex(k.oneTimePreKey.serialize());
      String bundleHex = HEX.formatHex(k.bundle().serialize());
      Transcript t = run(suite, k, ar, br);
      sb.append("    {\n");
      field(sb, "suite", suite.name());
      field(sb, "alice_address", ALICE.toString());
      field(sb, "bob_address", BOB.toString());
      field(sb, "alice_identity_private", hex(k.aliceIdentity.serialize()));
      field(sb, "alice_identity_public", HEX.formatHex(k.aliceIdentity.publicKey().serialize()));
      field(sb, "bob_identity_private", hex(k.bobIdentity.serialize()));
      field(sb, "bob_identity_public", HEX.formatHex(k.bobIdentity.publicKey().serialize()));
      field(sb, "bob_signed_prekey_private", hex(k.signedPreKey.serialize()));
      field(sb, "bob_one_time_prekey_private", oneTimeHex);
      field(sb, "bob_kem_prekey_private", hex(k.kemPreKey.serialize()));
      field(sb, "bob_rsa_prekey_private", hex(k.rsaPreKey.serialize()));
      field(sb, "bob_bundle", bundleHex);
      list(sb, "alice_random", ar.draws);
      list(sb, "bob_random", br.draws);
      sb.append("      \"messages\": [\n");
      for (int j = 0; j < t.messages.size(); j++) {
        Msg m = t.messages.get(j);
        sb.append("        {\"from\": \"").append(m.from())
            .append("\", \"message_id\": \"").append(HEX.formatHex(m.id().toByteArray()))
            .append("\", \"expires_at\": ").append(m.expiresAt())
            .append(", \"plaintext\": \"").append(HEX.formatHex(m.plaintext()))
            .append("\",\n         \"bytes\": \"").append(HEX.formatHex(m.bytes())).append("\"}")
            .append(j + 1 < t.messages.size() ? ",\n" : "\n");
      }
      sb.append("      ],\n");
      field(sb, "alice_state_after", HEX.formatHex(t.aliceState));
      sb.append("      \"bob_state_after\": \"").append(HEX.formatHex(t.bobState)).append("\"\n");
      sb.append(i + 1 < suites.length ? "    },\n" : "    }\n");
    }
    sb.append("  ]\n}\n");
    return sb.toString();
  }

  private static String hex(SecretBytes s) {
    return HEX.formatHex(s.toByteArray());
  }

  private static void field(StringBuilder sb, String name, String value) {
    sb.append("      \"").append(name).append("\": \"").append(value).append("\",\n");
  }

  private static void list(StringBuilder sb, String name, List<byte[]> values) {
    sb.append("      \"").append(name).append("\": [");
    for (int i = 0; i < values.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append('"').append(HEX.formatHex(values.get(i))).append('"');
    }
    sb.append("],\n");
  }
}
