package io.ciphertalk.e2e;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.store.jdbi.Argon2Settings;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Bob's device as a process of its own, on the encrypted file store, for {@link KilledDeviceTest}
 * to kill with SIGKILL wherever it happens to be. Arguments: WebSocket port, HTTP port, store file,
 * {@code register} or {@code resume}. Prints one line per fact, flushed at once:
 * {@code READY} (connected), {@code GOT <text>} (each {@code onMessage}), {@code QUEUED <text>}
 * (each {@code send} that returned), {@code HIST <text>} ... {@code HIST-END}.
 *
 * <p>Commands on standard input: {@code send N PREFIX} (N texts PREFIX0000..., one {@code send}
 * each, to the private room with alice), {@code history ROOM}, {@code quit}.
 */
public final class KilledDeviceMain {
  private KilledDeviceMain() {}

  public static void main(String[] args) throws Exception {
    int wsPort = Integer.parseInt(args[0]);
    int httpPort = Integer.parseInt(args[1]);
    Path storeFile = Path.of(args[2]);
    boolean register = args[3].equals("register");
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    JdbiLocalStore store = JdbiLocalStore.builder().file(storeFile)
        .passphrase("bob's device passphrase".toCharArray()).argon2(new Argon2Settings(64, 1, 1)).open();
    CipherTalkClient bob = CipherTalkClient.builder()
        .serverUri(URI.create("ws://127.0.0.1:" + wsPort + "/ws"), URI.create("http://127.0.0.1:" + httpPort + "/"))
        .store(store)
        .listener(new ChatListener() {
          @Override
          public void onMessage(ChatEvent.MessageReceived e) {
            synchronized (out) {
              out.println("GOT " + e.message().text());
            }
          }
        }).build();
    if (register) {
      bob.register("bob", "bob-password-1");
    }
    bob.connect();
    synchronized (out) {
      out.println("READY");
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] cmd = line.split(" ");
      switch (cmd[0]) {
        case "send" -> {
          Room room = bob.privateRoom("alice");
          for (int i = 0; i < Integer.parseInt(cmd[1]); i++) {
            String text = String.format("%s%04d", cmd[2], i);
            room.send(text);
            synchronized (out) {
              out.println("QUEUED " + text);
            }
          }
        }
        case "history" -> {
          Room room = bob.room(cmd[1]).orElseThrow();
          List<Message> history = new java.util.ArrayList<>();
          for (List<Message> page = room.history(500); !page.isEmpty();
              page = room.historyBefore(page.get(0).id(), 500)) {
            history.addAll(0, page);
          }
          synchronized (out) {
            for (Message m : history) {
              out.println("HIST " + m.text());
            }
            out.println("HIST-END");
          }
        }
        case "quit" -> {
          bob.close();
          return;
        }
        default -> throw new IllegalArgumentException(line);
      }
    }
  }
}
