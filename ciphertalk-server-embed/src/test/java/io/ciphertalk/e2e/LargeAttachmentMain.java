package io.ciphertalk.e2e;

import io.ciphertalk.client.Attachment;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.FileOptions;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends one large file from alice to bob through a running server and downloads it again, in
 * whatever heap this JVM was given: {@link LargeAttachmentTest} runs it with {@code -Xmx64m}; the
 * 1 GiB figure in benchmarks/README.md comes from running it by hand (see there). Prints
 * {@code OK <bytes> send=<s> receive=<s> heapMax=<bytes>} and exits 0, or exits 1.
 *
 * <p>Arguments: HTTP port, WebSocket port, size in MiB, working directory, user-name suffix.
 */
public final class LargeAttachmentMain {
  private LargeAttachmentMain() {}

  public static void main(String[] args) throws Exception {
    int httpPort = Integer.parseInt(args[0]);
    int wsPort = Integer.parseInt(args[1]);
    long size = Long.parseLong(args[2]) * 1024 * 1024;
    Path work = Path.of(args[3]);
    String suffix = args.length > 4 ? args[4] : "";
    URI ws = URI.create("ws://127.0.0.1:" + wsPort + "/ws");
    URI http = URI.create("http://127.0.0.1:" + httpPort + "/");
    CompletableFuture<Attachment> arrived = new CompletableFuture<>();
    ChatListener listener = new ChatListener() {
      @Override
      public void onMessage(ChatEvent.MessageReceived e) {
        e.attachment().ifPresent(arrived::complete);
      }
    };
    try (CipherTalkClient alice = CipherTalkClient.builder().serverUri(ws, http).requestTimeout(Duration.ofSeconds(30)).build();
        CipherTalkClient bob = CipherTalkClient.builder().serverUri(ws, http).listener(listener)
            .requestTimeout(Duration.ofSeconds(30)).build()) {
      alice.register("alice" + suffix, "password-alice");
      bob.register("bob" + suffix, "password-bob");
      alice.connect();
      bob.connect();
      Room room = alice.createGroup("large", Set.of("bob" + suffix));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (bob.room(room.id()).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      bob.acceptInvite(room.id());
      Path src = work.resolve("large.src");
      byte[] sourceDigest = writePattern(src, size);
      long t0 = System.nanoTime();
      Message sent = room.sendFile(src, "large.bin", "application/octet-stream", FileOptions.none());
      long t1 = System.nanoTime();
      Attachment a = arrived.get(60, TimeUnit.SECONDS);
      if (!a.blobId().equals(alice.attachment(sent.id()).orElseThrow().blobId())) {
        throw new AssertionError("bob got another attachment");
      }
      Path got = work.resolve("large.got");
      long t2 = System.nanoTime();
      bob.download(a, got, null, null);
      long t3 = System.nanoTime();
      byte[] gotDigest = sha256(got);
      if (!MessageDigest.isEqual(sourceDigest, gotDigest) || Files.size(got) != size) {
        System.out.println("MISMATCH " + HexFormat.of().formatHex(gotDigest));
        System.exit(1);
      }
      Files.delete(src);
      Files.delete(got);
      System.out.printf("OK %d send=%.2f receive=%.2f heapMax=%d%n", size, (t1 - t0) / 1e9, (t3 - t2) / 1e9,
          Runtime.getRuntime().maxMemory());
    }
    System.exit(0);
  }

  private static byte[] writePattern(Path p, long size) throws IOException, Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    java.util.Random r = new java.util.Random(19);
    try (OutputStream out = Files.newOutputStream(p)) {
      for (long done = 0; done < size; ) {
        r.nextBytes(buf);
        int n = (int) Math.min(buf.length, size - done);
        out.write(buf, 0, n);
        sha.update(buf, 0, n);
        done += n;
      }
    }
    return sha.digest();
  }

  private static byte[] sha256(Path p) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(p)) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return sha.digest();
  }
}
