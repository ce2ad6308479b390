/**
 * CipherTalk cryptography: primitives, identities, handshakes, the Double Ratchet and Sender Keys.
 * Performs no I/O and never registers a JCA provider.
 */
module io.ciphertalk.crypto {
  requires org.bouncycastle.provider;

  exports io.ciphertalk.crypto;
  exports io.ciphertalk.crypto.session;
  exports io.ciphertalk.crypto.group;
  exports io.ciphertalk.crypto.account;
  exports io.ciphertalk.crypto.attachment;
}
