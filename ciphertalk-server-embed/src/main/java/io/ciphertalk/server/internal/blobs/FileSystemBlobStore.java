package io.ciphertalk.server.internal.blobs;

import io.ciphertalk.server.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@link BlobStore} on the local file system: {@code <dir>/<id>.part} while uploading, renamed to
 * {@code <dir>/<id>} on commit. Appends are forced to disk before they return. Thread-safe across
 * ids (the server serialises calls for one id).
 */
public final class FileSystemBlobStore implements BlobStore {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
  private final Path dir;

  public FileSystemBlobStore(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  private Path file(String id, boolean part) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a blob id: " + id);
    }
    return dir.resolve(part ? id + ".part" : id);
  }

  @Override
  public long append(String id, long offset, InputStream data) throws IOException {
    Files.createDirectories(dir);
    try (FileChannel ch = FileChannel.open(file(id, true), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      if (ch.size() < offset) {
        throw new IOException("blob " + id + " holds " + ch.size() + " bytes, cannot append at " + offset);
      }
      ch.truncate(offset);
      ch.position(offset);
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = data.read(buf)) >= 0; ) {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        while (bb.hasRemaining()) {
          ch.write(bb);
        }
        total += n;
      }
      ch.force(false);
      return total;
    }
  }

  @Override
  public void commit(String id, long size) throws IOException {
    Path part = file(id, true);
    if (Files.size(part) != size) {
      throw new IOException("blob " + id + " holds " + Files.size(part) + " bytes, expected " + size);
    }
    Files.move(part, file(id, false), StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public InputStream open(String id, long offset, long length) throws IOException {
    FileChannel ch = FileChannel.open(file(id, false), StandardOpenOption.READ);
    ch.position(offset);
    InputStream in = Channels.newInputStream(ch);
    return new InputStream() {
      private long left = length;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = in.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  @Override
  public void delete(String id) throws IOException {
    try {
      Files.deleteIfExists(file(id, true));
      Files.deleteIfExists(file(id, false));
    } catch (NoSuchFileException e) {
      // already gone
    }
  }

  @Override
  public String toString() {
    return "FileSystemBlobStore[" + dir + "]";
  }
}
