package io.ciphertalk.e2e;

import static io.ciphertalk.e2e.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.client.Attachment;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.FileOptions;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.client.Room;
import io.ciphertalk.client.Transfer;
import io.ciphertalk.client.TransferFailedException;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.WebSocketTransport;
import io.ciphertalk.crypto.attachment.AttachmentIntegrityException;
import io.ciphertalk.server.CipherTalkServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encrypted attachments between two SDK clients over real WebSockets (messages) and REST (blobs)
 * against the embedded server, and what a hostile server or a stranger can do about them.
 */
class AttachmentScenarioTest extends ChatScenario {
  private static final String NAME_MARKER = "SECRET-NAME-MARKER";
  private static final byte[] CONTENT_MARKER = "SECRET-CONTENT-MARKER".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private Path data;
  private Recorder ra;
  private Recorder rb;
  private Recorder rc;
  private CipherTalkClient alice;
  private CipherTalkClient bob;
  private CipherTalkClient carol;
  private Room room;

  @Override
  Supplier<Transport> transports(CipherTalkServer s) {
    URI uri = URI.create("ws://127.0.0.1:" + s.wsPort() + "/ws");
    return () -> WebSocketTransport.builder(uri).backoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
  }

  @BeforeEach
  void setUp() throws Exception {
    data = Files.createDirectories(dir.resolve("server"));
    startServer(data);
    ra = new Recorder("alice");
    rb = new Recorder("bob");
    rc = new Recorder("carol");
    alice = client("alice", ra, 1);
    bob = client("bob", rb, 1);
    carol = client("carol", rc, 1);
    alice.register("alice", "password-alice");
    bob.register("bob", "password-bob");
    carol.register("carol", "password-carol");
    for (CipherTalkClient c : List.of(alice, bob, carol)) {
      c.connect();
    }
    room = alice.createGroup("files", Set.of("bob"));
    awaitTrue(() -> bob.room(room.id()).isPresent(), "bob knows the room");
    bob.acceptInvite(room.id());
  }

  @AfterEach
  void tearDown() {
    closeAll();
  }

  private static byte[] content(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    if (n >= CONTENT_MARKER.length * 3) {
      System.arraycopy(CONTENT_MARKER, 0, b, n / 2, CONTENT_MARKER.length);
    }
    return b;
  }

  private ChatEvent.MessageReceived awaitFile(Recorder r, Message sent) {
    return r.await(ChatEvent.MessageReceived.class, e -> e.message().id().equals(sent.id()));
  }

  @Test
  void filesAroundEveryBoundary_roundTrip_andTheServersDataHoldsNoNameOrContent() throws Exception {
    int chunk = 64 * 1024;
    int[] sizes = {0, 1, chunk - 1, chunk, chunk + 1, 8 * 1024 * 1024 + 100};
    List<Path> received = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      byte[] original = content(sizes[i], i);
      Path src = Files.write(dir.resolve("src-" + i), original);
      String name = NAME_MARKER + "-" + i + ".bin";
      List<Long> progress = new ArrayList<>();
      Message sent = room.sendFile(src, name, "application/octet-stream",
          FileOptions.builder().listener((done, total) -> progress.add(done)).build());
      assertThat(sent.text()).isEqualTo(name);
      assertThat(progress).isNotEmpty().last().isEqualTo((long) sizes[i]);
      ChatEvent.MessageReceived got = awaitFile(rb, sent);
      Attachment a = got.attachment().orElseThrow();
      assertThat(a.name()).isEqualTo(name);
      assertThat(a.size()).isEqualTo(sizes[i]);
      assertThat(a.mimeType()).isEqualTo("application/octet-stream");
      assertThat(bob.attachment(sent.id())).map(Attachment::blobId).contains(a.blobId());
      Path target = dir.resolve("got-" + i);
      bob.download(a, target, null, null);
      assertThat(Files.readAllBytes(target)).as("size %d", sizes[i]).isEqualTo(original);
      received.add(target);
      ByteArrayOutputStream viaStream = new ByteArrayOutputStream();
      assertThat(alice.download(a, viaStream, null, null)).isEqualTo(sizes[i]);
      assertThat(viaStream.toByteArray()).isEqualTo(original);
    }
    // An InputStream of unknown length goes through an encrypted spool file.
    byte[] streamed = content(200_000, 99);
    Message s = room.sendFile(new ByteArrayInputStream(streamed), NAME_MARKER + ".stream", "text/plain",
        FileOptions.none());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    bob.download(awaitFile(rb, s).attachment().orElseThrow(), out, null, null);
    assertThat(out.toByteArray()).isEqualTo(streamed);

