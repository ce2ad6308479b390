package io.ciphertalk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.ConnectionState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventDispatcherTest {
  private static ChatEvent typing(int i) {
    return new ChatEvent.TypingChanged("room", "user" + i, true);
  }

  @Test
  void listenerThatThrows_isContained_andEveryLaterEventStillReachesEveryListener() {
    EventDispatcher d = new EventDispatcher(Runnable::run);
    List<ChatEvent> seen = new ArrayList<>();
    d.addListener(ChatListener.forEvery(e -> {
      throw new IllegalStateException("app bug");
    }));
    d.addListener(new ChatListener() {
      @Override
      public void onTyping(ChatEvent.TypingChanged event) {
        throw new RuntimeException("another app bug");
      }

      @Override
      public void onEvent(ChatEvent event) {
        seen.add(event);
      }
    });
    d.addListener(ChatListener.forEvery(seen::add));
    d.publish(typing(1));
    d.publish(new ChatEvent.ConnectionStateChanged(ConnectionState.CONNECTED));
    assertThat(seen).containsExactly(typing(1),
        new ChatEvent.ConnectionStateChanged(ConnectionState.CONNECTED),
        new ChatEvent.ConnectionStateChanged(ConnectionState.CONNECTED));
  }

  @Test
  void events_areDeliveredOneAtATimeInOrder_evenOnAMultiThreadedExecutor() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      EventDispatcher d = new EventDispatcher(pool);
      List<Integer> seen = new CopyOnWriteArrayList<>();
      int[] concurrent = new int[2];
      d.addListener(ChatListener.forEvery(e -> {
        synchronized (concurrent) {
          concurrent[0]++;
          concurrent[1] = Math.max(concurrent[1], concurrent[0]);
        }
        seen.add(Integer.parseInt(((ChatEvent.TypingChanged) e).userId().substring(4)));
        synchronized (concurrent) {
          concurrent[0]--;
        }
      }));
      Thread[] publishers = new Thread[1];
      publishers[0] = new Thread(() -> {
        for (int i = 0; i < 2000; i++) {
          d.publish(typing(i));
        }
      });
      publishers[0].start();
      publishers[0].join();
      io.ciphertalk.client.RecorderSupport.await(() -> seen.size() == 2000, "all delivered");
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        expected.add(i);
      }
      assertThat(seen).isEqualTo(expected);
      assertThat(concurrent[1]).isEqualTo(1);
    } finally {
      pool.shutdown();
      pool.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
