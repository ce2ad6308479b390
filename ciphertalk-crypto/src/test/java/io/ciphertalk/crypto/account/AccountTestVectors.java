package io.ciphertalk.crypto.account;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Generates docs/test-vectors/accounts.json: fixed inputs (seeded account and device keys, times,
 * a linking request) and the exact bytes CipherTalk produces for them. {@link
 * AccountTestVectorsTest} checks the file byte for byte against this generator and re-derives the
 * values from the spec independently.
 *
 * <p>Regenerate (only when a format deliberately changes) from the repository root:
 *
 * <pre>
 *   ./mvnw -B -q -pl ciphertalk-crypto test-compile
 *   ./mvnw -B -q -pl ciphertalk-crypto dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp "ciphertalk-crypto/target/classes:ciphertalk-crypto/target/test-classes:$(cat /tmp/cp.txt)" \
 *       io.ciphertalk.crypto.account.AccountTestVectors docs/test-vectors/accounts.json
 * </pre>
 */
public final class AccountTestVectors {
  static final String RELATIVE_PATH = "docs/test-vectors/accounts.json";
  static final String ALICE_ACCOUNT_SEED = "CipherTalk account vector: alice account";
  static final String ALICE_DEVICE_SEED = "CipherTalk account vector: alice.1 identity";
  static final String BOB_ACCOUNT_SEED = "CipherTalk account vector: bob account";
  static final String LINK_NEW_SEED = "CipherTalk account vector: new device alice.2";
  static final String LINK_OLD_SEED = "CipherTalk account vector: alice.1 sealing";
  static final DeviceAddress ALICE_1 = DeviceAddress.of("alice", 1);
  static final Instant CREATED = Instant.ofEpochMilli(1_796_000_000_000L);
  static final Instant REVOKED = Instant.ofEpochMilli(1_796_000_500_000L);
  static final Instant LINKED = Instant.ofEpochMilli(1_796_000_100_000L);
  private static final HexFormat HEX = HexFormat.of();

  private AccountTestVectors() {}

  static RandomSource rnd(String seed) {
    return RandomSource.deterministicForTesting(seed.getBytes(StandardCharsets.US_ASCII));
  }

  static AccountKeyPair aliceAccount() {
    return AccountKeyPair.generate(rnd(ALICE_ACCOUNT_SEED));
  }

  static AccountKeyPair bobAccount() {
    return AccountKeyPair.generate(rnd(BOB_ACCOUNT_SEED));
  }

  static IdentityKeyPair aliceDevice() {
    return IdentityKeyPair.generate(rnd(ALICE_DEVICE_SEED));
  }

  /** The vector file's exact contents. */
  static String generate() throws CryptoException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("format", "CipherTalk accounts and devices test vectors v1");
    root.put("spec", "docs/protocol.md, section \"Accounts and devices\"");
    root.put("generator",
        "ciphertalk-crypto/src/test/java/io/ciphertalk/crypto/account/AccountTestVectors.java");
    root.put("note", "All byte strings are lower-case hex; times are Unix milliseconds. Keys come "
        + "from RandomSource.deterministicForTesting(seed): never use them.");

    AccountKeyPair alice = aliceAccount();
    AccountKeyPair bob = bobAccount();
    IdentityKeyPair device = aliceDevice();

    ObjectNode acc = root.putObject("accounts");
    acc.put("aliceAccountSeed", hex(alice.seed()));
    acc.put("aliceAccountKey", HEX.formatHex(alice.publicKey().serialize()));
    acc.put("aliceAccountKeyPair", hex(alice.serialize()));
    acc.put("bobAccountSeed", hex(bob.seed()));
    acc.put("bobAccountKey", HEX.formatHex(bob.publicKey().serialize()));

    DeviceCertificate cert = DeviceCertificate.issue(alice, ALICE_1, device.publicKey(), CREATED);
    ObjectNode c = root.putObject("deviceCertificate");
    c.put("userId", ALICE_1.userId());
    c.put("deviceId", ALICE_1.deviceId());
    c.put("identityKey", HEX.formatHex(device.publicKey().serialize()));
    c.put("createdAt", CREATED.toEpochMilli());
    c.put("certificate", HEX.formatHex(cert.serialize()));

    DeviceRevocation rev = DeviceRevocation.issue(alice, cert, 2, REVOKED);
    ObjectNode r = root.putObject("deviceRevocation");
    r.put("revokedAt", REVOKED.toEpochMilli());
    r.put("revokedBy", 2);
    r.put("revocation", HEX.formatHex(rev.serialize()));

    AccountSafetyNumber sn = AccountSafetyNumber.of("alice", alice.publicKey(), "bob",
        bob.publicKey());
    ObjectNode s = root.putObject("safetyNumber");
    s.put("digits", sn.digits());
    s.put("display", sn.toString());
    s.put("scannable", HEX.formatHex(sn.scannable()));
    s.put("scannableText", sn.scannableText());

    LinkingRequest request = LinkingRequest.create(2, rnd(LINK_NEW_SEED));
    RandomSource sealing = rnd(LINK_OLD_SEED);
    LinkEnvelope.Sealed sealed = LinkEnvelope.seal(request.code(), "alice", alice, LINKED, sealing);
    ObjectNode l = root.putObject("linking");
    l.put("newDeviceRandomSeed", LINK_NEW_SEED);
    l.put("existingDeviceRandomSeed", LINK_OLD_SEED);
    l.put("deviceId", 2);
    l.put("code", HEX.formatHex(request.code().toBytes()));
    l.put("codeText", request.code().text());
    l.put("qrPayload", request.code().qrPayload());
    l.put("issuedAt", LINKED.toEpochMilli());
    l.put("envelope", HEX.formatHex(sealed.envelope()));
    l.put("confirmationCode", sealed.confirmationCode());

    DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return json.writer(pp).writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(SecretBytes s) {
    return HEX.formatHex(s.toByteArray());
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : RELATIVE_PATH);
    Files.writeString(out, generate(), StandardCharsets.UTF_8);
  }
}
