package io.ciphertalk.benchmarks.wire;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.DeliveryKind;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.core.wire.WireException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
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
 * Wire codec cost per frame: a typical 1:1 {@code send} (one recipient device, 256-byte
 * ciphertext) and the {@code deliver} push the server makes from it, encoded to UTF-8 and decoded
 * from UTF-8 and from a String (Java-WebSocket hands text frames over as Strings).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireCodecBenchmark {
  private WireCodec codec;
  private Frame.Send send;
  private Frame.Deliver deliver;
  private byte[] sendBytes;
  private byte[] deliverBytes;
  private String deliverText;

  @Setup
  public void setup() {
    RandomSource random = RandomSource.deterministicForTesting(new byte[] {3});
    codec = WireCodec.create();
    MessageId id = MessageId.generate(InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z")), random);
    Bytes ciphertext = Bytes.of(random.bytes(256));
    send =
        new Frame.Send(
            "c-1042", id, "room-7", null, List.of(new Recipient(DeviceAddress.of("bob", 1), ciphertext)));
    deliver =
        new Frame.Deliver(
            "s:88123",
            new Delivery(
                Delivery.DEVICE_STREAM, 88123, DeliveryKind.DIRECT, id, "room-7",
                DeviceAddress.of("alice", 1), 1_767_225_600_000L, null, ciphertext));
    sendBytes = codec.encode(send);
    deliverBytes = codec.encode(deliver);
    deliverText = codec.encodeToString(deliver);
  }

  @Benchmark
  public byte[] sendEncode() {
    return codec.encode(send);
  }

  @Benchmark
  public Frame sendDecode() throws WireException {
    return codec.decode(sendBytes);
  }

  @Benchmark
  public Frame sendEncodeDecode() throws WireException {
    return codec.decode(codec.encode(send));
  }

  @Benchmark
  public byte[] deliverEncode() {
    return codec.encode(deliver);
  }

  @Benchmark
  public Frame deliverDecode() throws WireException {
    return codec.decode(deliverBytes);
  }

  @Benchmark
  public Frame deliverDecodeFromString() throws WireException {
    return codec.decode(deliverText);
  }

  @Benchmark
  public Frame deliverEncodeDecode() throws WireException {
    return codec.decode(codec.encode(deliver));
  }
}
