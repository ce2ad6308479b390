package io.ciphertalk.server;

import static io.ciphertalk.server.TestServers.account;
import static io.ciphertalk.server.TestServers.http;
import static io.ciphertalk.server.TestServers.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.TestServers.Response;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob store over real HTTP: resumable upload, ranged download, access, limits, expiry, orphans. */
class BlobStoreTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  @TempDir Path data;
  private CipherTalkServer server;
  private String alice;
  private String bob;
  private String mallory;
  private String room;

  @BeforeEach
  void start() throws Exception {
    server = TestServers.builder().clock(clock).dataDirectory(data).blobLimits(64 * 1024, 100 * 1024)
        .maxBlobPartBytes(16 * 1024).blobOrphanTimeout(Duration.ofHours(24)).build().start();
    alice = account(server, "alice");
    bob = account(server, "bob");
    mallory = account(server, "mallory");
    Response r = http(server, "POST", "/api/rooms", alice, "{\"kind\":\"group\",\"name\":\"g\",\"members\":[\"bob\"]}");
    assertThat(r.status()).isEqualTo(201);
    room = r.body().get("id").asText();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private String create(String token, long size, Long expiresAt) throws Exception {
    String body = expiresAt == null ? json("room", room, "size", size, "messageId", UUID.randomUUID().toString())
        : json("room", room, "size", size, "messageId", UUID.randomUUID().toString(), "expiresAt", expiresAt);
    Response r = http(server, "POST", "/api/blobs", token, body);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    return r.body().get("id").asText();
  }

  private HttpResponse<byte[]> raw(String method, String path, String token, byte[] body, String range) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token);
    if (range != null) {
      b.header("Range", range);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    return TestServers.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private int put(String token, String id, long offset, byte[] part) throws Exception {
    return raw("PUT", "/api/blobs/" + id + "?offset=" + offset, token, part, null).statusCode();
  }

  private String upload(String token, byte[] content, Long expiresAt) throws Exception {
    String id = create(token, content.length, expiresAt);
    for (int off = 0; off < content.length; off += 16 * 1024) {
      assertThat(put(token, id, off, Arrays.copyOfRange(content, off, Math.min(content.length, off + 16 * 1024))))
          .isEqualTo(200);
    }
    assertThat(http(server, "POST", "/api/blobs/" + id + "/finish", token, null).status()).isEqualTo(200);
    return id;
  }

  @Test
  void upload_inParts_withAWrongOffsetRefused_thenRangedDownloadsByAMember() throws Exception {
    byte[] content = bytes(40_000);
    String id = create(alice, content.length, null);
    assertThat(put(alice, id, 0, Arrays.copyOf(content, 16_000))).isEqualTo(200);
    Response wrong = http(server, "PUT", "/api/blobs/" + id + "?offset=5", alice, null);
    assertThat(wrong.status()).isEqualTo(409);
    assertThat(wrong.body().get("error").asText()).isEqualTo("offset_mismatch");
    Response state = http(server, "GET", "/api/blobs/" + id + "/upload", alice, null);
    assertThat(state.body().get("offset").asLong()).isEqualTo(16_000);
    assertThat(state.body().get("complete").asBoolean()).isFalse();
    Response early = http(server, "POST", "/api/blobs/" + id + "/finish", alice, null);
    assertThat(early.status()).isEqualTo(409);
    assertThat(early.body().get("error").asText()).isEqualTo("incomplete_upload");
    assertThat(raw("GET", "/api/blobs/" + id, alice, null, null).statusCode()).as("unfinished").isEqualTo(404);
    assertThat(put(alice, id, 16_000, Arrays.copyOfRange(content, 16_000, 32_000))).isEqualTo(200);
    assertThat(put(alice, id, 32_000, Arrays.copyOfRange(content, 32_000, 40_000))).isEqualTo(200);
    assertThat(http(server, "POST", "/api/blobs/" + id + "/finish", alice, null).body().get("complete").asBoolean())
        .isTrue();

    HttpResponse<byte[]> all = raw("GET", "/api/blobs/" + id, bob, null, null);
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.body()).isEqualTo(content);
    assertThat(all.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    HttpResponse<byte[]> mid = raw("GET", "/api/blobs/" + id, bob, null, "bytes=100-199");
    assertThat(mid.statusCode()).isEqualTo(206);
    assertThat(mid.headers().firstValue("Content-Range")).hasValue("bytes 100-199/40000");
    assertThat(mid.body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));
    HttpResponse<byte[]> tail = raw("GET", "/api/blobs/" + id, bob, null, "bytes=39990-");
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(content, 39_990, 40_000));
    HttpResponse<byte[]> suffix = raw("GET", "/api/blobs/" + id, bob, null, "bytes=-5");
    assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(content, 39_995, 40_000));
    HttpResponse<byte[]> bad = raw("GET", "/api/blobs/" + id, bob, null, "bytes=40000-");
    assertThat(bad.statusCode()).isEqualTo(416);
    assertThat(bad.headers().firstValue("Content-Range")).hasValue("bytes */40000");
  }

  @Test
  void nonMember_cannotFetchOrEvenSeeARoomsBlob_andStrangersCannotUploadIntoTheRoom() throws Exception {
    String id = upload(alice, bytes(1000), null);
    HttpResponse<byte[]> r = raw("GET", "/api/blobs/" + id, mallory, null, null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("not_found");
    assertThat(raw("GET", "/api/blobs/" + id, mallory, null, "bytes=0-9").statusCode()).isEqualTo(404);
    assertThat(raw("GET", "/api/blobs/" + id, "not-a-token", null, null).statusCode()).isEqualTo(401);
    assertThat(http(server, "GET", "/api/blobs/" + id + "/upload", bob, null).status()).as("only the uploader")
        .isEqualTo(404);
    Response stranger = http(server, "POST", "/api/blobs", mallory,
        json("room", room, "size", 10, "messageId", UUID.randomUUID().toString()));
    assertThat(stranger.status()).isEqualTo(403);
    assertThat(stranger.body().get("error").asText()).isEqualTo("not_member");
    assertThat(raw("GET", "/api/blobs/" + id, bob, null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void sizeQuotaAndPartLimits_areAnsweredWithClearErrors() throws Exception {
    Response tooBig = http(server, "POST", "/api/blobs", alice,
        json("room", room, "size", 64 * 1024 + 1, "messageId", UUID.randomUUID().toString()));
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.body().get("error").asText()).isEqualTo("blob_too_large");
    create(alice, 60 * 1024, null);
    Response over = http(server, "POST", "/api/blobs", alice,
        json("room", room, "size", 50 * 1024, "messageId", UUID.randomUUID().toString()));
    assertThat(over.status()).isEqualTo(403);
    assertThat(over.body().get("error").asText()).isEqualTo("quota_exceeded");
    assertThat(over.body().get("message").asText()).contains("quota is 102400 bytes");
    String id = create(bob, 20 * 1024, null);
    HttpResponse<byte[]> part = raw("PUT", "/api/blobs/" + id + "?offset=0", bob, bytes(16 * 1024 + 1), null);
    assertThat(part.statusCode()).isEqualTo(413);
    Response past = http(server, "POST", "/api/blobs", bob, "{\"room\":\"" + room + "\",\"size\":\"10\",\"messageId\":\""
        + UUID.randomUUID() + "\"}");
    assertThat(past.status()).isEqualTo(400);
    assertThat(past.body().get("error").asText()).isEqualTo("invalid_field");
    Response noId = http(server, "POST", "/api/blobs", bob, json("room", room, "size", 10));
    assertThat(noId.body().get("error").asText()).isEqualTo("missing_field");
  }

  @Test
  void interruptedPart_isNotRecorded_andTheUploadResumesFromTheServersOffset() throws Exception {
    byte[] content = bytes(30_000);
    String id = create(alice, content.length, null);
    assertThat(put(alice, id, 0, Arrays.copyOf(content, 10_000))).isEqualTo(200);
    // The connection drops 3,000 bytes into a 10,000-byte part.
    try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
      OutputStream out = s.getOutputStream();
      out.write(("PUT /api/blobs/" + id + "?offset=10000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice
          + "\r\nContent-Length: 10000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(Arrays.copyOfRange(content, 10_000, 13_000));
      out.flush();
    }
    // A client resumes from the server's offset; while the server still reads the cut part it
    // answers upload_busy, and the client retries.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int status;
    long offset;
    do {
      offset = http(server, "GET", "/api/blobs/" + id + "/upload", alice, null).body().get("offset").asLong();
      status = put(alice, id, offset, Arrays.copyOfRange(content, (int) offset, 20_000));
    } while (status == 409 && System.nanoTime() < deadline && sleep());
    assertThat(offset).as("the cut part was not recorded").isEqualTo(10_000);
    assertThat(status).isEqualTo(200);
    assertThat(put(alice, id, 20_000, Arrays.copyOfRange(content, 20_000, 30_000))).isEqualTo(200);
    assertThat(http(server, "POST", "/api/blobs/" + id + "/finish", alice, null).status()).isEqualTo(200);
    assertThat(raw("GET", "/api/blobs/" + id, bob, null, null).body()).isEqualTo(content);
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(50);
    return true;
  }

  private boolean stored(String id) {
    return Files.exists(data.resolve("blobs").resolve(id)) || Files.exists(data.resolve("blobs").resolve(id + ".part"));
  }

  @Test
  void expiry_ofTheReferringMessage_deletesTheBlob() throws Exception {
    String id = upload(alice, bytes(1000), clock.millis() + 60_000);
    String keep = upload(alice, bytes(1000), null);
    server.sweepExpired();
    assertThat(raw("GET", "/api/blobs/" + id, bob, null, null).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(2));
    server.sweepExpired();
    assertThat(raw("GET", "/api/blobs/" + id, bob, null, null).statusCode()).isEqualTo(404);
    assertThat(stored(id)).isFalse();
    assertThat(stored(keep)).isTrue();
  }

  @Test
  void deleteForEveryone_bySender_endsTheReference_andDeletesTheBlob_onlyWhenTheLastOneGoes() throws Exception {
    String message = UUID.randomUUID().toString();
    Response c = http(server, "POST", "/api/blobs", alice, json("room", room, "size", 10, "messageId", message));
    String id = c.body().get("id").asText();
    assertThat(put(alice, id, 0, bytes(10))).isEqualTo(200);
    http(server, "POST", "/api/blobs/" + id + "/finish", alice, null);
    String forwarded = UUID.randomUUID().toString();
    assertThat(http(server, "POST", "/api/blobs/" + id + "/refs", bob, json("messageId", forwarded)).status())
        .isEqualTo(201);
    assertThat(http(server, "POST", "/api/blobs/" + id + "/refs", mallory, json("messageId", UUID.randomUUID().toString()))
        .status()).as("a non-member cannot refer to it").isEqualTo(404);
    assertThat(http(server, "DELETE", "/api/blobs/" + id + "/refs/" + message, bob, null).status())
        .as("only the sender ends its reference").isEqualTo(404);
    assertThat(http(server, "DELETE", "/api/blobs/" + id + "/refs/" + message, alice, null).status()).isEqualTo(204);
    assertThat(stored(id)).isTrue();
    assertThat(http(server, "DELETE", "/api/blobs/" + id + "/refs/" + forwarded, bob, null).status()).isEqualTo(204);
    assertThat(stored(id)).isFalse();
    assertThat(raw("GET", "/api/blobs/" + id, bob, null, null).statusCode()).isEqualTo(404);
  }

  @Test
  void abandonedUpload_isDeletedAfterTheOrphanTimeout_andFreesTheQuota() throws Exception {
    String id = create(alice, 60 * 1024, null);
    assertThat(put(alice, id, 0, bytes(1000))).isEqualTo(200);
    assertThat(stored(id)).isTrue();
    clock.advance(Duration.ofHours(23));
    server.sweepExpired();
    assertThat(stored(id)).isTrue();
    clock.advance(Duration.ofHours(2));
    server.sweepExpired();
    assertThat(stored(id)).isFalse();
    assertThat(http(server, "GET", "/api/blobs/" + id + "/upload", alice, null).status()).isEqualTo(404);
    create(alice, 60 * 1024, null);
  }
}
