package io.ciphertalk.crypto.group.internal;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.group.InvalidGroupMessageException;
import io.ciphertalk.crypto.internal.ByteReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads the big-endian group formats; every underflow or invalid field is an {@link
 * InvalidGroupMessageException} naming {@code what} was read. Not thread-safe.
 */
public final class GroupReader extends ByteReader<InvalidGroupMessageException> {
  private final String what;

  public GroupReader(byte[] buf, String what) {
    super(buf);
    this.what = what;
  }

  @Override
  protected InvalidGroupMessageException malformed(String problem) {
    return new InvalidGroupMessageException(what + ": " + problem);
  }

  /** {@code u8 length || US-ASCII}, a valid room id. */
  public String roomId() throws InvalidGroupMessageException {
    int n = u8();
    need(n);
    String id = new String(in, pos, n, StandardCharsets.US_ASCII);
    pos += n;
    if (!Limits.isValidRoomId(id)) {
      throw new InvalidGroupMessageException(what + " carries an invalid room id");
    }
    return id;
  }

  /** A device address as {@link DeviceAddress#encode()} writes it, in its canonical form. */
  public DeviceAddress address() throws InvalidGroupMessageException {
    int n = u8();
    need(n);
    String user = new String(in, pos, n, StandardCharsets.US_ASCII);
    pos += n;
    int device = u32();
    try {
      DeviceAddress a = new DeviceAddress(user, device);
      // Reject non-canonical encodings (e.g. non-ASCII bytes that decode to a replacement char).
      if (a.encode().length != n + 5) {
        throw new InvalidGroupMessageException(what + " carries a non-canonical address");
      }
      return a;
    } catch (IllegalArgumentException e) {
      throw new InvalidGroupMessageException(what + " carries an invalid device address");
    }
  }
}
