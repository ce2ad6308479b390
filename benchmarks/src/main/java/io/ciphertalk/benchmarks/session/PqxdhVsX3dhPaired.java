package io.ciphertalk.benchmarks.session;

import io.ciphertalk.crypto.CryptoException;
import java.util.Arrays;

/**
 * PQXDH (one-time and last-resort KEM prekey) against X3DH handshake cost, measured in rounds for
 * a machine whose load changes faster than JMH's iterations: each round times a block of each
 * variant back to back (rotating which goes first) and keeps the ratios to the X3DH block, so the
 * blocks of a round see the same load. Runs the operations of {@link PqxdhVsX3dhBenchmark}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.ciphertalk.benchmarks.session.PqxdhVsX3dhPaired [rounds] [perBlock]</pre>
 */
public final class PqxdhVsX3dhPaired {
  private PqxdhVsX3dhPaired() {}

  private interface Op {
    Object run() throws CryptoException;
  }

  public static void main(String[] args) throws CryptoException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 150;
    int perBlock = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    PqxdhVsX3dhBenchmark b = new PqxdhVsX3dhBenchmark();
    b.setup();
    Op[] ops = {b::x3dh, b::pqxdhOneTimeKem, b::pqxdhLastResortKem};
    String[] names = {"X3DH", "PQXDH, one-time KEM prekey", "PQXDH, last-resort KEM prekey"};
    long sink = 0;
    for (int i = 0; i < 300; i++) { // warm-up
      for (Op op : ops) {
        sink += op.run().hashCode();
      }
    }
    double[][] us = new double[ops.length][rounds];
    double[][] ratio = new double[ops.length][rounds];
    for (int r = 0; r < rounds; r++) {
      long[] took = new long[ops.length];
      for (int k = 0; k < ops.length; k++) {
        int which = (k + r) % ops.length;
        long start = System.nanoTime();
        for (int i = 0; i < perBlock; i++) {
          sink += ops[which].run().hashCode();
        }
        took[which] = System.nanoTime() - start;
      }
      for (int k = 0; k < ops.length; k++) {
        us[k][r] = took[k] / 1000.0 / perBlock;
        ratio[k][r] = (double) took[k] / took[0];
      }
    }
    System.out.printf("rounds %d x %d handshakes per variant, sink %d%n", rounds, perBlock, sink);
    for (int k = 0; k < ops.length; k++) {
      Arrays.sort(us[k]);
      Arrays.sort(ratio[k]);
      System.out.printf("%-30s median %.0f us, ratio to X3DH: median %.3f, quartiles %.3f .. %.3f%n",
          names[k], us[k][rounds / 2], ratio[k][rounds / 2], ratio[k][rounds / 4],
          ratio[k][rounds * 3 / 4]);
    }
  }
}
