package io.ciphertalk.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {

  /** Clients 0,1,2 in room 0; clients 3,4 in room 1. */
  private final DeliveryLedger ledger = new DeliveryLedger(new int[] {0, 0, 0, 1, 1});

  @Test
  void everyExpectedDeliveryOnce_givesNoLossAndNoDuplicates() {
    long seq = ledger.nextSeq(0);
    assertThat(ledger.received(1, 0, seq)).isEqualTo(DeliveryLedger.Receipt.FIRST);
    assertThat(ledger.received(2, 0, seq)).isEqualTo(DeliveryLedger.Receipt.FIRST);
    DeliveryLedger.Totals t = ledger.totals();
    assertThat(t.sent()).isEqualTo(1);
    assertThat(t.expected()).isEqualTo(2);
    assertThat(t.delivered()).isEqualTo(2);
    assertThat(t.lost()).isZero();
    assertThat(t.duplicates()).isZero();
    assertThat(t.unexpected()).isZero();
  }

  @Test
  void missingDelivery_isCountedLost() {
    long a = ledger.nextSeq(0);
    ledger.nextSeq(3);
    ledger.received(1, 0, a);
    DeliveryLedger.Totals t = ledger.totals();
    assertThat(t.expected()).isEqualTo(2 + 1);
    assertThat(t.delivered()).isEqualTo(1);
    assertThat(t.lost()).isEqualTo(2);
  }

  @Test
  void secondReceipt_isADuplicate_andNotDeliveredTwice() {
    long seq = ledger.nextSeq(3);
    assertThat(ledger.received(4, 3, seq)).isEqualTo(DeliveryLedger.Receipt.FIRST);
    assertThat(ledger.received(4, 3, seq)).isEqualTo(DeliveryLedger.Receipt.DUPLICATE);
    DeliveryLedger.Totals t = ledger.totals();
    assertThat(t.duplicates()).isEqualTo(1);
    assertThat(t.delivered()).isEqualTo(1);
    assertThat(t.lost()).isZero();
  }

  @Test
  void selfEcho_otherRoom_neverSent_andRefused_areUnexpected() {
    long seq = ledger.nextSeq(0);
    assertThat(ledger.received(0, 0, seq)).isEqualTo(DeliveryLedger.Receipt.UNEXPECTED);
    assertThat(ledger.received(3, 0, seq)).isEqualTo(DeliveryLedger.Receipt.UNEXPECTED);
    assertThat(ledger.received(1, 0, seq + 1)).isEqualTo(DeliveryLedger.Receipt.UNEXPECTED);
    long refused = ledger.nextSeq(0);
    ledger.refused(0, refused);
    assertThat(ledger.received(1, 0, refused)).isEqualTo(DeliveryLedger.Receipt.UNEXPECTED);
    DeliveryLedger.Totals t = ledger.totals();
    assertThat(t.unexpected()).isEqualTo(4);
    assertThat(t.refused()).isEqualTo(1);
    assertThat(t.expected()).isEqualTo(2); // only the accepted first message, to clients 1 and 2
    assertThat(t.lost()).isEqualTo(2);
  }

  @Test
  void concurrentReceivers_accountExactly() throws InterruptedException {
    int messages = 2_000;
    for (int i = 0; i < messages; i++) {
      ledger.nextSeq(0);
    }
    Thread r1 = new Thread(() -> {
      for (int i = 0; i < messages; i++) {
        ledger.received(1, 0, i);
      }
    });
    Thread r2 = new Thread(() -> {
      for (int i = 0; i < messages; i++) {
        ledger.received(2, 0, i);
        ledger.received(2, 0, i);
      }
    });
    r1.start();
    r2.start();
    r1.join();
    r2.join();
    DeliveryLedger.Totals t = ledger.totals();
    assertThat(t.delivered()).isEqualTo(2L * messages);
    assertThat(t.duplicates()).isEqualTo(messages);
    assertThat(t.lost()).isZero();
  }
}
