package io.ciphertalk.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.attachment.AttachmentCipher;
import java.io.IOException;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * What a file message carries inside its end-to-end encryption (docs/protocol.md, "Attachment
 * descriptor"): where the ciphertext is on the server ({@link #blobId}), the key that decrypts it,
 * the SHA-256 of the ciphertext, the plaintext size, the file name and MIME type, and for images a
 * small JPEG thumbnail. The server sees only the blob id and the ciphertext size. Download it with
 * {@link CipherTalkClient#download}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never prints the key or the name.
 */
public final class Attachment {
  /** Descriptor encoding version. */
  static final int VERSION = 1;
  /** Longest file name, in characters. */
  public static final int MAX_NAME_CHARS = 255;
  /** Largest inline thumbnail, in bytes (it travels in the message, whose limit is 64 KiB). */
  public static final int MAX_THUMBNAIL_BYTES = 24 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String blobId;
  private final SecretBytes key;
  private final byte[] digest;
  private final long size;
  private final long ciphertextSize;
  private final String name;
  private final String mimeType;
  private final byte[] thumbnail;

  Attachment(String blobId, SecretBytes key, byte[] digest, long size, long ciphertextSize, String name,
      String mimeType, byte[] thumbnail) {
    this.blobId = Objects.requireNonNull(blobId, "blobId");
    this.key = Objects.requireNonNull(key, "key");
    this.digest = Objects.requireNonNull(digest, "digest").clone();
    this.size = size;
    this.ciphertextSize = ciphertextSize;
    this.name = Objects.requireNonNull(name, "name");
    this.mimeType = Objects.requireNonNull(mimeType, "mimeType");
    this.thumbnail = thumbnail == null ? null : thumbnail.clone();
  }

  /** The server's id of the ciphertext blob. */
  public String blobId() {
    return blobId;
  }

  /** The attachment key (a copy-on-read secret; do not print it). */
  public SecretBytes key() {
    return key;
  }

  /** SHA-256 of the ciphertext (a copy). */
  public byte[] digest() {
    return digest.clone();
  }

  /** Size of the file in bytes. */
  public long size() {
    return size;
  }

  /** Size of the ciphertext on the server in bytes. */
  public long ciphertextSize() {
    return ciphertextSize;
  }

  /** The file name the sender gave (never a path; display it, never use it as one unchecked). */
  public String name() {
    return name;
  }

  /** The MIME type the sender gave, e.g. {@code image/png}. */
  public String mimeType() {
    return mimeType;
  }

  /** Whether the sender marked it as an image. */
  public boolean isImage() {
    return mimeType.startsWith("image/");
  }

  /** A JPEG thumbnail (at most 160 px on its longer side), for images when the sender made one. */
  public Optional<byte[]> thumbnail() {
    return Optional.ofNullable(thumbnail).map(byte[]::clone);
  }

  /** The descriptor's encoding (docs/protocol.md, "Attachment descriptor"); it contains the key. */
  public byte[] encode() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    ObjectNode o = JSON.createObjectNode().put("v", VERSION).put("id", blobId)
        .put("k", b64.encodeToString(key.toByteArray())).put("d", b64.encodeToString(digest)).put("s", size)
        .put("cs", ciphertextSize).put("n", name).put("m", mimeType);
    if (thumbnail != null) {
      o.put("t", b64.encodeToString(thumbnail));
    }
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Decodes a descriptor; throws {@link IllegalArgumentException} if it is not a valid one. */
  public static Attachment decode(byte[] data) {
    Objects.requireNonNull(data, "data");
    try {
      JsonNode o = JSON.readTree(data);
      if (o == null || !o.isObject() || o.path("v").asInt() != VERSION) {
        throw new IllegalArgumentException("not an attachment descriptor of version " + VERSION);
      }
      Base64.Decoder b64 = Base64.getUrlDecoder();
      String id = text(o, "id", 64);
      byte[] key = b64.decode(text(o, "k", 64));
      byte[] digest = b64.decode(text(o, "d", 64));
      if (key.length != AttachmentCipher.KEY_LENGTH || digest.length != AttachmentCipher.DIGEST_LENGTH
          || !id.matches("[0-9a-f]{32}")) {
        throw new IllegalArgumentException("attachment descriptor has a bad id, key or digest");
      }
      long size = number(o, "s");
      long cs = number(o, "cs");
      String name = text(o, "n", MAX_NAME_CHARS);
      String mime = text(o, "m", 255);
      byte[] thumb = o.has("t") ? b64.decode(text(o, "t", MAX_THUMBNAIL_BYTES * 2)) : null;
      return new Attachment(id, SecretBytes.wrap(key), digest, size, cs, name, mime, thumb);
    } catch (IOException e) {
      throw new IllegalArgumentException("attachment descriptor is not valid JSON");
    }
  }

  private static String text(JsonNode o, String f, int max) {
    JsonNode n = o.get(f);
    if (n == null || !n.isTextual() || n.textValue().length() > max) {
      throw new IllegalArgumentException("attachment descriptor field " + f + " missing or too long");
    }
    return n.textValue();
  }

  private static long number(JsonNode o, String f) {
    JsonNode n = o.get(f);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
      throw new IllegalArgumentException("attachment descriptor field " + f + " must be a non-negative integer");
    }
    return n.longValue();
  }

  @Override
  public String toString() {
    return "Attachment[blob=" + blobId + ", " + size + " bytes, " + mimeType + "]";
  }
}
