package io.ciphertalk.client;

import java.util.Objects;

/**
 * The server answered a request with an error, or did not answer in time. {@link #code()} is the
 * server's error code (docs/protocol.md), or {@code "timeout"} / {@code "not_connected"}.
 */
public final class RequestFailedException extends CipherTalkException {
  private static final long serialVersionUID = 1L;
  private final String code;

  public RequestFailedException(String code, String message) {
    super(code + ": " + message);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The error code. */
  public String code() {
    return code;
  }
}
