package io.ciphertalk.core.store.jdbi;

import io.ciphertalk.core.store.StoreCorruptedException;
import io.ciphertalk.crypto.Aead;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.RandomSource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Seals column values with AES-256-GCM under the store's data key, with a fresh random 96-bit
 * nonce per value and associated data binding the value to its table, column and row, so a
 * sealed value copied to another row or column fails to open. Thread-safe.
 */
final class Sealer {
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final Aead aead;
  private final RandomSource random;

  Sealer(Aead aead, RandomSource random) {
    this.aead = aead;
    this.random = random;
  }

  private static byte[] ad(String table, String column, String row) {
    return ("ciphertalk-store/1\0" + table + "\0" + column + "\0" + row).getBytes(StandardCharsets.UTF_8);
  }

  String seal(byte[] plaintext, String table, String column, String row) {
    try {
      return B64.encodeToString(aead.sealWithRandomNonce(plaintext, ad(table, column, row), random));
    } catch (CryptoException e) {
      throw new IllegalStateException("AES-GCM seal failed", e);
    }
  }

  byte[] open(String sealed, String table, String column, String row) {
    try {
      return aead.openWithPrefixedNonce(B64D.decode(sealed), ad(table, column, row));
    } catch (CryptoException | IllegalArgumentException e) {
      throw new StoreCorruptedException(
          "sealed " + table + "." + column + " of row " + row + " failed authentication", e);
    }
  }

  /** Like {@link #open} but returns null instead of throwing (for the key check). */
  byte[] tryOpen(String sealed, String table, String column, String row) {
    try {
      return aead.openWithPrefixedNonce(B64D.decode(sealed), ad(table, column, row));
    } catch (CryptoException | IllegalArgumentException e) {
      return null;
    }
  }
}
