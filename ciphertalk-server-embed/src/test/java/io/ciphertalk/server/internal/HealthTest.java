package io.ciphertalk.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.internal.Health.State;
import io.ciphertalk.server.internal.store.Database;
import io.ciphertalk.server.internal.store.GroupCommitter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure paths of {@code /health} that the socket tests cannot reach: a writer thread that
 * stopped and a listener that reports itself down (the fragment flood of issue 13 once killed both
 * while {@code /health} said ok). The end-to-end tests cover the passing side and the database and
 * disk failures.
 */
class HealthTest {

  @Test
  void stoppedWriter_makesTheServerNeitherLiveNorReady(@TempDir Path dir) {
    try (Database db = Database.open(Database.h2MemoryUrl("health" + System.nanoTime()), "", "", 2)) {
      GroupCommitter writer = new GroupCommitter(db, 16, 4);
      Health health = new Health(() -> true, () -> true, writer::isAlive, db, dir);
      Health.Report before = health.check();
      assertThat(before.checks()).containsEntry("writer", State.OK).containsEntry("database", State.OK);
      assertThat(before.live()).isTrue();
      assertThat(before.ready()).isTrue();

      writer.close();

      Health.Report after = health.check();
      assertThat(after.checks()).containsEntry("writer", State.FAILED);
      assertThat(after.live()).isFalse();
      assertThat(after.ready()).isFalse();
    }
  }

  @Test
  void listenerReportedDown_isFailed_andTheServerIsNotLive(@TempDir Path dir) {
    try (Database db = Database.open(Database.h2MemoryUrl("health" + System.nanoTime()), "", "", 2)) {
      AtomicBoolean wsListening = new AtomicBoolean(true);
      Health health = new Health(wsListening::get, null, () -> true, db, dir);
      assertThat(health.check().live()).isTrue();
      assertThat(health.check().checks()).containsEntry("http", State.DISABLED);

      wsListening.set(false);

      Health.Report r = health.check();
      assertThat(r.checks()).containsEntry("websocket", State.FAILED);
      assertThat(r.live()).isFalse();
      assertThat(r.ready()).isFalse();
    }
  }
}
