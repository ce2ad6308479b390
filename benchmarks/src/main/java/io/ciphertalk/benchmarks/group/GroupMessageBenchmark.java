package io.ciphertalk.benchmarks.group;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.group.GroupMessage;
import io.ciphertalk.crypto.group.GroupSession;
import io.ciphertalk.crypto.group.SenderKeyDistributionMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-message group encrypt (one sender, whole room) and decrypt (one receiving member) of a
 * 256-byte message in rooms of 2, 50 and 500 member devices. Both sender and receiver hold every
 * member's sender key, as in a real room. Sender cost should not change with room size.
 *
 * <p>{@code decrypt} consumes a pre-encrypted batch of {@value #BATCH} messages; when the batch is
 * used up the receiver's room state is re-imported from a snapshot (amortised: a few microseconds
 * per message at 500 members, and 0 at 2).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GroupMessageBenchmark {
  static final String ROOM = "bench-room";
  static final int BATCH = 20_000;

  @Param({"2", "50", "500"})
  int members;

  private GroupSession sender;
  private GroupSession receiver;
  private byte[] plaintext;
  private final byte[] messageId = new byte[16];
  private byte[][] batch;
  private SecretBytes receiverSnapshot;
  private int next;

  @Setup
  public void setup() throws CryptoException {
    List<GroupSession> sessions = new ArrayList<>();
    Set<DeviceAddress> all = new HashSet<>();
    for (int i = 0; i < members; i++) {
      DeviceAddress a = DeviceAddress.of("member" + i, 1);
      all.add(a);
      sessions.add(GroupSession.builder().localAddress(a)
          .random(RandomSource.deterministicForTesting(("bench " + a).getBytes(StandardCharsets.UTF_8)))
          .build());
    }
    sender = sessions.get(0);
    receiver = sessions.get(1);
    List<SenderKeyDistributionMessage> dists = new ArrayList<>();
    for (GroupSession s : sessions) {
      dists.add(s.startEpoch(ROOM, 1, all));
    }
    for (SenderKeyDistributionMessage d : dists) {
      for (GroupSession s : List.of(sender, receiver)) {
        if (!s.localAddress().equals(d.sender())) {
          s.processDistribution(d.sender(), d.toByteArray());
        }
      }
    }
    plaintext = RandomSource.deterministicForTesting(new byte[] {1}).bytes(256);
    receiverSnapshot = receiver.exportRoom(ROOM);
    batch = new byte[BATCH][];
    for (int i = 0; i < BATCH; i++) {
      batch[i] = sender.encrypt(ROOM, plaintext, messageId, GroupMessage.NO_EXPIRY).toByteArray();
    }
  }

  /** One encryption + signature for the whole room, serialized for the wire. */
  @Benchmark
  public byte[] encrypt() throws CryptoException {
    return sender.encrypt(ROOM, plaintext, messageId, GroupMessage.NO_EXPIRY).toByteArray();
  }

  /** Parse, signature check, key step and AES-GCM open at one receiving member. */
  @Benchmark
  public byte[] decrypt() throws CryptoException {
    if (next == BATCH) {
      receiver.importRoom(receiverSnapshot);
      next = 0;
    }
    return receiver.decrypt(GroupMessage.parse(batch[next++])).plaintext();
  }
}
