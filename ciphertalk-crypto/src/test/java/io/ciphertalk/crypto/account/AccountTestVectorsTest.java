package io.ciphertalk.crypto.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks docs/test-vectors/accounts.json byte for byte against the generator, and value by value
 * against a from-the-spec re-implementation (BouncyCastle's raw Ed25519/X25519, JCE HMAC, SHA-512
 * and AES-GCM, hand-written layouts) so the documented formats, the code and the vectors agree.
 */
class AccountTestVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static JsonNode v;
  private static String fileText;

  @BeforeAll
  static void load() throws Exception {
    Path p = Path.of(AccountTestVectors.RELATIVE_PATH);
    if (!Files.exists(p)) {
      p = Path.of("..").resolve(AccountTestVectors.RELATIVE_PATH);
    }
    fileText = Files.readString(p, StandardCharsets.UTF_8);
    v = new ObjectMapper().readTree(fileText);
  }

  private static byte[] hex(JsonNode n) {
    return HEX.parseHex(n.asText());
  }

  private static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] addr(String user, int device) {
    return cat(new byte[] {(byte) user.length()}, ascii(user),
        ByteBuffer.allocate(4).putInt(device).array());
  }

  private static boolean ed25519Verify(byte[] pub, byte[] sig, byte[] msg) {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(sig, 0, pub, 0, msg, 0, msg.length);
  }

  @Test
  void file_isExactlyWhatTheGeneratorProduces() throws Exception {
    assertThat(fileText).isEqualTo(AccountTestVectors.generate());
  }

  @Test
  void accountKey_isTheEd25519PublicKeyOfTheSeed_andThePairEncodingIsVersionAndSeed() {
    JsonNode a = v.get("accounts");
    byte[] seed = hex(a.get("aliceAccountSeed"));
    byte[] pub = new byte[32];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pub, 0);
    assertThat(hex(a.get("aliceAccountKey"))).isEqualTo(pub);
    assertThat(hex(a.get("aliceAccountKeyPair"))).isEqualTo(cat(new byte[] {1}, seed));
  }

  @Test
  void certificate_hasTheDocumentedLayout_andItsSignatureVerifiesOverLabelAndBody() {
    JsonNode c = v.get("deviceCertificate");
    byte[] cert = hex(c.get("certificate"));
    byte[] account = hex(v.get("accounts").get("aliceAccountKey"));
    byte[] body = cat(new byte[] {1}, addr("alice", 1), hex(c.get("identityKey")),
        ByteBuffer.allocate(8).putLong(c.get("createdAt").asLong()).array(), account);
    assertThat(cert).hasSize(body.length + 64);
    assertThat(Arrays.copyOf(cert, body.length)).isEqualTo(body);
    byte[] sig = Arrays.copyOfRange(cert, body.length, cert.length);
    assertThat(ed25519Verify(account, sig, cat(ascii("CipherTalk/1/sig/device-certificate"), body)))
        .isTrue();
  }

  @Test
  void revocation_namesTheCertifiedKey_andItsSignatureVerifiesOverLabelAndBody() {
    JsonNode r = v.get("deviceRevocation");
    byte[] rev = hex(r.get("revocation"));
    byte[] account = hex(v.get("accounts").get("aliceAccountKey"));
    byte[] ik64 = Arrays.copyOf(hex(v.get("deviceCertificate").get("identityKey")), 64);
    byte[] body = cat(new byte[] {1}, addr("alice", 1), ik64,
        ByteBuffer.allocate(8).putLong(r.get("revokedAt").asLong()).array(),
        ByteBuffer.allocate(4).putInt(r.get("revokedBy").asInt()).array(), account);
    assertThat(Arrays.copyOf(rev, body.length)).isEqualTo(body);
    assertThat(ed25519Verify(account, Arrays.copyOfRange(rev, body.length, rev.length),
        cat(ascii("CipherTalk/1/sig/device-revocation"), body))).isTrue();
  }

  private static byte[] fingerprint(String user, byte[] key) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-512");
    byte[] h = sha.digest(cat(ascii("CipherTalk/1/account-safety-number"), new byte[] {0, 1}, key,
        new byte[] {(byte) user.length()}, ascii(user)));
    for (int i = 1; i < 5200; i++) {
      h = sha.digest(cat(h, key));
    }
    return Arrays.copyOf(h, 32);
  }

  private static String digits(byte[] f) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 30; i += 5) {
      long x = 0;
      for (int j = 0; j < 5; j++) {
        x = (x << 8) | (f[i + j] & 0xff);
      }
      sb.append(String.format("%05d", x % 100000));
    }
    return sb.toString();
  }

  @Test
  void safetyNumber_isBothAccountsHalvesInAscendingOrder_asSpecified() throws Exception {
    byte[] fa = fingerprint("alice", hex(v.get("accounts").get("aliceAccountKey")));
    byte[] fb = fingerprint("bob", hex(v.get("accounts").get("bobAccountKey")));
    String da = digits(fa);
    String db = digits(fb);
    boolean aFirst = da.compareTo(db) <= 0;
    JsonNode s = v.get("safetyNumber");
    assertThat(s.get("digits").asText()).isEqualTo(aFirst ? da + db : db + da);
    assertThat(hex(s.get("scannable"))).isEqualTo(
        cat(new byte[] {1}, aFirst ? fa : fb, aFirst ? fb : fa));
    assertThat(s.get("display").asText()).matches("(\\d{5} ){11}\\d{5}");
  }

  private static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  @Test
  void linkingCode_andEnvelope_decryptFromTheSpecWithTheNewDevicesEphemeralKey() throws Exception {
    JsonNode l = v.get("linking");
    byte[] code = hex(l.get("code"));
    // X25519.generate draws the 32-byte scalar first from the new device's random stream.
    byte[] scalar = AccountTestVectors.rnd(l.get("newDeviceRandomSeed").asText()).bytes(32);
    byte[] pub = new byte[32];
    org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(scalar, 0, pub, 0);
    byte[] body = cat(new byte[] {1}, ByteBuffer.allocate(4).putInt(2).array(), pub);
    byte[] check = Arrays.copyOf(MessageDigest.getInstance("SHA-256")
        .digest(cat(ascii("CipherTalk/1/link/code"), body)), 3);
    assertThat(code).isEqualTo(cat(body, check));

    byte[] env = hex(l.get("envelope"));
    assertThat(env[0]).isEqualTo((byte) 1);
    byte[] ePub = Arrays.copyOfRange(env, 1, 33);
    byte[] nonce = Arrays.copyOfRange(env, 33, 45);
    byte[] shared = new byte[32];
    org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(scalar, 0, ePub, 0, shared, 0);
    byte[] prk = hmac(new byte[32], shared);
    byte[] info = cat(ascii("CipherTalk/1/link/envelope"), code, ePub);
    byte[] t1 = hmac(prk, cat(info, new byte[] {1}));
    byte[] t2 = hmac(prk, cat(t1, info, new byte[] {2}));
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(t1, "AES"), new GCMParameterSpec(128, nonce));
    gcm.updateAAD(cat(code, Arrays.copyOf(env, 45)));
    byte[] payload = gcm.doFinal(env, 45, env.length - 45);
    assertThat(payload).isEqualTo(cat(new byte[] {1}, addr("alice", 2),
        hex(v.get("accounts").get("aliceAccountSeed")),
        ByteBuffer.allocate(8).putLong(l.get("issuedAt").asLong()).array()));
    long x = 0;
    for (int i = 0; i < 5; i++) {
      x = (x << 8) | (t2[i] & 0xff);
    }
    assertThat(l.get("confirmationCode").asText()).isEqualTo(String.format("%06d", x % 1_000_000));
  }

  @Test
  void linkingCodeText_parsesBackToTheSameBytes_andTheVectorEnvelopeOpensThroughTheApi()
      throws Exception {
    JsonNode l = v.get("linking");
    assertThat(LinkingCode.parse(l.get("codeText").asText()).toBytes()).isEqualTo(hex(l.get("code")));
    assertThat(LinkingCode.parse(l.get("qrPayload").asText()).toBytes()).isEqualTo(hex(l.get("code")));
    LinkingRequest request = LinkingRequest.create(2,
        AccountTestVectors.rnd(l.get("newDeviceRandomSeed").asText()));
    LinkEnvelope.Opened o = request.open(io.ciphertalk.crypto.DeviceAddress.of("alice", 2),
        hex(l.get("envelope")));
    assertThat(o.account().publicKey().serialize())
        .isEqualTo(hex(v.get("accounts").get("aliceAccountKey")));
    assertThat(o.confirmationCode()).isEqualTo(l.get("confirmationCode").asText());
  }
}
