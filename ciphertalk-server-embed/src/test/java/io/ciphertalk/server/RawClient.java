package io.ciphertalk.server;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.core.wire.WireException;
import io.ciphertalk.crypto.RandomSource;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;

/**
 * A raw protocol client for tests: Java-WebSocket's client plus the wire codec, over a real socket
 * to 127.0.0.1. Collects every inbound frame in order.
 */
final class RawClient implements AutoCloseable {
  static final WireCodec CODEC = WireCodec.create();
  private final WebSocketClient ws;
  /** Pushes (deliveries, events, notices) in arrival order. */
  final BlockingQueue<Frame> inbox = new LinkedBlockingQueue<>();
  /** Responses to requests (and errors for undecodable frames). */
  final BlockingQueue<Frame> responses = new LinkedBlockingQueue<>();
  /** Frames taken from a queue by {@link #await} that did not match yet; consumer-side only. */
  private final java.util.Deque<Frame> stashedPushes = new java.util.ArrayDeque<>();
  private final java.util.Deque<Frame> stashedResponses = new java.util.ArrayDeque<>();
  private final AtomicInteger ids = new AtomicInteger();
  volatile int closeCode = -1;
  volatile String undecodable;

  RawClient(URI uri, Map<String, String> headers) throws InterruptedException {
    ws = new WebSocketClient(uri, new Draft_6455(List.of(), 4 << 20), headers, 5000) {
      @Override
      public void onOpen(ServerHandshake h) {}

      @Override
      public void onMessage(String message) {
        try {
          Frame f = CODEC.decode(message);
          (f instanceof Frame.Push ? inbox : responses).add(f);
        } catch (WireException e) {
          undecodable = message;
        }
      }

      @Override
      public void onClose(int code, String reason, boolean remote) {
        closeCode = code;
      }

      @Override
      public void onError(Exception ex) {}
    };
    if (!ws.connectBlocking(5, TimeUnit.SECONDS)) {
      throw new IllegalStateException("could not connect to " + uri);
    }
  }

  static RawClient connect(CipherTalkServer server, String path) throws InterruptedException {
    return new RawClient(URI.create("ws://127.0.0.1:" + server.wsPort() + path), Map.of());
  }

  /** Connects to /ws and authenticates; fails unless welcomed. */
  static RawClient login(CipherTalkServer server, String token, int device) throws InterruptedException {
    return login(server.wsPort(), token, device);
  }

  /** Connects to /ws on the loopback {@code wsPort} (e.g. a server in another process) and authenticates. */
  static RawClient login(int wsPort, String token, int device) throws InterruptedException {
    RawClient c = new RawClient(URI.create("ws://127.0.0.1:" + wsPort + "/ws"), Map.of());
    Frame f = c.call(id -> new Frame.Hello(id, token, device, "test"));
    if (!(f instanceof Frame.Welcome)) {
      throw new AssertionError("not welcomed: " + f);
    }
    return c;
  }

  static MessageId newMessageId() {
    return MessageId.generate(Clock.systemUTC(), RandomSource.secure());
  }

  void sendRaw(String text) {
    ws.send(text);
  }

  boolean isOpen() {
    return ws.isOpen();
  }

  String nextId() {
    return "c" + ids.incrementAndGet();
  }

  /** Sends a request built from a fresh id; returns the id. */
  String send(Function<String, Frame> build) {
    String id = nextId();
    ws.send(CODEC.encodeToString(build.apply(id)));
    return id;
  }

  /** Sends and waits for the response with the same id. */
  Frame call(Function<String, Frame> build) throws InterruptedException {
    String id = send(build);
    return awaitResponse(f -> id.equals(f.id()), Duration.ofSeconds(15));
  }

  /** Waits for (and removes) the first response matching {@code p}. */
  Frame awaitResponse(Predicate<Frame> p, Duration timeout) throws InterruptedException {
    return await(responses, stashedResponses, p, timeout);
  }

  /** The next push, oldest first, or null after {@code timeout}. */
  Frame nextPush(Duration timeout) throws InterruptedException {
    synchronized (stashedPushes) {
      if (!stashedPushes.isEmpty()) {
        return stashedPushes.pollFirst();
      }
    }
    return inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** True if any push seen so far (stashed or queued) matches. */
  boolean anyPush(Predicate<Frame> p) {
    synchronized (stashedPushes) {
      return stashedPushes.stream().anyMatch(p) || inbox.stream().anyMatch(p);
    }
  }

  /** Waits for (and removes) the first push matching {@code p}; other pushes keep their order. */
  Frame await(Predicate<Frame> p, Duration timeout) throws InterruptedException {
    return await(inbox, stashedPushes, p, timeout);
  }

  private static Frame await(BlockingQueue<Frame> queue, java.util.Deque<Frame> stash, Predicate<Frame> p,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (stash) {
      for (java.util.Iterator<Frame> it = stash.iterator(); it.hasNext(); ) {
        Frame f = it.next();
        if (p.test(f)) {
          it.remove();
          return f;
        }
      }
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no matching frame within " + timeout + "; saw " + stash);
        }
        Frame f = queue.poll(left, TimeUnit.NANOSECONDS);
        if (f != null) {
          if (p.test(f)) {
            return f;
          }
          stash.addLast(f);
        }
      }
    }
  }

  <T extends Frame> T awaitType(Class<T> type) throws InterruptedException {
    return type.cast(await(type::isInstance, Duration.ofSeconds(15)));
  }

  boolean awaitClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ws.isClosed() && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
    return ws.isClosed();
  }

  @Override
  public void close() {
    ws.close();
  }
}
