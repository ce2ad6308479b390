package io.ciphertalk.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.MessageStatus;
import io.ciphertalk.server.CipherTalkServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost when a device's process dies: bob's device runs in a JVM of its own
 * on the encrypted file store ({@link KilledDeviceMain}) and is killed with SIGKILL (no shutdown
 * hook, no close) at arbitrary points while it catches up on thousands of queued messages and
 * while it sends. Every restart must open the store, and in the end bob's history holds every
 * message alice sent exactly once, no message was shown twice across the restarts, and alice
 * received every message whose {@code send} had returned on bob's device exactly once.
 *
 * <p>The server deletes a delivery once the device acknowledges it, and the device acknowledges
 * after its store transaction committed; so a commit that is not yet in the database file when
 * the process dies (H2 keeps commits in memory for up to {@code WRITE_DELAY}, 500 ms by default)
 * loses acknowledged messages for good. This test is what showed it.
 */
class KilledDeviceTest {
  static final int QUEUED = 4_000;
  static final Duration BOUND = Duration.ofSeconds(90);

  @Test
  void deviceKilledMidCatchUpAndMidSend_losesNothing_showsNothingTwice_andSendsEachOnce(@TempDir Path dir)
      throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    System.out.println("KilledDeviceTest seed " + seed);
    try (CipherTalkServer server = CipherTalkServer.builder().wsPort(0).httpPort(0).bindAddress("127.0.0.1")
        .dataDirectory(dir.resolve("server")).passwordHashing(64, 1).rateLimit(1_000_000, 1_000_000).build().start()) {
      URI ws = URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
      URI http = URI.create("http://127.0.0.1:" + server.httpPort() + "/");
      Set<MessageId> committed = ConcurrentHashMap.newKeySet();
      Map<String, AtomicInteger> aliceGot = new ConcurrentHashMap<>();
      try (CipherTalkClient alice = CipherTalkClient.builder().serverUri(ws, http)
          .listener(new ChatListener() {
            @Override
            public void onMessageStatus(ChatEvent.MessageStatusChanged e) {
              if (e.state().status() != MessageStatus.QUEUED && e.state().status() != MessageStatus.FAILED) {
                committed.add(e.messageId());
              }
            }

            @Override
            public void onMessage(ChatEvent.MessageReceived e) {
              aliceGot.computeIfAbsent(e.message().text(), t -> new AtomicInteger()).incrementAndGet();
            }
          }).build()) {
        alice.register("alice", "alice-password");
        alice.connect();
        Path store = dir.resolve("bob");
        List<Device> runs = new ArrayList<>();

        // First run: bob registers, receives a first message, and is killed.
        Device first = Device.start(server, store, "register", runs);
        first.awaitLine("READY");
        Room room = alice.privateRoom("bob");
        committed.clear();
        room.send("hello");
        first.awaitLine("GOT hello");
        first.kill();

        // While bob is away, alice queues QUEUED messages, all committed by the server.
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < QUEUED; i++) {
          String text = String.format("r%04d", i);
          expected.add(text);
          room.send(text);
        }
        await(() -> committed.size() == QUEUED + 1, () -> "server committed " + committed.size());

        // Catch-up, killed four times: right after connecting, then after a random number of
        // messages shown in that run.
        int[] killAfter = {0, 1 + random.nextInt(600), 1 + random.nextInt(600), 1 + random.nextInt(600)};
        for (int k : killAfter) {
          Device d = Device.start(server, store, "resume", runs);
          d.awaitLine("READY");
          await(() -> d.count("GOT r") >= k || shownOnce(runs, "GOT r") >= QUEUED,
              () -> "run " + runs.size() + " showed " + d.count("GOT r"));
          d.kill();
        }
        assertThat(shownOnce(runs, "GOT r")).as("the kills came before the catch-up ended").isLessThan(QUEUED);

        // Sending, killed after a random number of sends returned.
        Device sender = Device.start(server, store, "resume", runs);
        sender.awaitLine("READY");
        int sends = 1 + random.nextInt(300);
        sender.command("send 5000 s");
        await(() -> sender.count("QUEUED s") >= sends, () -> "sends returned " + sender.count("QUEUED s"));
        sender.kill();
        List<String> queuedSends = sender.values("QUEUED ");

        // The last run: everything arrives, then bob's history is read back.
        Device last = Device.start(server, store, "resume", runs);
        last.awaitLine("READY");
        await(() -> queuedSends.stream().allMatch(aliceGot::containsKey),
            () -> "alice got " + aliceGot.size() + " of the " + queuedSends.size() + " returned sends");
        await(() -> gauge(server, "ciphertalk_direct_queue_depth") == 0,
            () -> "queue depth " + gauge(server, "ciphertalk_direct_queue_depth"));
        last.command("history " + room.id());
        last.awaitLine("HIST-END");
        List<String> history = last.values("HIST ");
        last.command("quit");
        assertThat(last.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        for (Device d : runs) {
          assertThat(d.lines()).as("run %d opened its store after the kill", d.index).contains("READY");
        }
        List<String> received = history.stream().filter(t -> t.startsWith("r")).toList();
        assertThat(received).as("bob's history: every queued message, once").hasSize(QUEUED)
            .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        List<String> shown = new ArrayList<>();
        runs.forEach(d -> shown.addAll(d.values("GOT r")));
        assertThat(shown).as("no message shown twice across the restarts").doesNotHaveDuplicates();
        for (String s : queuedSends) {
          assertThat(aliceGot.get(s).get()).as("%s reached alice once", s).isEqualTo(1);
          assertThat(history).as("%s is in bob's own history", s).containsOnlyOnce(s);
        }
        aliceGot.forEach((text, n) -> assertThat(n.get()).as("%s at most once", text).isEqualTo(1));
      }
    }
  }

  private static int shownOnce(List<Device> runs, String prefix) {
    Set<String> all = new java.util.HashSet<>();
    runs.forEach(d -> all.addAll(d.values(prefix)));
    return all.size();
  }

  /** One run of bob's device process and every line it printed. */
  static final class Device {
    final Process process;
    final int index;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private Device(Process process, int index) {
      this.process = process;
      this.index = index;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the process was killed
        }
      }, "device-" + index + "-output");
      reader.setDaemon(true);
      reader.start();
    }

    static Device start(CipherTalkServer server, Path store, String mode, List<Device> runs) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          KilledDeviceMain.class.getName(), Integer.toString(server.wsPort()), Integer.toString(server.httpPort()),
          store.toString(), mode)).redirectErrorStream(true).start();
      Device d = new Device(p, runs.size());
      runs.add(d);
      return d;
    }

    List<String> lines() {
      synchronized (lines) {
        return new ArrayList<>(lines);
      }
    }

    int count(String prefix) {
      return (int) lines().stream().filter(l -> l.startsWith(prefix)).count();
    }

    /** The rest of each line that starts with {@code prefix} ("GOT r" keeps the "r"). */
    List<String> values(String prefix) {
      int cut = prefix.endsWith(" ") ? prefix.length() : prefix.lastIndexOf(' ') + 1;
      return lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(cut)).toList();
    }

    void awaitLine(String line) {
      await(() -> lines().contains(line) || !process.isAlive() && lines().contains(line),
          () -> "run " + index + " never printed " + line + " (alive " + process.isAlive() + "): " + tail());
    }

    void command(String line) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    /** SIGKILL: no shutdown hook, no store close, whatever was in flight. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private String tail() {
      List<String> all = lines();
      return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
    }
  }

  private static long gauge(CipherTalkServer server, String name) {
    return Waits.gauge(server, name);
  }

  private static void await(BooleanSupplier condition, Supplier<String> what) {
    Waits.await(condition, what, BOUND);
  }
}
