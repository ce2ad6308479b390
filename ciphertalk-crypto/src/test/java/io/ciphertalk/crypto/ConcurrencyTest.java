package io.ciphertalk.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The primitives say they are thread-safe (per-thread JCA objects, a lazily cached Ed25519 point):
 * several threads sharing one instance must each get exactly the single-threaded answers.
 */
class ConcurrencyTest {
  private static final int THREADS = 4;
  private static final int ROUNDS = 150;

  @Test
  void sharedAeadMacAndVerifier_giveSingleThreadedResults_fromSeveralThreads() throws Exception {
    RandomSource random = RandomSource.deterministicForTesting(new byte[] {7});
    AesGcm aead = AesGcm.create(SecretBytes.random(32, random));
    HmacSha256 mac = HmacSha256.create(SecretBytes.random(32, random));
    Ed25519.PrivateKey signer = Ed25519.generate(random);
    Ed25519.PublicKey verifier = Ed25519.PublicKey.of(signer.publicKey().toByteArray());
    byte[] message = random.bytes(100);
    byte[] signature = signer.sign(message);
    byte[] tag = mac.compute(message);

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        Callable<Integer> work =
            () -> {
              int done = 0;
              for (int i = 0; i < ROUNDS; i++) {
                byte[] nonce = ByteBuffer.allocate(12).putInt(0, thread).putInt(4, i).array();
                byte[] pt = Arrays.copyOf(message, i % message.length);
                byte[] sealed = aead.seal(nonce, pt, nonce);
                if (!Arrays.equals(aead.open(nonce, sealed, nonce), pt)) {
                  throw new AssertionError("AES-GCM round trip differs");
                }
                if (!Arrays.equals(mac.compute(message), tag)) {
                  throw new AssertionError("HMAC differs");
                }
                verifier.verify(signature, message);
                done++;
              }
              return done;
            };
        results.add(pool.submit(work));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(ROUNDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
