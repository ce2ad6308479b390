package io.ciphertalk.client;

import static io.ciphertalk.client.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.internal.ManualClock;
import io.ciphertalk.client.internal.ManualScheduler;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Devices that set up pairwise sessions with each other at the same time (crossed handshakes),
 * alone and through a new group's sender-key distribution: no envelope may be dropped as
 * undecryptable. {@link FakeHub#hold()} makes the sends simultaneous deterministically.
 */
class ClientSessionRaceTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeHub hub = new FakeHub(clock);
  private final List<CipherTalkClient> clients = new ArrayList<>();

  @AfterEach
  void closeAll() {
    clients.forEach(CipherTalkClient::close);
  }

  private final java.util.Map<String, CipherTalkClient> firstDevices = new java.util.HashMap<>();

  private CipherTalkClient client(Recorder r, String user, int device) throws Exception {
    CipherTalkClient c = CipherTalkClient.builder().link(hub.link())
        .clock(clock).scheduler(scheduler).deviceId(device).listener(r).prekeyBatch(5).build();
    clients.add(c);
    if (device == 1) {
      c.register(user, "pw-" + user);
    } else {
      c.login(user, "pw-" + user);
    }
    c.connect();
    if (device == 1) {
      firstDevices.put(user, c);
    } else {
      Recorder.link(c, r, firstDevices.get(user));
    }
    return c;
  }

  private void awaitQueued(DeviceAddress d, int n) {
    awaitTrue(() -> hub.queued(d) >= n, n + " messages queued for " + d);
  }

  private void assertNothingDropped() {
    for (CipherTalkClient c : clients) {
      assertThat(c.engine().stats().undecryptable()).as("undecryptable envelopes").isZero();
    }
  }

  @Test
  void twoDevicesThatStartSessionsToEachOtherAtOnce_dropNothing() throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice = client(ra, "alice", 1);
    CipherTalkClient bob = client(rb, "bob", 1);
    Room aRoom = alice.privateRoom("bob");
    awaitTrue(() -> bob.room(aRoom.id()).isPresent(), "bob sees the room");
    Room bRoom = bob.room(aRoom.id()).orElseThrow();

    hub.hold();
    MessageId fromAlice = aRoom.send("first from alice");
    MessageId fromBob = bRoom.send("first from bob");
    awaitQueued(new DeviceAddress("bob", 1), 1);
    awaitQueued(new DeviceAddress("alice", 1), 1);
    hub.release();

    rb.awaitText("first from alice");
    ra.awaitText("first from bob");
    // The delivery receipts travel on the sessions each side adopted.
    ra.await(ChatEvent.ReceiptReceived.class, e -> e.messageId().equals(fromAlice));
    rb.await(ChatEvent.ReceiptReceived.class, e -> e.messageId().equals(fromBob));
    for (int i = 0; i < 3; i++) {
      aRoom.send("a" + i);
      bRoom.send("b" + i);
    }
    rb.awaitText("a2");
    ra.awaitText("b2");
    awaitTrue(() -> rb.sawText("a0") && rb.sawText("a1") && ra.sawText("b0") && ra.sawText("b1"),
        "every message");
    assertNothingDropped();
  }

  @Test
  void newGroupWhoseMembersAllSendAtOnce_dropsNothing() throws Exception {
    Recorder ra1 = new Recorder("alice.1");
    Recorder ra2 = new Recorder("alice.2");
    Recorder rb = new Recorder("bob");
    Recorder rc = new Recorder("carol");
    CipherTalkClient alice1 = client(ra1, "alice", 1);
    CipherTalkClient alice2 = client(ra2, "alice", 2);
    CipherTalkClient bob = client(rb, "bob", 1);
    CipherTalkClient carol = client(rc, "carol", 1);
    // Alice and bob already have sessions; carol has none with anyone yet.
    alice1.privateRoom("bob").send("hi bob");
    rb.awaitText("hi bob");
    ra2.awaitText("hi bob");

    Room group = alice1.createGroup("friends", Set.of("bob", "carol"));
    for (CipherTalkClient c : List.of(alice2, bob, carol)) {
      awaitTrue(() -> c.room(group.id()).isPresent(), "group known");
    }
    hub.hold();
    group.send("g-alice1");
    alice2.room(group.id()).orElseThrow().send("g-alice2");
    bob.room(group.id()).orElseThrow().send("g-bob");
    carol.room(group.id()).orElseThrow().send("g-carol");
    awaitQueued(new DeviceAddress("carol", 1), 3);
    awaitQueued(new DeviceAddress("bob", 1), 3);
    hub.release();

    java.util.Map<Recorder, String> own = java.util.Map.of(ra1, "g-alice1", ra2, "g-alice2",
        rb, "g-bob", rc, "g-carol");
    for (Recorder r : own.keySet()) {
      for (String t : own.values()) {
        if (!t.equals(own.get(r))) {
          r.awaitText(t);
        }
      }
    }
    // A second round on the sessions and sender keys that are now in place.
    bob.room(group.id()).orElseThrow().send("g-bob-2");
    carol.room(group.id()).orElseThrow().send("g-carol-2");
    for (Recorder r : List.of(ra1, ra2, rc)) {
      r.awaitText("g-bob-2");
    }
    for (Recorder r : List.of(ra1, ra2, rb)) {
      r.awaitText("g-carol-2");
    }
    assertNothingDropped();
  }
}
