package io.ciphertalk.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;

/** A raw protocol client over a real socket, for tests: sends JSON frames and collects replies. */
final class RawClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private final WebSocketClient ws;
  final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
  final List<JsonNode> all = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  volatile int closeCode = -1;

  RawClient(URI uri, Map<String, String> headers) throws InterruptedException {
    ws = new WebSocketClient(uri, new Draft_6455(List.of(), 4 << 20), headers, 5000) {
      @Override
      public void onOpen(ServerHandshake h) {}

      @Override
      public void onMessage(String message) {
        try {
          JsonNode n = JSON.readTree(message);
          all.add(n);
          inbox.add(n);
        } catch (Exception e) {
          throw new IllegalStateException(e);
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

  void sendRaw(String text) {
    ws.send(text);
  }

  boolean isOpen() {
    return ws.isOpen();
  }

  /** Sends a frame of {@code type} with the given fields; returns its id. */
  String send(String type, Object... kv) {
    ObjectNode n = JSON.createObjectNode().put("v", 1).put("type", type);
    String id = "r" + ids.incrementAndGet();
    n.put("id", id);
    for (int i = 0; i < kv.length; i += 2) {
      n.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
    }
    ws.send(n.toString());
    return id;
  }

  /** Sends and waits for the reply with the same id. */
  JsonNode call(String type, Object... kv) throws InterruptedException {
    String id = send(type, kv);
    return await(n -> id.equals(n.path("id").asText()), Duration.ofSeconds(10));
  }

  JsonNode hello(String token, int device) throws InterruptedException {
    return call("hello", "token", token, "device", device);
  }

  /** Waits for (and removes from the inbox) the first frame matching {@code p}; fails on timeout. */
  JsonNode await(Predicate<JsonNode> p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> skipped = new ArrayList<>();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no matching frame within " + timeout + "; saw " + skipped);
        }
        JsonNode n = inbox.poll(left, TimeUnit.NANOSECONDS);
        if (n == null) {
          continue;
        }
        if (p.test(n)) {
          return n;
        }
        skipped.add(n);
      }
    } finally {
      // Put back what we skipped, in order, ahead of later frames.
      List<JsonNode> rest = new ArrayList<>();
      inbox.drainTo(rest);
      inbox.addAll(skipped);
      inbox.addAll(rest);
    }
  }

  JsonNode awaitType(String type) throws InterruptedException {
    return await(n -> type.equals(n.path("type").asText()), Duration.ofSeconds(10));
  }

  boolean awaitClosed(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (ws.isClosed()) {
        return true;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
    return ws.isClosed();
  }

  @Override
  public void close() {
    ws.close();
  }
}
