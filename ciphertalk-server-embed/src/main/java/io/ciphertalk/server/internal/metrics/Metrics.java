package io.ciphertalk.server.internal.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Server counters and gauges, rendered in the Prometheus text exposition format (version 0.0.4).
 * Thread-safe.
 */
public final class Metrics {
  private final AtomicLong authFailures = new AtomicLong();
  private final AtomicLong messagesRouted = new AtomicLong();
  private final AtomicLong messagesDelivered = new AtomicLong();
  private final AtomicLong framesRejected = new AtomicLong();
  private final AtomicLong slowConsumerDisconnects = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private final AtomicLong connectionsRefused = new AtomicLong();
  private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

  public void authFailure() {
    authFailures.incrementAndGet();
  }

  public void messageRouted() {
    messagesRouted.incrementAndGet();
  }

  public void messageDelivered() {
    messagesDelivered.incrementAndGet();
  }

  public void frameRejected() {
    framesRejected.incrementAndGet();
  }

  public void slowConsumer() {
    slowConsumerDisconnects.incrementAndGet();
  }

  public void rateLimited() {
    rateLimited.incrementAndGet();
  }

  /** A connection refused or closed by a network limit (caps, budgets, handshake, protocol violations). */
  public void connectionRefused() {
    connectionsRefused.incrementAndGet();
  }

  public long authFailures() {
    return authFailures.get();
  }

  public long messagesRouted() {
    return messagesRouted.get();
  }

  /** Registers a gauge sampled at scrape time. */
  public void gauge(String name, LongSupplier supplier) {
    gauges.put(name, supplier);
  }

  public String render() {
    StringBuilder sb = new StringBuilder(1024);
    counter(sb, "ciphertalk_auth_failures_total", "Failed logins and token checks.", authFailures.get());
    counter(sb, "ciphertalk_messages_routed_total", "Messages durably accepted from senders.", messagesRouted.get());
    counter(sb, "ciphertalk_messages_delivered_total", "Envelopes written to recipient connections.",
        messagesDelivered.get());
    counter(sb, "ciphertalk_frames_rejected_total", "Frames refused as malformed, oversize or unauthorised.",
        framesRejected.get());
    counter(sb, "ciphertalk_slow_consumer_disconnects_total", "Connections closed for exceeding the outbound buffer.",
        slowConsumerDisconnects.get());
    counter(sb, "ciphertalk_rate_limited_total", "Frames refused by the per-connection rate limit.", rateLimited.get());
    counter(sb, "ciphertalk_connections_refused_total",
        "Connections refused or closed by a network limit or a protocol violation.", connectionsRefused.get());
    new java.util.TreeMap<>(gauges).forEach((name, supplier) -> {
      long v;
      try {
        v = supplier.getAsLong();
      } catch (RuntimeException e) {
        return;
      }
      sb.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(v).append('\n');
    });
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, String help, long value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
    sb.append(name).append(' ').append(value).append('\n');
  }
}
