package io.ciphertalk.crypto.session.internal;

import io.ciphertalk.crypto.internal.ByteReader;

/**
 * Reader of the session encodings. Malformed input throws {@link Truncated}, which callers map to
 * their own typed exception. Not thread-safe.
 */
public final class SessionReader extends ByteReader<SessionReader.Truncated> {
  /** Thrown when the input ends early, a length field is out of range, or bytes are left over. */
  public static final class Truncated extends Exception {
    private static final long serialVersionUID = 1L;

    Truncated(String message) {
      super(message, null, false, false);
    }
  }

  public SessionReader(byte[] in) {
    super(in);
  }

  @Override
  protected Truncated malformed(String problem) {
    return new Truncated("input " + problem);
  }
}
