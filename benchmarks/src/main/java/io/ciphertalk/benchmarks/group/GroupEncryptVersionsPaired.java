package io.ciphertalk.benchmarks.group;

import io.ciphertalk.benchmarks.group.GroupEncryptVersionsBenchmark.GroupMessageWriter;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import java.util.Arrays;

/**
 * The v2/v1 group encrypt cost ratio measured in pairs, for a machine whose load changes faster
 * than JMH's iterations: each round times a block of v1 encryptions and a block of v2 ones back to
 * back (alternating which goes first) and keeps their ratio, so both halves of a pair see the same
 * load; the median ratio over the rounds is printed with its quartiles. Same straight-line
 * implementation as {@link GroupEncryptVersionsBenchmark} (checked against the vectors).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.ciphertalk.benchmarks.group.GroupEncryptVersionsPaired [rounds] [perBlock]</pre>
 */
public final class GroupEncryptVersionsPaired {
  private GroupEncryptVersionsPaired() {}

  public static void main(String[] args) throws CryptoException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int perBlock = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    RandomSource random = RandomSource.secure();
    DeviceAddress alice = DeviceAddress.of("alice", 1);
    GroupMessageWriter v1 =
        new GroupMessageWriter(1, "bench-room", 1, alice, 42, random.bytes(32), random.bytes(32), random);
    GroupMessageWriter v2 =
        new GroupMessageWriter(2, "bench-room", 1, alice, 42, random.bytes(32), random.bytes(32), random);
    byte[] plaintext = new byte[256];
    byte[] messageId = new byte[16];
    long sink = 0;
    for (int i = 0; i < 20_000; i++) { // warm-up, both paths
      sink += v1.encrypt(plaintext, messageId, 0).length + v2.encrypt(plaintext, messageId, 0).length;
    }
    double[] ratio = new double[rounds];
    double[] v1Ns = new double[rounds];
    double[] v2Ns = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t1 = 0;
      long t2 = 0;
      for (int half = 0; half < 2; half++) {
        boolean doV1 = (half == 0) == (r % 2 == 0);
        GroupMessageWriter w = doV1 ? v1 : v2;
        long start = System.nanoTime();
        for (int i = 0; i < perBlock; i++) {
          sink += w.encrypt(plaintext, messageId, 0).length;
        }
        long took = System.nanoTime() - start;
        if (doV1) {
          t1 = took;
        } else {
          t2 = took;
        }
      }
      ratio[r] = (double) t2 / t1;
      v1Ns[r] = (double) t1 / perBlock;
      v2Ns[r] = (double) t2 / perBlock;
    }
    Arrays.sort(ratio);
    Arrays.sort(v1Ns);
    Arrays.sort(v2Ns);
    System.out.printf("rounds %d x %d messages each way (256 bytes), sink %d%n", rounds, perBlock, sink);
    System.out.printf("v1 encrypt median %.0f ns, v2 encrypt median %.0f ns%n", median(v1Ns), median(v2Ns));
    System.out.printf("v2/v1 ratio: median %.4f, quartiles %.4f .. %.4f%n", median(ratio),
        ratio[rounds / 4], ratio[rounds * 3 / 4]);
  }

  private static double median(double[] sorted) {
    return sorted[sorted.length / 2];
  }
}
