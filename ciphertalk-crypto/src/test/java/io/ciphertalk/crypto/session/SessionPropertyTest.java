package io.ciphertalk.crypto.session;

import static io.ciphertalk.crypto.session.Fixtures.bytes;
import static io.ciphertalk.crypto.session.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.Fixtures.Party;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random interleavings of sends, deliveries (out of order), drops and replays in both directions.
 * Every delivered plaintext is checked, every replay must raise {@link DuplicateMessageException}
 * with the right id and leave the receiving session byte-for-byte unchanged.
 */
class SessionPropertyTest {
  private static final int STEPS = 6000;

  private record InFlight(EncryptedMessage message, byte[] plaintext, MessageId id) {}

  private static final class Direction {
    final List<InFlight> inFlight = new ArrayList<>();
    final List<InFlight> delivered = new ArrayList<>();
    int sent;
    int deliveredCount;
    int dropped;
    int replays;
  }

  @ParameterizedTest(name = "seed {0}, suite {1}")
  @CsvSource({"1, X3DH", "2, PQXDH", "3, RSA_OAEP", "4, X3DH"})
  void randomInterleavings_deliverEveryMessage_andRejectEveryReplay(long seed, HandshakeSuite suite)
      throws Exception {
    Random rnd = new Random(seed);
    Party alice = Fixtures.alice(seed);
    Party bob = Fixtures.bob(seed);
    Session a = alice.initiate(bob, suite);
    Session b = null;
    Direction ab = new Direction();
    Direction ba = new Direction();
    int counter = 0;
    int ratchetTurns = 0;
    boolean lastDeliveredWasAtoB = true;

    for (int step = 0; step < STEPS; step++) {
      int action = rnd.nextInt(100);
      boolean aToB = rnd.nextBoolean();
      Direction d = aToB ? ab : ba;
      Session sender = aToB ? a : b;
      if (action < 40) {
        if (sender == null) {
          continue; // Bob cannot send before the first initial message reaches him.
        }
        byte[] pt = bytes((aToB ? "A" : "B") + step + "-" + rnd.nextInt());
        MessageId mid = id(++counter);
        EncryptedMessage m = sender.encrypt(pt, mid, rnd.nextBoolean() ? 0 : 1_000L + step);
        d.inFlight.add(new InFlight(EncryptedMessage.deserialize(m.serialize()), pt, mid));
        d.sent++;
      } else if (action < 85) {
        if (d.inFlight.isEmpty()) {
          continue;
        }
        // Mostly in order, sometimes any pending message (reordering).
        int idx = rnd.nextInt(4) == 0 ? rnd.nextInt(d.inFlight.size()) : 0;
        InFlight f = d.inFlight.remove(idx);
        DecryptedMessage out;
        if (aToB && b == null) {
          Session.Established est = bob.accept(alice, f.message());
          b = est.session();
          out = est.firstMessage();
        } else {
          out = (aToB ? b : a).decrypt(f.message());
        }
        assertThat(out.plaintext()).isEqualTo(f.plaintext());
        assertThat(out.messageId()).isEqualTo(f.id());
        assertThat(out.expiresAtEpochMillis()).isEqualTo(f.message().expiresAtEpochMillis());
        d.delivered.add(f);
        d.deliveredCount++;
        if (lastDeliveredWasAtoB != aToB) {
          ratchetTurns++;
          lastDeliveredWasAtoB = aToB;
        }
      } else if (action < 90) {
        if (!d.inFlight.isEmpty()) {
          d.inFlight.remove(rnd.nextInt(d.inFlight.size()));
          d.dropped++;
        }
      } else {
        if (d.delivered.isEmpty()) {
          continue;
        }
        int from = Math.max(0, d.delivered.size() - 40);
        InFlight f = d.delivered.get(from + rnd.nextInt(d.delivered.size() - from));
        Session receiver = aToB ? b : a;
        SecretBytes before = receiver.serialize();
        try {
          receiver.decrypt(f.message());
          fail("replay of " + f.id() + " was accepted");
        } catch (DuplicateMessageException e) {
          assertThat(e.messageId()).isEqualTo(f.id());
        }
        assertThat(receiver.serialize().equalsConstantTime(before))
            .as("state unchanged after replay").isTrue();
        d.replays++;
      }
    }
    assertThat(ab.deliveredCount + ba.deliveredCount).isGreaterThan(STEPS / 4);
    assertThat(ab.replays + ba.replays).isGreaterThan(STEPS / 20);
    assertThat(ab.dropped + ba.dropped).isGreaterThan(STEPS / 50);
    assertThat(ratchetTurns).isGreaterThan(100);
  }
}
