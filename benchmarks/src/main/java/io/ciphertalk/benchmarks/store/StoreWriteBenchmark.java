package io.ciphertalk.benchmarks.store;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.store.InvalidStoreKeyException;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The encrypted client store's per-message writes on an H2 file: {@code storeSenderKey} (a group
 * room's sender-key state, written after every group message sent or received; since issue 15 it
 * also replaces the row's term in the store's rollback digest) and {@code markSeen} (a seen message
 * id; since issue 15 stored as a keyed tag). 1 KiB of state, 50 rooms written in turn.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StoreWriteBenchmark {
  private static final DeviceAddress SELF = DeviceAddress.of("alice", 1);
  private final byte[] state = new byte[1024];
  private final RandomSource random = RandomSource.secure();
  private Path dir;
  private JdbiLocalStore store;
  private int room;

  @Setup
  public void setup() throws IOException, InvalidStoreKeyException {
    dir = Files.createTempDirectory("ciphertalk-store-bench");
    store = JdbiLocalStore.builder().file(dir.resolve("store"))
        .key(SecretBytes.random(32, random)).open();
  }

  @TearDown
  public void tearDown() throws IOException {
    store.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public void storeSenderKey() {
    room = (room + 1) % 50;
    store.senderKeys().storeSenderKey("room-" + room, SELF, state);
  }

  @Benchmark
  public boolean markSeen() {
    return store.seen().markSeen(MessageId.generate(Clock.systemUTC(), random));
  }
}
