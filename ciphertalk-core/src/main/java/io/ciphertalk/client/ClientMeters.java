package io.ciphertalk.client;

import io.ciphertalk.client.internal.ClientEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A client's meters in the host's registry, read from the engine's counters when the registry
 * samples them; removed again on {@link #close()}. Package-private: the API is
 * {@link CipherTalkClient.Builder#meterRegistry}.
 */
final class ClientMeters implements AutoCloseable {
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  // Function counters hold their state object weakly: the client holds it for them.
  private final Supplier<ClientEngine.Stats> stats;

  private ClientMeters(MeterRegistry registry, Supplier<ClientEngine.Stats> stats) {
    this.registry = registry;
    this.stats = stats;
  }

  static ClientMeters bind(MeterRegistry registry, Tags tags, Supplier<ClientEngine.Stats> stats) {
    ClientMeters m = new ClientMeters(registry, stats);
    m.counter("ciphertalk.client.messages.sent", "Messages and control messages the server stored.",
        tags, stats, s -> s.sent());
    m.counter("ciphertalk.client.messages.delivered", "Messages and control messages decrypted and handled.",
        tags, stats, s -> s.delivered());
    m.counter("ciphertalk.client.messages.duplicates", "Redeliveries recognised and dropped.",
        tags, stats, s -> s.duplicates());
    m.counter("ciphertalk.client.decrypt.failures", "Messages that could not be decrypted and were dropped.",
        tags, stats, s -> s.undecryptable());
    m.gauge("ciphertalk.client.outbox.depth", "Entries waiting in the outbox.", tags, stats, s -> s.outbox());
    m.gauge("ciphertalk.client.held.group.messages", "Group messages waiting for their sender's key.",
        tags, stats, s -> s.pendingGroup());
    return m;
  }

  private void counter(String name, String help, Tags tags, Supplier<ClientEngine.Stats> stats,
      ToDoubleFunction<ClientEngine.Stats> value) {
    meters.add(FunctionCounter.builder(name, stats, s -> value.applyAsDouble(s.get()))
        .description(help).tags(tags).register(registry));
  }

  private void gauge(String name, String help, Tags tags, Supplier<ClientEngine.Stats> stats,
      ToDoubleFunction<ClientEngine.Stats> value) {
    meters.add(Gauge.builder(name, stats, s -> value.applyAsDouble(s.get()))
        .description(help).tags(tags).strongReference(true).register(registry));
  }

  Supplier<ClientEngine.Stats> stats() {
    return stats;
  }

  @Override
  public void close() {
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
  }
}
