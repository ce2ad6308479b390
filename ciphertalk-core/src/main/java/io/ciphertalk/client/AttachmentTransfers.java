package io.ciphertalk.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.attachment.AttachmentCipher;
import io.ciphertalk.crypto.attachment.DecryptingInputStream;
import io.ciphertalk.crypto.attachment.EncryptingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads and downloads attachment ciphertext over the server's blob REST API
 * (docs/protocol.md, "Blob store (REST)"), encrypting and decrypting as it streams: memory stays at
 * a few chunks and one HTTP buffer whatever the file size. An upload part that fails is resumed
 * from the server's offset (re-encrypting deterministically under the same key and file id); a
 * download that breaks is resumed with an HTTP range. Thread-safe (no shared mutable state).
 */
final class AttachmentTransfers {
  private static final Logger LOG = LoggerFactory.getLogger(AttachmentTransfers.class);
  /** Upload part size: at least S3's 5 MiB multipart minimum, so operators' object stores work. */
  static final int PART_BYTES = 8 * 1024 * 1024;
  /** Failed attempts in a row (without progress) after which a transfer gives up. */
  static final int RETRIES = 5;
  private static final long BACKOFF_MILLIS = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final Supplier<String> token;
  private final RandomSource random;
  private final HttpClient http;
  private final Duration timeout;

  AttachmentTransfers(URI base, Supplier<String> token, RandomSource random, Duration timeout) {
    this.base = base;
    this.token = token;
    this.random = random;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  /** Opens the plaintext from its start (each call a new stream). */
  interface Plaintext {
    InputStream open() throws IOException;
  }

  private HttpRequest.Builder request(String path) {
    if (base == null) {
      throw new IllegalStateException("attachments need the server's HTTP URI (builder serverUri or transport)");
    }
    String t = token.get();
    if (t == null) {
      throw new IllegalStateException("log in first");
    }
    return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + t)
        .timeout(Duration.ofMinutes(2).plus(timeout));
  }

  private JsonNode json(HttpRequest req, int expected) throws IOException {
    HttpResponse<byte[]> r = send(req, HttpResponse.BodyHandlers.ofByteArray());
    JsonNode body = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
    if (r.statusCode() != expected) {
      throw failure(r.statusCode(), body);
    }
    return body;
  }

