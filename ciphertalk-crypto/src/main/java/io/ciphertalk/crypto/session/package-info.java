/**
 * End-to-end encrypted 1:1 sessions: device identities and safety numbers, signed prekey bundles,
 * the X3DH / PQXDH / RSA-OAEP handshakes and the Double Ratchet. docs/protocol.md ("1:1
 * sessions") is the normative specification.
 *
 * <p>Typical use: the responder publishes a {@link io.ciphertalk.crypto.session.PreKeyBundle};
 * the initiator builds a {@link io.ciphertalk.crypto.session.Session} with
 * {@link io.ciphertalk.crypto.session.Session#initiate()} and encrypts; the responder answers the
 * first {@link io.ciphertalk.crypto.session.InitialMessage} with
 * {@link io.ciphertalk.crypto.session.Session#respond()}; both then call {@code encrypt} and
 * {@code decrypt} and persist {@code serialize()} after each call. Every failure is a subclass of
 * {@link io.ciphertalk.crypto.CryptoException}.
 */
package io.ciphertalk.crypto.session;
