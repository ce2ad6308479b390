/**
 * Accounts own their devices: the account signing key, device certificates and revocations, the
 * per-account safety number and the device-linking messages. docs/protocol.md ("Accounts and
 * devices") is the normative specification, with byte layouts, labels and the order of checks.
 *
 * <p>Every parser here is strict (exact lengths, known versions, no trailing bytes) and checks every
 * signature before it returns anything; every failure is a subclass of
 * {@link io.ciphertalk.crypto.CryptoException}.
 */
package io.ciphertalk.crypto.account;
