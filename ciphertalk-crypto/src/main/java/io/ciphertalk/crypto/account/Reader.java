package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.internal.ByteReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** Strict reader for this package's formats, failing with the format's own exception. */
final class Reader<E extends CryptoException> extends ByteReader<E> {
  private final Function<String, E> error;

  Reader(byte[] in, Function<String, E> error) {
    super(in);
    this.error = error;
  }

  @Override
  protected E malformed(String problem) {
    return error.apply(problem);
  }

  /** A {@link DeviceAddress#encode()} value, validated. */
  DeviceAddress address() throws E {
    int n = u8();
    if (n < 1 || n > 64) {
      throw malformed("user id length " + n + " outside 1..64");
    }
    String user = new String(bytes(n), StandardCharsets.US_ASCII);
    int device = u32();
    try {
      return DeviceAddress.of(user, device);
    } catch (IllegalArgumentException e) {
      throw malformed("invalid device address: " + e.getMessage());
    }
  }
}