    // Nothing the server keeps (database files, blobs) holds a file name or file content.
    List<Path> serverFiles;
    try (Stream<Path> w = Files.walk(data)) {
      serverFiles = w.filter(Files::isRegularFile).toList();
    }
    assertThat(serverFiles).anyMatch(p -> p.getParent().getFileName().toString().equals("blobs"));
    byte[] name = NAME_MARKER.getBytes(StandardCharsets.UTF_8);
    byte[] name16 = NAME_MARKER.getBytes(StandardCharsets.UTF_16BE);
    for (Path p : serverFiles) {
      byte[] bytes = Files.readAllBytes(p);
      assertThat(indexOf(bytes, name)).as("name in %s", p).isNegative();
      assertThat(indexOf(bytes, name16)).as("UTF-16 name in %s", p).isNegative();
      assertThat(indexOf(bytes, CONTENT_MARKER)).as("content in %s", p).isNegative();
    }
    assertThat(frames).noneMatch(f -> f.contains(NAME_MARKER));
  }

  @Test
  void nonMember_withALeakedDescriptor_cannotDownload() throws Exception {
    Message sent = room.sendFile(Files.write(dir.resolve("a"), content(1000, 1)), "a.bin", "application/pdf",
        FileOptions.none());
    Attachment a = awaitFile(rb, sent).attachment().orElseThrow();
    Path target = dir.resolve("stolen");
    assertThatThrownBy(() -> carol.download(a, target, null, null))
        .isInstanceOf(RequestFailedException.class)
        .satisfies(e -> assertThat(((RequestFailedException) e).code()).isEqualTo("not_found"));
    assertThat(target).doesNotExist();
    assertThatThrownBy(() -> carol.room(room.id()).orElseThrow().sendFile(dir.resolve("a"), "x", "a/b", FileOptions.none()))
        .isInstanceOf(java.util.NoSuchElementException.class);
  }

  @Test
  void hostileServer_flippingABitOrTruncatingTheBlob_orAWrongKey_isRejected_andLeavesNoFile() throws Exception {
    byte[] original = content(300_000, 2);
    Message sent = room.sendFile(Files.write(dir.resolve("b"), original), "b.bin", "application/octet-stream",
        FileOptions.none());
    Attachment a = awaitFile(rb, sent).attachment().orElseThrow();
    Path blob = data.resolve("blobs").resolve(a.blobId());
    byte[] stored = Files.readAllBytes(blob);
    assertThat(stored).hasSize((int) a.ciphertextSize());

    stored[200_000] ^= 0x10;
    Files.write(blob, stored);
    Path target = dir.resolve("b-got");
    assertThatThrownBy(() -> bob.download(a, target, null, null))
        .isInstanceOfSatisfying(AttachmentIntegrityException.class,
            e -> assertThat(e.reason()).isEqualTo(AttachmentIntegrityException.Reason.TAMPERED));
    assertThat(target).doesNotExist();
    try (Stream<Path> w = Files.list(dir)) {
      assertThat(w.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }

    stored[200_000] ^= 0x10;
    Files.write(blob, java.util.Arrays.copyOf(stored, stored.length - 100));
    // A short blob cannot be told from a broken server: after its range retries the download
    // gives up, with the position it reached (never the whole file).
    assertThatThrownBy(() -> bob.download(a, target, null, null))
        .isInstanceOfSatisfying(TransferFailedException.class,
            e -> assertThat(e.position()).isLessThan(a.ciphertextSize()));
    assertThat(target).doesNotExist();

    Files.write(blob, stored);
    String json = new String(a.encode(), StandardCharsets.UTF_8);
    String otherKey = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
    Attachment wrongKey = Attachment.decode(json.replaceFirst("\"k\":\"[^\"]+\"", "\"k\":\"" + otherKey + "\"")
        .getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> bob.download(wrongKey, target, null, null))
        .isInstanceOf(AttachmentIntegrityException.class);
    bob.download(a, target, null, null);
    assertThat(Files.readAllBytes(target)).isEqualTo(original);
  }

  @Test
  void selfDestructingFile_expiresOnTheServerAndOnTheDevices_andDeleteForEveryoneRemovesTheBlob() throws Exception {
    // bob has a second device: "every device" includes it.
    Recorder rb2 = new Recorder("bob.2");
    CipherTalkClient bob2 = client("bob.2", rb2, 2);
    bob2.login("bob", "password-bob");
    bob2.connect();
    Recorder.link(bob2, rb2, bob);
    room.send("hello both devices");
    rb2.awaitText("hello both devices");
    Message sent = room.sendFile(Files.write(dir.resolve("c"), content(5000, 3)), "c.bin", "application/octet-stream",
        FileOptions.builder().expiresAfter(Duration.ofMinutes(1)).build());
    Attachment a = awaitFile(rb, sent).attachment().orElseThrow();
    assertThat(awaitFile(rb2, sent).attachment()).map(Attachment::blobId).contains(a.blobId());
    Path blob = data.resolve("blobs").resolve(a.blobId());
    assertThat(blob).exists();
    scheduler.advance(Duration.ofMinutes(2));
    server.sweepExpired();
    assertThat(blob).doesNotExist();
    awaitTrue(() -> bob.attachment(sent.id()).isEmpty(), "bob's device forgot the attachment");
    awaitTrue(() -> bob2.attachment(sent.id()).isEmpty(), "bob's second device forgot the attachment");
    awaitTrue(() -> alice.attachment(sent.id()).isEmpty(), "the sender's device forgot the attachment too");
    assertThat(bob.room(room.id()).orElseThrow().history(50)).noneMatch(m -> m.id().equals(sent.id()));
    assertThat(room.history(50)).noneMatch(m -> m.id().equals(sent.id()));
    assertThatThrownBy(() -> bob.download(a, dir.resolve("late"), null, null)).isInstanceOf(RequestFailedException.class);

    Message kept = room.sendFile(Files.write(dir.resolve("d"), content(5000, 4)), "d.bin", "application/octet-stream",
        FileOptions.none());
    Attachment k = awaitFile(rb, kept).attachment().orElseThrow();
    Path keptBlob = data.resolve("blobs").resolve(k.blobId());
    assertThat(keptBlob).exists();
    room.deleteForEveryone(kept.id());
    assertThat(keptBlob).doesNotExist();
    rb.await(ChatEvent.MessageDeleted.class, e -> e.messageId().equals(kept.id()));
    awaitTrue(() -> bob.attachment(kept.id()).isEmpty(), "bob's device forgot the deleted attachment");
  }

  @Test
  void image_getsAnEncryptedThumbnail_andACancelledUpload_sendsNothing() throws Exception {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(800, 400, java.awt.image.BufferedImage.TYPE_INT_RGB);
    img.setRGB(10, 10, 0xff0000);
    Path png = dir.resolve("p.png");
    javax.imageio.ImageIO.write(img, "png", png.toFile());
    Message sent = room.sendFile(png, "p.png", "image/png", FileOptions.none());
    Attachment a = awaitFile(rb, sent).attachment().orElseThrow();
    assertThat(a.isImage()).isTrue();
    java.awt.image.BufferedImage thumb = javax.imageio.ImageIO.read(new ByteArrayInputStream(a.thumbnail().orElseThrow()));
    assertThat(thumb.getWidth()).isEqualTo(160);
    assertThat(thumb.getHeight()).isEqualTo(80);

    Transfer t = new Transfer();
    Path big = Files.write(dir.resolve("big"), content(12 * 1024 * 1024, 5));
    int before = rb.all(ChatEvent.MessageReceived.class).size();
    assertThatThrownBy(() -> room.sendFile(big, "big.bin", "application/octet-stream",
        FileOptions.builder().transfer(t).listener((done, total) -> {
          if (done > 0) {
            t.cancel();
          }
        }).build())).isInstanceOf(CancellationException.class);
    room.send("after the cancel");
    rb.awaitText("after the cancel");
    assertThat(rb.all(ChatEvent.MessageReceived.class)).hasSize(before + 1);
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
