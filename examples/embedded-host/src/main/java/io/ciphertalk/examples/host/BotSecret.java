package io.ciphertalk.examples.host;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;

/**
 * The bot's credentials when the host keeps data on disk: a 32-byte key for its encrypted store and
 * its account password, both random, in one file readable by the owner only. Two lines of base64url:
 * the store key, then the password.
 */
final class BotSecret {
  private final byte[] storeKey;
  private final String password;
  private final boolean isNew;

  private BotSecret(byte[] storeKey, String password, boolean isNew) {
    this.storeKey = storeKey;
    this.password = password;
    this.isNew = isNew;
  }

  /** Reads {@code file}, or creates it (owner-only) with fresh random secrets. */
  static BotSecret loadOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        if (lines.size() < 2) {
          throw new IllegalStateException(file + " is damaged: expected the store key and the "
              + "password");
        }
        return new BotSecret(Base64.getUrlDecoder().decode(lines.get(0).strip()),
            lines.get(1).strip(), false);
      }
      RandomSource random = RandomSource.secure();
      byte[] key = random.bytes(32);
      String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random.bytes(24));
      Files.createDirectories(file.toAbsolutePath().getParent());
      String text = Base64.getUrlEncoder().withoutPadding().encodeToString(key) + "\n" + password
          + "\n";
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system
      }
      Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      return new BotSecret(key, password, true);
    } catch (FileAlreadyExistsException e) {
      return loadOrCreate(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  SecretBytes storeKey() {
    return SecretBytes.copyOf(storeKey);
  }

  String password() {
    return password;
  }

  /** True if the file was just created (the bot's account does not exist yet). */
  boolean isNew() {
    return isNew;
  }
}
