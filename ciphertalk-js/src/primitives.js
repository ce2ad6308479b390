// CipherTalk's primitives on WebCrypto (globalThis.crypto.subtle: browsers, Node 20) and
// ML-KEM-768 from @noble/post-quantum. Keys enter WebCrypto as PKCS#8 (private) or raw (public)
// and never leave it except where the protocol needs the bytes (public keys, DH outputs).
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { concat } from './bytes.js';

const subtle = globalThis.crypto.subtle;
// PKCS#8 prefixes of RFC 8410 private keys (the 32-byte key follows).
const PKCS8_X25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);
const PKCS8_ED25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/** HKDF-SHA256 (RFC 5869). @returns {Promise<Uint8Array>} */
export async function hkdf(salt, ikm, info, length) {
  const key = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, length * 8));
}

/** HMAC-SHA256 (RFC 2104). @returns {Promise<Uint8Array>} */
export async function hmac(key, data) {
  const k = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, data));
}

/** SHA-256 / SHA-512. @returns {Promise<Uint8Array>} */
export async function sha256(data) {
  return new Uint8Array(await subtle.digest('SHA-256', data));
}

/** AES-256-GCM, 96-bit nonce, 128-bit tag appended. @returns {Promise<Uint8Array>} */
export async function aesGcmSeal(key, nonce, plaintext, ad) {
  const k = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: ad, tagLength: 128 }, k, plaintext));
}

/** Opens AES-256-GCM; rejects (OperationError) on any altered byte. @returns {Promise<Uint8Array>} */
export async function aesGcmOpen(key, nonce, ciphertext, ad) {
  const k = await subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
  return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: ad, tagLength: 128 }, k, ciphertext));
}

async function publicOf(pkcs8, alg) {
  const k = await subtle.importKey('pkcs8', pkcs8, alg, true, alg === 'Ed25519' ? ['sign'] : ['deriveBits']);
  const jwk = await subtle.exportKey('jwk', k);
  return Uint8Array.from(atob(jwk.x.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
}

/** X25519 (RFC 7748): the public key of a 32-byte private key. */
export function x25519Public(privateKey) {
  return publicOf(concat(PKCS8_X25519, privateKey), 'X25519');
}

/** X25519 agreement; an all-zero output (low-order peer key) is an error (RFC 7748, 6.1). */
export async function x25519(privateKey, peerPublic) {
  const priv = await subtle.importKey('pkcs8', concat(PKCS8_X25519, privateKey), 'X25519', false, ['deriveBits']);
  const pub = await subtle.importKey('raw', peerPublic, 'X25519', false, []);
  const out = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, priv, 256));
  if (out.every((b) => b === 0)) throw new Error('X25519 output is all zero');
  return out;
}

/** Ed25519 (RFC 8032, pure): the public key of a 32-byte seed. */
export function ed25519Public(seed) {
  return publicOf(concat(PKCS8_ED25519, seed), 'Ed25519');
}

/** Ed25519 signature (deterministic) with a 32-byte seed. */
export async function ed25519Sign(seed, message) {
  const k = await subtle.importKey('pkcs8', concat(PKCS8_ED25519, seed), 'Ed25519', false, ['sign']);
  return new Uint8Array(await subtle.sign('Ed25519', k, message));
}

/** Ed25519 verification. @returns {Promise<boolean>} */
export async function ed25519Verify(publicKey, message, signature) {
  const k = await subtle.importKey('raw', publicKey, 'Ed25519', false, ['verify']);
  return subtle.verify('Ed25519', k, signature, message);
}

/** ML-KEM-768 (FIPS 203) key pair from the 64-byte seed d || z. */
export function mlKemKeyPair(seed) {
  return ml_kem768.keygen(seed);
}

/** ML-KEM-768 encapsulation with the 32-byte message m (pass fresh random bytes outside tests). */
export function mlKemEncapsulate(publicKey, m) {
  const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
  return { cipherText, sharedSecret };
}

/** ML-KEM-768 decapsulation (implicit rejection: a tampered ciphertext gives an unrelated secret). */
export function mlKemDecapsulate(cipherText, secretKey) {
  return ml_kem768.decapsulate(cipherText, secretKey);
}
