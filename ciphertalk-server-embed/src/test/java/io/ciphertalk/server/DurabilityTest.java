package io.ciphertalk.server;

import static io.ciphertalk.server.Fixtures.createRoom;
import static io.ciphertalk.server.Fixtures.publish;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.server.internal.auth.AccountService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledged messages survive a restart on the same H2 file; the file and logs hold no plaintext or token. */
class DurabilityTest {
  private static final String MARKER = "PLAINTEXT-MARKER-7f3a9c";

  private static byte[] encrypt(SecretBytes key, String text) throws Exception {
    return AesGcm.create(key).sealWithRandomNonce(text.getBytes(StandardCharsets.UTF_8), new byte[0],
        RandomSource.secure());
  }

  private static CipherTalkServer server(Path dir) {
    return CipherTalkServer.builder().wsPort(0).httpPort(0).bindAddress("127.0.0.1").dataDirectory(dir)
        .passwordHashing(64, 1).build().start();
  }

  @Test
  void acknowledgedMessages_surviveRestart_andReachRecipientsOfflineThroughout_withNoSecretsOnDisk(
      @TempDir Path dir) throws Exception {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new TeeStream(originalErr, logs), true, StandardCharsets.UTF_8));
    SecretBytes key = SecretBytes.random(32, RandomSource.secure());
    byte[] directCt = encrypt(key, MARKER + " direct");
    byte[] groupCt = encrypt(key, MARKER + " group");
    String aliceToken;
    String bobToken;
    String carolToken;
    MessageId direct = RawClient.newMessageId();
    MessageId group = RawClient.newMessageId();
    String groupRoom;
    try {
      try (CipherTalkServer s = server(dir)) {
        aliceToken = TestServers.account(s, "alice");
        bobToken = TestServers.account(s, "bob");
        carolToken = TestServers.account(s, "carol");
        try (RawClient b = RawClient.login(s, bobToken, 1)) {
          publish(b, 2, 1);
        }
        try (RawClient a = RawClient.login(s, aliceToken, 1)) {
          String privateRoom = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
          groupRoom = createRoom(a, RoomKind.GROUP, "team", "bob", "carol").room().roomId();
          assertThat(a.call(id -> new Frame.Send(id, direct, privateRoom, null,
              List.of(new Recipient(new DeviceAddress("bob", 1), Bytes.of(directCt)))))).isInstanceOf(Frame.Sent.class);
          String gr = groupRoom;
          assertThat(a.call(id -> new Frame.SendGroup(id, group, gr, null, Bytes.of(groupCt))))
              .isInstanceOf(Frame.Sent.class);
        }
      }
      // Restart on the same file; bob and carol were offline throughout.
      try (CipherTalkServer s = server(dir)) {
        try (RawClient b = RawClient.login(s, bobToken, 1)) {
          Frame.Deliver d1 = b.awaitType(Frame.Deliver.class);
          Frame.Deliver d2 = b.awaitType(Frame.Deliver.class);
          assertThat(List.of(d1.delivery().messageId(), d2.delivery().messageId())).containsExactlyInAnyOrder(direct,
              group);
        }
        try (RawClient c = RawClient.login(s, carolToken, 1)) {
          Frame.Deliver d = c.awaitType(Frame.Deliver.class);
          assertThat(d.delivery().messageId()).isEqualTo(group);
          assertThat(d.delivery().ciphertext()).isEqualTo(Bytes.of(groupCt));
        }
      }
    } finally {
      System.setErr(originalErr);
    }

    byte[] db = concatFiles(dir);
    assertThat(db.length).isPositive();
    // Positive controls: the scan does find what is stored (ciphertext, token hashes).
    assertThat(contains(db, groupCt)).as("ciphertext stored").isTrue();
    assertThat(contains(db, AccountService.tokenHash(aliceToken).getBytes(StandardCharsets.US_ASCII))).isTrue();
    // No plaintext and no bearer token on disk.
    assertThat(contains(db, MARKER.getBytes(StandardCharsets.UTF_8))).as("plaintext marker in DB").isFalse();
    for (String token : List.of(aliceToken, bobToken, carolToken)) {
      assertThat(contains(db, token.getBytes(StandardCharsets.US_ASCII))).as("token in DB").isFalse();
    }
    String logText = logs.toString(StandardCharsets.UTF_8);
    assertThat(logText).contains("CipherTalk server started");
    assertThat(logText).doesNotContain(MARKER);
    for (String token : List.of(aliceToken, bobToken, carolToken)) {
      assertThat(logText).doesNotContain(token);
    }
    assertThat(logText).doesNotContain(HexFormat.of().formatHex(groupCt));
  }

  private static byte[] concatFiles(Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        out.write(Files.readAllBytes(p));
      }
    }
    return out.toByteArray();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Writes to two streams. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
