package io.ciphertalk.server.internal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The server's meters, registered in a Micrometer {@link MeterRegistry}: the host's, or, when the
 * host gives none, a private {@link PrometheusMeterRegistry} whose scrape {@code GET /metrics}
 * serves. Meter names are dotted ({@code ciphertalk.messages.routed}); the Prometheus registry
 * writes them as documented in docs/server-guide.md ({@code ciphertalk_messages_routed_total}).
 * Thread-safe.
 */
public final class Metrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final boolean ownRegistry;
  private final PrometheusMeterRegistry prometheus;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private final Counter authFailures;
  private final Counter messagesRouted;
  private final Counter messagesDelivered;
  private final Counter framesRejected;
  private final Counter slowConsumerDisconnects;
  private final Counter rateLimited;
  private final Counter connectionsRefused;
  private final Timer deliveryLatency;
  private final Clock clock;
  private final MinuteSeries minutes = new MinuteSeries();

  /**
   * Meters in the host's registry (null: a private Prometheus registry); {@code clock} (the
   * server's) times deliveries and places them in {@link #minutes()}.
   */
  public Metrics(MeterRegistry hostRegistry, Clock clock) {
    this.clock = clock;
    this.ownRegistry = hostRegistry == null;
    this.registry = ownRegistry ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : hostRegistry;
    this.prometheus = findPrometheus(registry).orElse(null);
    authFailures = counter("ciphertalk.auth.failures", "Failed logins and token checks.");
    messagesRouted = counter("ciphertalk.messages.routed", "Messages durably accepted from senders.");
    messagesDelivered = counter("ciphertalk.messages.delivered", "Envelopes written to recipient connections.");
    framesRejected = counter("ciphertalk.frames.rejected", "Frames refused as malformed, oversize or unauthorised.");
    slowConsumerDisconnects = counter("ciphertalk.slow.consumer.disconnects",
        "Connections closed for exceeding the outbound buffer.");
    rateLimited = counter("ciphertalk.rate.limited", "Frames refused by the per-connection rate limit.");
    connectionsRefused = counter("ciphertalk.connections.refused",
        "Connections refused or closed by a network limit or a protocol violation.");
    // A summary with client-side p50/p99 over about the last minute (Prometheus: quantile labels).
    deliveryLatency = Timer.builder("ciphertalk.delivery.latency")
        .description("Time from accepting a message to writing it to a recipient device's connection.")
        .publishPercentiles(0.5, 0.99).distributionStatisticExpiry(Duration.ofMinutes(1))
        .distributionStatisticBufferLength(2).register(registry);
    meters.add(deliveryLatency);
  }

  private static Optional<PrometheusMeterRegistry> findPrometheus(MeterRegistry r) {
    if (r instanceof PrometheusMeterRegistry p) {
      return Optional.of(p);
    }
    if (r instanceof CompositeMeterRegistry c) {
      for (MeterRegistry child : c.getRegistries()) {
        Optional<PrometheusMeterRegistry> p = findPrometheus(child);
        if (p.isPresent()) {
          return p;
        }
      }
    }
    return Optional.empty();
  }

  private Counter counter(String name, String help) {
    Counter c = Counter.builder(name).description(help).register(registry);
    meters.add(c);
    return c;
  }

  public void authFailure() {
    authFailures.increment();
  }

  public void messageRouted() {
    messagesRouted.increment();
    minutes.message(clock.millis());
  }

  /** A message accepted at {@code acceptedAtMillis} (server clock) was written to a device's connection. */
  public void messageDelivered(long acceptedAtMillis) {
    messagesDelivered.increment();
    long now = clock.millis();
    long latency = Math.max(0, now - acceptedAtMillis);
    deliveryLatency.record(latency, java.util.concurrent.TimeUnit.MILLISECONDS);
    minutes.delivery(now, latency);
  }

  /** This node's messages, deliveries and delivery latencies per minute (administrators' statistics). */
  public MinuteSeries.Snapshot minutes() {
    return minutes.snapshot(clock.millis());
  }

  public void frameRejected() {
    framesRejected.increment();
  }

  public void slowConsumer() {
    slowConsumerDisconnects.increment();
  }

  public void rateLimited() {
    rateLimited.increment();
  }

  /** A connection refused or closed by a network limit (caps, budgets, handshake, protocol violations). */
  public void connectionRefused() {
    connectionsRefused.increment();
  }

  /**
   * Registers a gauge sampled when the registry reads it. The registry holds the supplier strongly
   * until {@link #close()}; a supplier that throws reads as NaN (Micrometer logs it once).
   */
  public void gauge(String name, String help, LongSupplier supplier) {
    meters.add(Gauge.builder(name, supplier, s -> s.getAsLong()).description(help).strongReference(true)
        .register(registry));
  }

  /** The Prometheus text of the registry, if it is (or contains) a Prometheus registry. */
  public Optional<String> prometheusText() {
    return prometheus == null ? Optional.empty() : Optional.of(prometheus.scrape());
  }

  /**
   * Removes this server's meters from the host's registry (a stopped server's gauges would read a
   * closed database), or closes the private registry.
   */
  @Override
  public void close() {
    if (ownRegistry) {
      registry.close();
      return;
    }
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
  }
}
