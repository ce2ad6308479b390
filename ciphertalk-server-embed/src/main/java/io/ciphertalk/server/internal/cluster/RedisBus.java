package io.ciphertalk.server.internal.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's notification bus on Redis Pub/Sub: one channel per user ({@code ct:u:USER}); a node
 * subscribes to the channels of the users it holds connections for and publishes to the channels
 * of the users an event concerns. Notifications carry no message content, only "look at the
 * durable timeline" hints (and ephemeral events: presence, typing, receipts), so a lost one delays
 * a message until the catch-up poll, never loses it.
 *
 * <p>Three connections: a subscriber (its reader thread delivers notices to the {@link Listener}),
 * a publisher (its own thread drains a bounded queue, pipelining; callers never block on Redis),
 * and a command connection for the few request/reply calls (shared presence). When Redis is
 * unreachable the node keeps working: publishes are dropped and counted, the subscriber reconnects
 * with backoff, one warning is logged when Redis goes away and one line when it is back, and
 * {@link Listener#resubscribed} tells the router to catch every local connection up.
 *
 * <p>Thread-safe.
 */
public final class RedisBus implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBus.class);
  private static final String PREFIX = "ct:u:";
  private static final int CONNECT_TIMEOUT_MS = 1_000;
  private static final int COMMAND_TIMEOUT_MS = 1_000;

  /** Receives notices (on the subscriber thread: implementations must hand work off quickly). */
  public interface Listener {
    /** A notice published to {@code user}'s channel. */
    void notice(String user, String payload);

    /** The subscription was (re-)established after a gap in which notices may have been lost. */
    void resubscribed();
  }

  private final RedisEndpoint endpoint;
  private final String nodeId;
  private volatile Listener listener;
  private final Set<String> users = ConcurrentHashMap.newKeySet();
  private final BlockingQueue<String[]> outbox = new ArrayBlockingQueue<>(100_000);
  private final Thread subscriberThread;
  private final Thread publisherThread;
  private final Object subscriberWriteLock = new Object();
  private volatile Resp subscriber;
  private Resp commands;
  private volatile boolean running = true;
  private volatile boolean severed;
  private final AtomicBoolean up = new AtomicBoolean(true);
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  /** Test hook: incoming notices to discard (simulates notifications lost by Redis). */
  private final AtomicLong discardIncoming = new AtomicLong();

  /** @param endpoint where Redis is and how to log in (see {@link RedisEndpoint}) */
  public RedisBus(RedisEndpoint endpoint, String nodeId) {
    this.endpoint = java.util.Objects.requireNonNull(endpoint, "endpoint");
    this.nodeId = nodeId;
    this.subscriberThread = new Thread(this::subscribeLoop, "ciphertalk-redis-sub");
    this.subscriberThread.setDaemon(true);
    this.publisherThread = new Thread(this::publishLoop, "ciphertalk-redis-pub");
    this.publisherThread.setDaemon(true);
  }

  /** Connects (in the background) and hands notices to {@code l}. */
  public void start(Listener l) {
    this.listener = l;
    subscriberThread.start();
    publisherThread.start();
  }

  public String nodeId() {
    return nodeId;
  }

  /** True while the last contact with Redis succeeded. */
  public boolean isUp() {
    return up.get();
  }

  public long droppedPublishes() {
    return dropped.get();
  }

  public long publishedCount() {
    return published.get();
  }

  public long receivedCount() {
    return received.get();
  }

  /** Test hook: the next {@code n} incoming notices are discarded as if Redis had lost them. */
  public void discardNextIncoming(long n) {
    discardIncoming.set(n);
  }

  // ------------------------------------------------------------------ subscriptions

  /** Starts receiving {@code user}'s notices (idempotent). */
  public void subscribe(String user) {
    if (users.add(user)) {
      sendSubscriberCommand("SUBSCRIBE", PREFIX + user);
    }
  }

  /** Stops receiving {@code user}'s notices (idempotent). */
  public void unsubscribe(String user) {
    if (users.remove(user)) {
      sendSubscriberCommand("UNSUBSCRIBE", PREFIX + user);
    }
  }

  private void sendSubscriberCommand(String command, String channel) {
    synchronized (subscriberWriteLock) {
      Resp s = subscriber;
      if (s == null) {
        return; // not connected: the reconnect subscribes to the current set
      }
      try {
        s.write(command, channel);
        s.flush();
      } catch (IOException e) {
        s.close(); // the reader thread notices and reconnects
      }
    }
  }

  private void subscribeLoop() {
    long backoff = 100;
    while (running) {
      Resp s = null;
      try {
        s = Resp.connect(endpoint, CONNECT_TIMEOUT_MS, 0);
        synchronized (subscriberWriteLock) {
          subscriber = s;
          List<String> channels = new ArrayList<>();
          channels.add("SUBSCRIBE");
          channels.add(PREFIX + "\0node:" + nodeId); // keeps the connection in subscribe mode with no users
          for (String u : users) {
            channels.add(PREFIX + u);
          }
          s.write(channels.toArray(String[]::new));
          s.flush();
        }
        backoff = 100;
        markUp();
        listener.resubscribed();
        while (running) {
          Object reply = s.read();
          if (reply instanceof List<?> l && l.size() == 3 && "message".equals(l.get(0))
              && l.get(1) instanceof String ch && ch.startsWith(PREFIX) && l.get(2) instanceof String payload) {
            received.incrementAndGet();
            if (discardIncoming.get() > 0 && discardIncoming.getAndDecrement() > 0) {
              continue;
            }
            try {
              listener.notice(ch.substring(PREFIX.length()), payload);
            } catch (RuntimeException e) {
              LOG.warn("cluster notice handler failed: {}", e.toString());
            }
          }
        }
      } catch (IOException e) {
        if (running) {
          markDown(e);
        }
      } finally {
        synchronized (subscriberWriteLock) {
          subscriber = null;
        }
        if (s != null) {
          s.close();
        }
      }
      sleep(backoff);
      backoff = Math.min(2_000, backoff * 2);
    }
  }

  // ------------------------------------------------------------------ publishing

  /** Queues a notice for {@code user}'s channel; never blocks (a full queue drops it, counted). */
  public void publish(String user, String payload) {
    if (severed) {
      return;
    }
    if (!outbox.offer(new String[] {PREFIX + user, payload})) {
      dropped.incrementAndGet();
    }
  }

  private void publishLoop() {
    Resp p = null;
    List<String[]> batch = new ArrayList<>(512);
    while (running || !outbox.isEmpty()) {
      try {
        String[] first = outbox.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        outbox.drainTo(batch, 511);
        if (p == null) {
          p = Resp.connect(endpoint, CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS * 5);
        }
        for (String[] m : batch) {
          p.write("PUBLISH", m[0], m[1]);
        }
        p.flush();
        for (int i = 0; i < batch.size(); i++) {
          p.read();
        }
        published.addAndGet(batch.size());
        markUp();
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      } catch (IOException e) {
        dropped.addAndGet(batch.size());
        if (p != null) {
          p.close();
          p = null;
        }
        markDown(e);
        // Notices queued while Redis is away are dropped too: the catch-up poll covers them.
        dropped.addAndGet(outbox.size());
        outbox.clear();
        sleep(200);
      } finally {
        batch.clear();
      }
    }
    if (p != null) {
      p.close();
    }
  }

  // ------------------------------------------------------------------ shared state (request/reply)

  /** What {@link #command} returns when Redis could not be reached or refused the command. */
  public static final Object UNAVAILABLE = new Object();

  /**
   * Runs one command on the command connection and returns its reply (null for a nil reply), or
   * {@link #UNAVAILABLE} (marking Redis down) if Redis cannot be reached or answers with an error.
   * Blocking, at most about {@value #COMMAND_TIMEOUT_MS} ms per attempt.
   */
  public synchronized Object command(String... args) {
    if (severed) {
      return UNAVAILABLE;
    }
    try {
      if (commands == null) {
        commands = Resp.connect(endpoint, CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS);
      }
      Object r = commands.call(args);
      markUp();
      if (r instanceof Resp.Error err) {
        LOG.warn("redis refused {}: {}", args[0], err.message());
        return UNAVAILABLE;
      }
      return r;
    } catch (IOException e) {
      if (commands != null) {
        commands.close();
        commands = null;
      }
      markDown(e);
      return UNAVAILABLE;
    }
  }

  /**
   * Runs several commands on the command connection in one round trip and returns their replies in
   * order (a refused command's reply is a {@code Resp.Error}), or null (marking Redis down) if Redis
   * cannot be reached. Blocking.
   */
  public synchronized List<Object> pipeline(List<String[]> batch) {
    if (severed) {
      return null;
    }
    try {
      if (commands == null) {
        commands = Resp.connect(endpoint, CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS);
      }
      for (String[] c : batch) {
        commands.write(c);
      }
      commands.flush();
      List<Object> replies = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        replies.add(commands.read());
      }
      markUp();
      return replies;
    } catch (IOException e) {
      if (commands != null) {
        commands.close();
        commands = null;
      }
      markDown(e);
      return null;
    }
  }

  /**
   * Test hook: from now on this node says nothing more to Redis (commands answer
   * {@link #UNAVAILABLE}, publishes are dropped), as if its process had been killed; then close.
   */
  public void severForTest() {
    severed = true;
    running = false;
    outbox.clear();
    Resp s = subscriber;
    if (s != null) {
      s.close();
    }
  }

  private void markDown(IOException e) {
    if (up.compareAndSet(true, false)) {
      LOG.warn("Redis at {} unreachable ({}): cross-node notifications stop; nodes keep delivering by polling"
          + " the database until it is back", endpoint, e.getMessage());
    }
  }

  private void markUp() {
    if (up.compareAndSet(false, true)) {
      LOG.info("Redis at {} reachable again: cross-node notifications resume", endpoint);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    Resp s = subscriber;
    if (s != null) {
      s.close();
    }
    subscriberThread.interrupt();
    try {
      publisherThread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (commands != null) {
        commands.close();
        commands = null;
      }
    }
  }
}