  private static RequestFailedException failure(int status, JsonNode body) {
    return new RequestFailedException(body.path("error").asText("http_" + status),
        body.path("message").asText("HTTP " + status));
  }

  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
    try {
      return http.send(req, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  private static HttpRequest.BodyPublisher jsonBody(Object... kv) throws IOException {
    var n = JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        n.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
      }
    }
    return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(n));
  }

  private static void report(TransferListener l, long done, long total) {
    if (l == null) {
      return;
    }
    try {
      l.onProgress(done, total);
    } catch (RuntimeException e) {
      LOG.warn("transfer listener threw: {}", e.toString());
    }
  }

  /**
   * Encrypts {@code size} bytes of {@code plaintext} under a fresh key, uploads the ciphertext into
   * a blob of {@code roomId} referred to by {@code messageId}, and returns the descriptor.
   */
  Attachment upload(String roomId, MessageId messageId, Long expiresAt, Plaintext plaintext, long size,
      String name, String mime, byte[] thumbnail, TransferListener listener, Transfer transfer) throws IOException {
    int chunk = AttachmentCipher.DEFAULT_CHUNK_SIZE;
    long ctLength = AttachmentCipher.ciphertextLength(size, chunk);
    SecretBytes key = AttachmentCipher.newKey(random);
    byte[] fileId = random.bytes(16);
    // The same file id on every pass makes re-encryption after a failed part byte-identical.
    RandomSource sameFileId = out -> System.arraycopy(fileId, 0, out, 0, out.length);
    JsonNode created = json(request("/api/blobs").header("Content-Type", "application/json")
        .POST(jsonBody("room", roomId, "size", ctLength, "messageId", messageId.toString(), "expiresAt", expiresAt))
        .build(), 201);
    String blobId = created.get("id").asText();
    long partBytes = Math.min(PART_BYTES, created.path("maxPartBytes").asLong(PART_BYTES));
    EncryptingInputStream enc = AttachmentCipher.encrypting(plaintext.open(), key, chunk, sameFileId);
    Progress progress = new Progress(listener, size);
    long offset = 0;
    int failures = 0;
    try {
      progress.report(0);
      while (offset < ctLength) {
        if (transfer != null) {
          transfer.check();
        }
        long n = Math.min(partBytes, ctLength - offset);
        InputStream part = new PartStream(enc, n, transfer);
        HttpRequest put = request("/api/blobs/" + blobId + "?offset=" + offset)
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> part), n))
            .build();
        try {
          json(put, 200);
          offset += n;
          failures = 0;
          progress.report(Math.min(size, enc.plaintextLength()));
        } catch (IOException | RequestFailedException e) {
          if (transfer != null) {
            transfer.check();
          }
          if (e instanceof RequestFailedException rf && !retryable(rf.code())) {
            throw rf;
          }
          // Ask the server what it committed (a cut part is not recorded) and go on from there;
          // only failures in a row without progress count towards giving up.
          Exception last = e;
          long committed = offset;
          while (true) {
            if (++failures > RETRIES) {
              throw new TransferFailedException(TransferFailedException.Direction.UPLOAD, blobId, committed,
                  failures, last);
            }
            LOG.info("upload of blob {} failed at {} ({}); resuming from the server's offset", blobId, committed,
                last.toString());
            pause(failures, transfer);
            try {
              committed = json(request("/api/blobs/" + blobId + "/upload").GET().build(), 200).path("offset")
                  .asLong(-1);
              break;
            } catch (IOException | RequestFailedException again) {
              if (again instanceof RequestFailedException rf && !retryable(rf.code())) {
                throw rf;
              }
              last = again;
            }
          }
          if (committed < 0 || committed > ctLength) {
            throw new IOException("the server reported offset " + committed + " for a blob of " + ctLength + " bytes");
          }
          if (committed > offset) {
            failures = 0;
          }
          offset = committed;
          enc.close();
          enc = AttachmentCipher.encrypting(plaintext.open(), key, chunk, sameFileId);
          enc.skipNBytes(offset);
        }
      }
      if (enc.read() != -1 || !enc.isFinished() || enc.plaintextLength() != size) {
        throw new IOException("the file changed while it was being sent");
      }
      json(request("/api/blobs/" + blobId + "/finish").POST(HttpRequest.BodyPublishers.noBody()).build(), 200);
      progress.report(size);
      return new Attachment(blobId, key, enc.digest(), size, ctLength, name, mime, thumbnail);
    } finally {
      enc.close();
    }
  }

  /** Waits before retry {@code n} (1-based): 100 ms doubling to at most 3.2 s; cancellable. */
  private static void pause(int n, Transfer transfer) throws IOException {
    long ms = BACKOFF_MILLIS << Math.min(n - 1, 5);
    long end = System.nanoTime() + ms * 1_000_000;
    try {
      for (long left; (left = end - System.nanoTime()) > 0; ) {
        if (transfer != null) {
          transfer.check();
        }
        Thread.sleep(Math.min(50, Math.max(1, left / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
    if (transfer != null) {
      transfer.check();
    }
  }

  /**
   * Progress callbacks that never go backwards, even when a resumed transfer re-reads bytes or a
   * server reports a smaller offset than before.
   */
  private static final class Progress {
    private final TransferListener listener;
    private final long total;
    private long reported = -1;

    Progress(TransferListener listener, long total) {
      this.listener = listener;
      this.total = total;
    }

    void report(long done) {
      if (done > reported) {
        reported = done;
        AttachmentTransfers.report(listener, done, total);
      }
    }
  }

  private static boolean retryable(String code) {
    return code.equals("upload_busy") || code.equals("offset_mismatch") || code.equals("incomplete_body")
        || code.startsWith("http_5") || code.equals("server_busy") || code.equals("server_error");
  }

  /** Ends the reference of {@code messageId} to the blob (the sender deleted it for everyone). */
  void dropReference(String blobId, MessageId messageId) throws IOException {
    HttpResponse<byte[]> r = send(request("/api/blobs/" + blobId + "/refs/" + messageId).DELETE().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 204 && r.statusCode() != 404) {
      throw failure(r.statusCode(), r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body()));
    }
  }

  /**
   * Downloads, verifies and decrypts {@code a} into {@code out}. Bytes written belong to chunks that
   * verified; the whole is authentic only if this returns normally (otherwise discard what was written).
   */
  long download(Attachment a, OutputStream out, TransferListener listener, Transfer transfer) throws IOException {
    try (RangeResumingStream ciphertext = new RangeResumingStream(a.blobId(), a.ciphertextSize(), transfer);
        DecryptingInputStream in = AttachmentCipher.decrypting(ciphertext, a.key(), a.digest())) {
      byte[] buf = new byte[64 * 1024];
      long done = 0;
      Progress progress = new Progress(listener, a.size());
      progress.report(0);
      for (int n; (n = in.read(buf)) >= 0; ) {
        if (transfer != null) {
          transfer.check();
        }
        out.write(buf, 0, n);
        done += n;
        progress.report(done);
      }
      if (done != a.size()) {
        throw new IOException("the attachment holds " + done + " bytes, its message says " + a.size());
      }
      return done;
    }
  }

  /**
   * Downloads into {@code target}: written to a temporary file beside it, moved into place only
   * after the last chunk and the digest verified; on any failure nothing is left behind.
   */
  void download(Attachment a, Path target, TransferListener listener, Transfer transfer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(random.bytes(6)) + ".part");
    boolean done = false;
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        download(a, out, listener, transfer);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** The first {@code length} bytes of {@code in}; checks for cancellation on every read. */
  private static final class PartStream extends InputStream {
    private final InputStream in;
    private final Transfer transfer;
    private long left;

    PartStream(InputStream in, long length, Transfer transfer) {
      this.in = in;
      this.left = length;
      this.transfer = transfer;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (transfer != null && transfer.isCancelled()) {
        throw new IOException("transfer cancelled");
      }
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }

  /**
   * The blob's bytes; if the connection breaks (or the server answers with a transient error),
   * continues with {@code Range: bytes=pos-} after a pause, and gives up with
   * {@link TransferFailedException} after {@link #RETRIES} failures in a row without a byte.
   */
  private final class RangeResumingStream extends InputStream {
    private final String blobId;
    private final long length;
    private final Transfer transfer;
    private InputStream current;
    private long pos;
    private int failures;

    RangeResumingStream(String blobId, long length, Transfer transfer) {
      this.blobId = blobId;
      this.length = length;
      this.transfer = transfer;
    }

    private void open() throws IOException {
      HttpRequest.Builder b = request("/api/blobs/" + blobId).GET();
      if (pos > 0) {
        b.header("Range", "bytes=" + pos + "-");
      }
      HttpResponse<InputStream> r = send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != (pos > 0 ? 206 : 200)) {
        byte[] body;
        try (InputStream in = r.body()) {
          body = in.readNBytes(64 * 1024);
        }
        JsonNode n = body.length > 0 && body[0] == '{' ? JSON.readTree(body) : JSON.createObjectNode();
        throw failure(r.statusCode(), n);
      }
      if (pos > 0) {
        // Bytes from anywhere else would only fail the chunk tags later: say what went wrong now.
        String range = r.headers().firstValue("Content-Range").orElse("");
        if (!range.startsWith("bytes " + pos + "-")) {
          r.body().close();
          throw new IOException("asked for bytes from " + pos + ", the server sent '" + range + "'");
        }
      }
      current = r.body();
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (true) {
        if (pos >= length) {
          // Past the size in the message: any further byte is the server's, and a decryptor
          // must see the end here (the digest covers exactly `length` bytes).
          return -1;
        }
        if (transfer != null) {
          transfer.check();
        }
        try {
          if (current == null) {
            open();
          }
          int n = current.read(b, off, (int) Math.min(len, length - pos));
          if (n < 0) {
            throw new IOException("connection ended at " + pos + " of " + length + " bytes");
          }
          if (n > 0) {
            failures = 0;
          }
          pos += n;
          return n;
        } catch (IOException | RequestFailedException e) {
          closeCurrent();
          if (e instanceof RequestFailedException rf && !retryable(rf.code())) {
            throw rf;
          }
          if (++failures > RETRIES) {
            throw new TransferFailedException(TransferFailedException.Direction.DOWNLOAD, blobId, pos, failures, e);
          }
          LOG.info("download of blob {} broke at {} ({}); resuming with a range request", blobId, pos, e.toString());
          pause(failures, transfer);
        }
      }
    }

    private void closeCurrent() {
      if (current != null) {
        try {
          current.close();
        } catch (IOException ignored) {
          // the connection is gone anyway
        }
        current = null;
      }
    }

    @Override
    public void close() {
      closeCurrent();
    }
  }
}
