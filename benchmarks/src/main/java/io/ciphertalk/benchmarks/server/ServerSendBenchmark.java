package io.ciphertalk.benchmarks.server;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.core.transport.TransportListener;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.server.CipherTalkServer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The embedded server's durable send path, end to end over the in-memory transport (no sockets):
 * a {@code send_group} (256-byte ciphertext) to a two-member room, measured until the sender has
 * the {@code sent} acknowledgement, which the server gives only after the database commit. The
 * recipient is online and receives every message. In-memory H2, so this measures the server's
 * own overhead (codec, writer, group commit, fan-out), not disk fsync.
 *
 * <p>{@code sendAcked}: one message at a time (latency). {@code sendPipelined100}: 100 sends in
 * flight, then wait for all acknowledgements (throughput with group commit); score per message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ServerSendBenchmark {
  private static final WireCodec CODEC = WireCodec.create();

  private CipherTalkServer server;
  private InMemoryTransport alice;
  private InMemoryTransport bob;
  private final BlockingQueue<Frame> aliceReplies = new LinkedBlockingQueue<>();
  private final AtomicLong bobDelivered = new AtomicLong();
  private String room;
  private Bytes ciphertext;
  private long ids;

  /** Collects responses for one side; counts deliveries. */
  private final class Side implements TransportListener {
    private final BlockingQueue<Frame> replies;
    private final AtomicLong delivered;

    Side(BlockingQueue<Frame> replies, AtomicLong delivered) {
      this.replies = replies;
      this.delivered = delivered;
    }

    @Override
    public void onFrame(String text) {
      try {
        Frame f = CODEC.decode(text);
        if (f instanceof Frame.Deliver) {
          delivered.incrementAndGet();
        } else if (!(f instanceof Frame.Push)) {
          replies.add(f);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static Frame await(BlockingQueue<Frame> q) throws InterruptedException {
    Frame f = q.poll(30, TimeUnit.SECONDS);
    if (f == null) {
      throw new IllegalStateException("no reply within 30 s");
    }
    return f;
  }

  private InMemoryTransport connect(String user, BlockingQueue<Frame> replies, AtomicLong delivered)
      throws Exception {
    String token = server.login(user, ("password-" + user).toCharArray(), null);
    InMemoryTransport t = new InMemoryTransport(server.inMemoryEndpoint());
    t.start(new Side(replies, delivered));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!t.send(CODEC.encodeToString(new Frame.Hello("h", token, 1, "bench")))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("transport did not open");
      }
      Thread.onSpinWait();
    }
    if (!(await(replies) instanceof Frame.Welcome)) {
      throw new IllegalStateException("not welcomed");
    }
    return t;
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    server = CipherTalkServer.builder().wsPort(-1).httpPort(-1).inMemoryDatabase().passwordHashing(64, 1)
        .rateLimit(1_000_000, 1_000_000).build().start();
    server.createAccount("alice", "password-alice".toCharArray(), false);
    server.createAccount("bob", "password-bob".toCharArray(), false);
    alice = connect("alice", aliceReplies, new AtomicLong());
    bob = connect("bob", new LinkedBlockingQueue<>(), bobDelivered);
    alice.send(CODEC.encodeToString(new Frame.RoomCreate("r", RoomKind.GROUP, "bench", null, List.of("bob"), null)));
    room = ((Frame.RoomReply) await(aliceReplies)).room().roomId();
    ciphertext = Bytes.of(RandomSource.secure().bytes(256));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    alice.close();
    bob.close();
    server.close();
  }

  private String sendOne() {
    String id = "s" + (++ids);
    MessageId mid = MessageId.generate(Clock.systemUTC(), RandomSource.secure());
    alice.send(CODEC.encodeToString(new Frame.SendGroup(id, mid, room, null, ciphertext)));
    return id;
  }

  @Benchmark
  public Frame sendAcked() throws InterruptedException {
    sendOne();
    return await(aliceReplies);
  }

  @Benchmark
  @OperationsPerInvocation(100)
  public int sendPipelined100() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      sendOne();
    }
    int acked = 0;
    for (int i = 0; i < 100; i++) {
      if (await(aliceReplies) instanceof Frame.Sent) {
        acked++;
      }
    }
    if (acked != 100) {
      throw new IllegalStateException("only " + acked + " of 100 sends acknowledged");
    }
    return acked;
  }
}
