package io.ciphertalk.benchmarks.crypto;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.attachment.AttachmentCipher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Attachment throughput per second of CPU time of the measuring thread, the unit {@code openssl
 * speed} uses without {@code -elapsed}: on a machine shared with other builds, wall-clock figures
 * measure the scheduler as much as the code, CPU-time figures much less. Same work as
 * {@link AttachmentBenchmark} (16 MiB in memory, 64 KiB chunks), plus the two primitives alone
 * (SunJCE AES-256-GCM per 64 KiB, SHA-256 over 64 KiB pieces), whose harmonic sum bounds what the
 * format can reach. Prints one line per figure: {@code name MB-per-CPU-second} (median of the rounds).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.ciphertalk.benchmarks.crypto.AttachmentCpuThroughput
 * [cpuSecondsPerRound=2] [rounds=5]}.
 */
public final class AttachmentCpuThroughput {
  private static final int SIZE = AttachmentBenchmark.SIZE;
  private static final int CHUNK = AttachmentCipher.DEFAULT_CHUNK_SIZE;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private AttachmentCpuThroughput() {}

  interface Op {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    RandomSource random = RandomSource.deterministicForTesting(new byte[] {19});
    SecretBytes key = AttachmentCipher.newKey(random);
    byte[] plaintext = random.bytes(SIZE);
    ByteArrayOutputStream ct = new ByteArrayOutputStream();
    byte[] digest = AttachmentCipher.encrypt(new ByteArrayInputStream(plaintext), ct, key, CHUNK, random).digest();
    byte[] ciphertext = ct.toByteArray();
    OutputStream sink = OutputStream.nullOutputStream();

    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    SecretKeySpec aesKey = new SecretKeySpec(new byte[32], "AES");
    byte[] out = new byte[CHUNK + 16];
    long[] counter = {0};
    Op aes = () -> {
      for (int off = 0; off < SIZE; off += CHUNK) {
        byte[] iv = new byte[12];
        long c = counter[0]++;
        for (int i = 0; i < 8; i++) {
          iv[4 + i] = (byte) (c >>> (56 - 8 * i));
        }
        gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, iv));
        gcm.doFinal(plaintext, off, CHUNK, out, 0);
      }
    };
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Op sha256 = () -> {
      for (int off = 0; off < SIZE; off += CHUNK) {
        sha.update(plaintext, off, CHUNK);
      }
      sha.digest();
    };
    Op encrypt = () -> AttachmentCipher.encrypt(new ByteArrayInputStream(plaintext), sink, key, CHUNK, random);
    Op decrypt = () -> AttachmentCipher.decrypt(new ByteArrayInputStream(ciphertext), sink, key, digest);

    String[] names = {"encrypt", "decrypt", "jce-aes-256-gcm", "jce-sha256"};
    Op[] ops = {encrypt, decrypt, aes, sha256};
    for (Op op : ops) { // warm-up: let the JIT compile every path before any measurement
      measure(op, seconds);
    }
    double[][] results = new double[ops.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < ops.length; i++) { // interleaved, so a change in load hits every figure alike
        results[i][r] = measure(ops[i], seconds);
      }
    }
    for (int i = 0; i < ops.length; i++) {
      double[] s = results[i].clone();
      Arrays.sort(s);
      System.out.printf(Locale.ROOT, "%s %.1f min=%.1f max=%.1f%n", names[i], s[s.length / 2], s[0], s[s.length - 1]);
    }
  }

  /** MB (10^6 bytes) of plaintext per second of this thread's CPU time. */
  private static double measure(Op op, double seconds) throws Exception {
    long budget = (long) (seconds * 1e9);
    long start = THREADS.getCurrentThreadCpuTime();
    long ops = 0;
    long used;
    do {
      op.run();
      ops++;
      used = THREADS.getCurrentThreadCpuTime() - start;
    } while (used < budget);
    return ops * (double) SIZE / 1e6 / (used / 1e9);
  }
}
