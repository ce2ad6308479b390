package io.ciphertalk.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** A listener that records every event, with bounded polling helpers for tests. */
final class Recorder implements ChatListener {
  final String name;
  final List<ChatEvent> events = new CopyOnWriteArrayList<>();

  Recorder(String name) {
    this.name = name;
  }

  @Override
  public void onEvent(ChatEvent event) {
    events.add(event);
  }

  <T extends ChatEvent> List<T> all(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends ChatEvent> List<T> all(Class<T> type, Predicate<T> p) {
    return all(type).stream().filter(p).toList();
  }

  <T extends ChatEvent> T await(Class<T> type, Predicate<T> p) {
    awaitTrue(() -> !all(type, p).isEmpty(), name + " waiting for " + type.getSimpleName()
        + " has " + events.stream().map(e -> e.getClass().getSimpleName()).toList());
    return all(type, p).get(0);
  }

  ChatEvent.MessageReceived awaitText(String text) {
    return await(ChatEvent.MessageReceived.class, e -> e.message().text().equals(text));
  }

  boolean sawText(String text) {
    return !all(ChatEvent.MessageReceived.class, e -> e.message().text().equals(text)).isEmpty();
  }

  /**
   * Links {@code newDevice} (connected, holding no account key) from {@code existing}: the code it
   * shows is approved there, and both must show the same confirmation code.
   */
  static void link(CipherTalkClient newDevice, Recorder newDeviceEvents, CipherTalkClient existing)
      throws CipherTalkException {
    newDeviceEvents.await(ChatEvent.LinkingRequired.class, e -> true);
    String code = newDevice.startLinking().text();
    String confirm = existing.approveLink(code);
    newDeviceEvents.await(ChatEvent.LinkCompleted.class, e -> e.confirmationCode().equals(confirm));
  }

  static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }
}
