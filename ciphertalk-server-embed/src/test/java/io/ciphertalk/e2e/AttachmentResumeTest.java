package io.ciphertalk.e2e;

import static io.ciphertalk.e2e.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.client.Attachment;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.FileOptions;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import io.ciphertalk.client.TransferFailedException;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.WebSocketTransport;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupted transfers through the public SDK API, over real WebSockets (messages) and REST
 * (blobs), with a proxy in front of the server's HTTP port that resets connections in the middle
 * of an upload part or a download: the SDK resumes from the offset the server committed (an
 * upload) or with a range request from the first byte it lacks (a download), never from the
 * start; the file arrives intact; progress never goes back; and when the network keeps failing it
 * gives up with {@link TransferFailedException}, sending no message and leaving no file.
 */
class AttachmentResumeTest extends ChatScenario {
  private static final int MIB = 1024 * 1024;
  private static final Pattern PUT_OFFSET = Pattern.compile("/api/blobs/([0-9a-f]{32})\\?offset=(\\d+)");

  @TempDir Path dir;
  private CuttingProxy proxy;
  private Recorder rb;
  private CipherTalkClient alice;
  private CipherTalkClient bob;
  private Room room;

  @Override
  Supplier<Transport> transports(CipherTalkServer s) {
    URI uri = URI.create("ws://127.0.0.1:" + s.wsPort() + "/ws");
    return () -> WebSocketTransport.builder(uri).backoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
  }

