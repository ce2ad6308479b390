package io.ciphertalk.core.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.crypto.SecretBytes;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client store written by an older H2 still opens with the H2 this build ships. The fixture
 * {@code h2-2.3.232/client-store.mv.db} was written by {@link JdbiLocalStore} on H2 2.3.232 (the
 * version before the 2.5 upgrade) with the key bytes 0..31 and one app-data value; see
 * docs/sdk-guide.md, "Upgrading H2".
 */
class H2FileFormatUpgradeTest {
  @TempDir Path dir;

  @Test
  void storeWrittenByH2_2_3_232_opensWithCurrentH2_andKeepsItsData() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/h2-2.3.232/client-store.mv.db")) {
      assertThat(in).as("fixture").isNotNull();
      Files.copy(in, dir.resolve("store.mv.db"));
    }
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) i;
    }
    assertThat(org.h2.engine.Constants.VERSION_MAJOR * 10 + org.h2.engine.Constants.VERSION_MINOR)
        .as("this test is about opening an old file with a newer H2").isGreaterThan(23);
    try (JdbiLocalStore store = JdbiLocalStore.builder().file(dir.resolve("store"))
        .key(SecretBytes.copyOf(key)).open()) {
      assertThat(store.appData().get("fixture")).hasValueSatisfying(v ->
          assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("written by H2 2.3.232"));
      store.appData().put("after-upgrade", new byte[] {1});
    }
    try (JdbiLocalStore store = JdbiLocalStore.builder().file(dir.resolve("store"))
        .key(SecretBytes.copyOf(key)).open()) {
      assertThat(store.appData().get("after-upgrade")).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
    }
  }
}
