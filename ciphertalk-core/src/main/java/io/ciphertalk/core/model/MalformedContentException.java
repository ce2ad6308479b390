package io.ciphertalk.core.model;

/**
 * Decrypted bytes are not a valid {@link PlaintextContent} encoding (unknown major version,
 * truncated, a duplicate or missing field, bad UTF-8, a value out of range). The message says
 * which, never the content.
 */
public final class MalformedContentException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedContentException(String message) {
    super(message);
  }
}
