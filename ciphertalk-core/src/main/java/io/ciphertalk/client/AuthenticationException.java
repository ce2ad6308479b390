package io.ciphertalk.client;

/** The server refused the credentials (wrong password, unknown user, taken user name, bad token). */
public final class AuthenticationException extends CipherTalkException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message) {
    super(message);
  }
}
