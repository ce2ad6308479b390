package io.ciphertalk.crypto.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.SessionTestVectors.Keys;
import io.ciphertalk.crypto.session.SessionTestVectors.ScriptedRandom;
import io.ciphertalk.crypto.session.SessionTestVectors.Transcript;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our own deterministic vectors: docs/test-vectors/sessions.json. */
class SessionTestVectorsTest {
  private static final Path FILE = Path.of(SessionTestVectors.PATH);

  @Test
  void checkedInVectors_equalTheRecomputedVectors_byteForByte() throws Exception {
    String generated = SessionTestVectors.generate();
    if (Boolean.getBoolean("ciphertalk.regenerateVectors")) {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(FILE, StandardCharsets.UTF_8)).isEqualTo(generated);
  }

  @Test
  void eachVector_replaysFromItsOwnInputs() throws Exception {
    JsonNode root = new ObjectMapper().readTree(FILE.toFile());
    assertThat(root.get("vectors")).hasSize(HandshakeSuite.values().length);
    for (JsonNode v : root.get("vectors")) {
      HandshakeSuite suite = HandshakeSuite.valueOf(v.get("suite").asText());
      Keys k = new Keys();
      k.aliceIdentity = IdentityKeyPair.deserialize(secret(v, "alice_identity_private"));
      k.bobIdentity = IdentityKeyPair.deserialize(secret(v, "bob_identity_private"));
      k.signedPreKey = SignedPreKey.deserialize(secret(v, "bob_signed_prekey_private"));
      k.oneTimePreKey = OneTimePreKey.deserialize(secret(v, "bob_one_time_prekey_private"));
      k.kemPreKey = KemPreKey.deserialize(secret(v, "bob_kem_prekey_private"));
      k.rsaPreKey = RsaPreKey.deserialize(secret(v, "bob_rsa_prekey_private"));
      assertThat(hex(k.aliceIdentity.publicKey().serialize()))
          .isEqualTo(v.get("alice_identity_public").asText());
      assertThat(hex(k.bundle().serialize())).isEqualTo(v.get("bob_bundle").asText());

      ScriptedRandom ar = new ScriptedRandom(draws(v.get("alice_random")));
      ScriptedRandom br = new ScriptedRandom(draws(v.get("bob_random")));
      Transcript t = SessionTestVectors.run(suite, k, ar, br);
      assertThat(ar.exhausted()).as("%s: alice used every recorded draw", suite).isTrue();
      assertThat(br.exhausted()).as("%s: bob used every recorded draw", suite).isTrue();
      JsonNode msgs = v.get("messages");
      assertThat(t.messages).hasSize(msgs.size());
      for (int i = 0; i < msgs.size(); i++) {
        assertThat(hex(t.messages.get(i).bytes())).as("%s message %d", suite, i)
            .isEqualTo(msgs.get(i).get("bytes").asText());
      }
      assertThat(hex(t.aliceState)).isEqualTo(v.get("alice_state_after").asText());
      assertThat(hex(t.bobState)).isEqualTo(v.get("bob_state_after").asText());

      // And the receiving side decrypts the published bytes to the published plaintexts.
      Session bob = Session.deserialize(secretHex(v.get("bob_state_after").asText()));
      assertThat(bob.remoteIdentity()).isEqualTo(k.aliceIdentity.publicKey());
    }
  }

  private static SecretBytes secret(JsonNode v, String field) {
    return secretHex(v.get(field).asText());
  }

  private static SecretBytes secretHex(String hex) {
    return SecretBytes.wrap(SessionTestVectors.HEX.parseHex(hex));
  }

  private static String hex(byte[] b) {
    return SessionTestVectors.HEX.formatHex(b);
  }

  private static List<byte[]> draws(JsonNode arr) {
    List<byte[]> out = new ArrayList<>();
    arr.forEach(n -> out.add(SessionTestVectors.HEX.parseHex(n.asText())));
    return out;
  }
}