  @BeforeEach
  void setUp() throws Exception {
    startServer(Files.createDirectories(dir.resolve("server")));
    proxy = new CuttingProxy(server.httpPort());
    URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port() + "/");
    rb = new Recorder("bob");
    alice = client("alice", new Recorder("alice"), 1, viaProxy);
    bob = client("bob", rb, 1, viaProxy);
    alice.register("alice", "password-alice");
    bob.register("bob", "password-bob");
    alice.connect();
    bob.connect();
    room = alice.createGroup("files", Set.of("bob"));
    awaitTrue(() -> bob.room(room.id()).isPresent(), "bob knows the room");
    bob.acceptInvite(room.id());
  }

  @AfterEach
  void tearDown() throws Exception {
    closeAll();
    proxy.close();
  }

  private Path file(String name, int size, long seed) throws Exception {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return Files.write(dir.resolve(name), b);
  }

  private Attachment received(Message sent) {
    return rb.await(ChatEvent.MessageReceived.class, e -> e.message().id().equals(sent.id())).attachment()
        .orElseThrow();
  }

  private static void assertMonotonic(List<Long> progress, long total) {
    assertThat(progress).isNotEmpty();
    for (int i = 1; i < progress.size(); i++) {
      assertThat(progress.get(i)).as("progress %s", progress).isGreaterThanOrEqualTo(progress.get(i - 1));
    }
    assertThat(progress).allSatisfy(p -> assertThat(p).isBetween(0L, total));
  }

  private List<Long> putOffsets(String blobId) {
    return proxy.requests().stream().filter(r -> r.method().equals("PUT")).map(r -> PUT_OFFSET.matcher(r.target()))
        .filter(Matcher::matches).filter(m -> m.group(1).equals(blobId)).map(m -> Long.parseLong(m.group(2))).toList();
  }

  private List<String> noPartFilesIn(Path d) throws Exception {
    try (Stream<Path> w = Files.list(d)) {
      return w.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part")).toList();
    }
  }

  @Test
  void uploadCutInTheMiddleOfAPart_resumesFromTheServersCommittedOffset_notFromTheStart() throws Exception {
    byte[] marker = "RESUMED-PLAINTEXT-MARKER".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] content = Files.readAllBytes(file("big.bin", 20 * MIB, 1));
    for (int at = 0; at + marker.length < content.length; at += MIB / 2) {
      System.arraycopy(marker, 0, content, at, marker.length);
    }
    Path src = Files.write(dir.resolve("big.bin"), content);
    List<Long> progress = new CopyOnWriteArrayList<>();
    // The SDK sends 8 MiB parts: the connection is reset 12 MiB in, halfway through the second part.
    proxy.cutUploadsAfter(12L * MIB, 1);
    Message sent = room.sendFile(src, "big.bin", "application/octet-stream",
        FileOptions.builder().listener((done, total) -> progress.add(done)).build());

    assertThat(proxy.cuts()).isEqualTo(1);
    Attachment a = received(sent);
    List<Long> offsets = putOffsets(a.blobId());
    long part = 8L * MIB;
    // The cut part is sent again from the first byte the server did not commit; the first part
    // (committed before the cut) is never sent twice.
    assertThat(offsets).containsExactly(0L, part, part, 2 * part);
    assertThat(proxy.requests()).anyMatch(r -> r.method().equals("GET")
        && r.target().equals("/api/blobs/" + a.blobId() + "/upload"));
    assertMonotonic(progress, 20L * MIB);
    assertThat(progress).last().isEqualTo(20L * MIB);

    Path got = dir.resolve("got.bin");
    bob.download(a, got, null, null);
    assertThat(Files.mismatch(src, got)).isEqualTo(-1);

    // Whatever the cut left on the server (the part it did not record included), its data
    // directory holds no plaintext: no piece of the file's content, not its name.
    List<Path> serverFiles;
    try (Stream<Path> w = Files.walk(dir.resolve("server"))) {
      serverFiles = w.filter(Files::isRegularFile).toList();
    }
    assertThat(serverFiles).isNotEmpty();
    for (Path p : serverFiles) {
      byte[] bytes = Files.readAllBytes(p);
      assertThat(AttachmentScenarioTest.indexOf(bytes, marker)).as("content in %s", p).isNegative();
      assertThat(AttachmentScenarioTest.indexOf(bytes, "big.bin".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .as("name in %s", p).isNegative();
    }
  }

  @Test
  void downloadCutTwice_resumesWithRangeRequests_andPublishesTheFileOnlyWhenVerified() throws Exception {
    Path src = file("d.bin", 20 * MIB, 2);
    Attachment a = received(room.sendFile(src, "d.bin", "application/octet-stream", FileOptions.none()));
    int before = proxy.requests().size();
    Path got = dir.resolve("got.bin");
    List<Long> progress = new CopyOnWriteArrayList<>();
    List<Boolean> targetSeenEarly = new CopyOnWriteArrayList<>();
    proxy.cutDownloadsAfter(6L * MIB, 2);
    bob.download(a, got, (done, total) -> {
      progress.add(done);
      targetSeenEarly.add(Files.exists(got));
    }, null);

    assertThat(proxy.cuts()).isEqualTo(2);
    assertThat(Files.mismatch(src, got)).isEqualTo(-1);
    assertThat(targetSeenEarly).as("the file appeared before it was verified").containsOnly(false);
    assertMonotonic(progress, 20L * MIB);
    assertThat(progress).last().isEqualTo(20L * MIB);
    List<CuttingProxy.Request> all = proxy.requests(); // one snapshot for both ends
    List<CuttingProxy.Request> gets = all.subList(before, all.size()).stream()
        .filter(r -> r.method().equals("GET") && r.target().equals("/api/blobs/" + a.blobId())).toList();
    assertThat(gets).hasSize(3);
    assertThat(gets.get(0).range()).isNull();
    long first = rangeStart(gets.get(1));
    long second = rangeStart(gets.get(2));
    // Each resume asks for the bytes after those already received (never from 0).
    assertThat(first).isGreaterThan(0).isLessThanOrEqualTo(6L * MIB);
    assertThat(second).isGreaterThan(first).isLessThanOrEqualTo(first + 6L * MIB);
    assertThat(noPartFilesIn(dir)).isEmpty();
  }

  private static long rangeStart(CuttingProxy.Request r) {
    assertThat(r.range()).as("a resumed GET carries a range").matches("bytes=\\d+-");
    return Long.parseLong(r.range().substring(6, r.range().length() - 1));
  }

  @Test
  void downloadThatKeepsBreaking_givesUpWithATypedError_andLeavesNoFile() throws Exception {
    Path src = file("e.bin", 12 * MIB, 3);
    Attachment a = received(room.sendFile(src, "e.bin", "application/octet-stream", FileOptions.none()));
    Path got = dir.resolve("got.bin");
    List<Long> progress = new CopyOnWriteArrayList<>();
    proxy.cutDownloadsAfter(4L * MIB, 1);
    assertThatThrownBy(() -> bob.download(a, got, (done, total) -> {
      progress.add(done);
      if (done >= MIB) {
        proxy.cutDownloadsAfter(0, 1_000); // from now on every connection breaks at once
      }
    }, null)).isInstanceOfSatisfying(TransferFailedException.class, e -> {
      assertThat(e.direction()).isEqualTo(TransferFailedException.Direction.DOWNLOAD);
      assertThat(e.blobId()).isEqualTo(a.blobId());
      assertThat(e.position()).isGreaterThanOrEqualTo(MIB).isLessThan(a.ciphertextSize());
      assertThat(e.attempts()).isEqualTo(6);
      assertThat(e.getCause()).isInstanceOf(java.io.IOException.class);
    });
    // Verified chunks were counted, but nothing was published as the file.
    assertThat(progress).last().isNotEqualTo(12L * MIB);
    assertMonotonic(progress, 12L * MIB);
    assertThat(got).doesNotExist();
    assertThat(noPartFilesIn(dir)).isEmpty();
  }

  @Test
  void uploadThatKeepsBreaking_givesUpWithATypedError_andSendsNoMessage() throws Exception {
    Path src = file("f.bin", 3 * MIB, 4);
    proxy.cutUploadsAfter(1024, 1_000);
    assertThatThrownBy(() -> room.sendFile(src, "f.bin", "application/octet-stream", FileOptions.none()))
        .isInstanceOfSatisfying(TransferFailedException.class, e -> {
          assertThat(e.direction()).isEqualTo(TransferFailedException.Direction.UPLOAD);
          assertThat(e.position()).isZero();
          assertThat(e.attempts()).isEqualTo(6);
        });
    proxy.cutUploadsAfter(-1, 0);
    room.send("after the failed upload");
    rb.awaitText("after the failed upload");
    assertThat(rb.all(ChatEvent.MessageReceived.class)).noneMatch(e -> e.attachment().isPresent());
  }
}
