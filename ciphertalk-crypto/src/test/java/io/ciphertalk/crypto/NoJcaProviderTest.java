package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The library never registers a JCA provider (BouncyCastle or any other) as a side effect. */
class NoJcaProviderTest {

  @Test
  void exercisingEveryPrimitive_leavesTheJcaProviderListUnchanged() throws Exception {
    List<String> before = providerNames();
    assertThat(before).doesNotContain("BC", "BCPQC");

    RandomSource random = RandomSource.deterministicForTesting(new byte[] {42});
    AesGcm aead = AesGcm.create(SecretBytes.random(32, random));
    byte[] boxed = aead.sealWithRandomNonce(new byte[10], new byte[3], random);
    assertThat(aead.openWithPrefixedNonce(boxed, new byte[3])).hasSize(10);
    HmacSha256 mac = HmacSha256.create(SecretBytes.random(32, random));
    mac.verify(mac.compute(new byte[5]), new byte[5]);
    assertThat(HkdfSha256.instance().derive(new byte[32], new byte[0], new byte[1], 64)).hasSize(64);
    Ed25519.PrivateKey ed = Ed25519.generate(random);
    Ed25519.PublicKey.of(ed.publicKey().toByteArray()).verify(ed.sign(new byte[1]), new byte[1]);
    X25519.PrivateKey x1 = X25519.generate(random);
    X25519.PrivateKey x2 = X25519.generate(random);
    assertThat(x1.agree(x2.publicKey()).equalsConstantTime(x2.agree(x1.publicKey()))).isTrue();
    MlKem768.PrivateKey kem = MlKem768.generate(random);
    Kem.Encapsulation enc = MlKem768.instance().encapsulate(kem.publicKey(), random);
    assertThat(kem.decapsulate(enc.ciphertext()).equalsConstantTime(enc.sharedSecret())).isTrue();
    Rsa.PrivateKey rsa =
        Rsa.PrivateKey.fromPkcs8(
            Wycheproof.cases("rsa_oaep_2048_sha256_mgf1sha256_test.json").get(0).groupBytes("privateKeyPkcs8"));
    Rsa.PublicKey rsaPub = Rsa.PublicKey.fromX509(rsa.publicKey().toX509());
    assertThat(rsa.decryptOaep(rsaPub.encryptOaep(new byte[4], new byte[2], random), new byte[2])).hasSize(4);
    rsaPub.verify(rsa.withRandom(random).sign(new byte[7]), new byte[7]);

    assertThat(providerNames()).isEqualTo(before);
  }

  private static List<String> providerNames() {
    return Arrays.stream(Security.getProviders()).map(Provider::getName).toList();
  }
}
