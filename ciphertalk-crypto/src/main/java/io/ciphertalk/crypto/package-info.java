/**
 * Cryptographic primitives behind small interfaces ({@link io.ciphertalk.crypto.Aead},
 * {@link io.ciphertalk.crypto.Mac}, {@link io.ciphertalk.crypto.Kdf}, {@link
 * io.ciphertalk.crypto.Signer}/{@link io.ciphertalk.crypto.Verifier}, {@link
 * io.ciphertalk.crypto.KeyAgreement}, {@link io.ciphertalk.crypto.Kem}), secret handling ({@link
 * io.ciphertalk.crypto.SecretBytes}) and injectable randomness ({@link
 * io.ciphertalk.crypto.RandomSource}).
 *
 * <p>AES-256-GCM and HMAC-SHA256 run on the JDK's SunJCE (hardware intrinsics); X25519, Ed25519 and
 * ML-KEM-768 on BouncyCastle's lightweight API; RSA on the JDK. No JCA provider is ever registered.
 * Every failure is a checked {@link io.ciphertalk.crypto.CryptoException}.
 */
package io.ciphertalk.crypto;
