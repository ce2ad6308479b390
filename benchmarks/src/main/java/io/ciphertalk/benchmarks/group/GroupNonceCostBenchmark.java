package io.ciphertalk.benchmarks.group;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.group.GroupMessage;
import io.ciphertalk.crypto.group.GroupSession;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the group message v2 random nonce costs, measured in the same run as the encryption it
 * is part of (so machine load affects both alike): {@code encrypt} is a whole v2 group encrypt of
 * a 256-byte message (which includes drawing the nonce), {@code drawNonce} draws 12 bytes from
 * {@link RandomSource#secure()}, the only work v2 adds to v1 (its HKDF step is one HMAC block
 * shorter: 32 output bytes instead of 44).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GroupNonceCostBenchmark {
  private static final String ROOM = "bench-room";
  private final RandomSource random = RandomSource.secure();
  private GroupSession sender;
  private final byte[] plaintext = new byte[256];
  private final byte[] messageId = new byte[16];

  @Setup
  public void setup() {
    DeviceAddress a = DeviceAddress.of("alice", 1);
    sender = GroupSession.builder().localAddress(a).build();
    sender.startEpoch(ROOM, 1, Set.of(a, DeviceAddress.of("bob", 1)));
  }

  @Benchmark
  public byte[] encrypt() throws CryptoException {
    GroupMessage m = sender.encrypt(ROOM, plaintext, messageId, GroupMessage.NO_EXPIRY);
    return m.toByteArray();
  }

  @Benchmark
  public byte[] drawNonce() {
    return random.bytes(GroupMessage.NONCE_LENGTH);
  }
}
