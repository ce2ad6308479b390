package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;

/**
 * An initial message used a handshake suite this responder does not accept, e.g. X3DH or RSA-OAEP
 * at a responder configured to require the post-quantum suite ({@link
 * Session.ResponderBuilder#requirePostQuantum}). Checked before any prekey is used or consumed:
 * nothing changed. Carries the refused suite.
 */
public final class SuiteNotAcceptedException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final HandshakeSuite suite;

  public SuiteNotAcceptedException(HandshakeSuite suite, String detail) {
    super("handshake suite " + suite + " is not accepted: " + detail);
    this.suite = suite;
  }

  /** The suite the initial message used. */
  public HandshakeSuite suite() {
    return suite;
  }
}
