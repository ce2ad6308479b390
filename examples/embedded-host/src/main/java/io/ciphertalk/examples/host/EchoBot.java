package io.ciphertalk.examples.host;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.client.SendOptions;
import io.ciphertalk.examples.console.CommandParser;
import io.ciphertalk.examples.console.CommandSyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat bot on the CipherTalk SDK, as a host application would run one: it answers every message
 * in its rooms with an echo (as a reply to that message), and understands
 * {@code remind me in 30s to stretch}, answering with the reminder when it is due. It is an ordinary
 * end-to-end-encrypted user: the server only routes its ciphertext.
 *
 * <p>Thread-safe. The bot never logs message text.
 */
public final class EchoBot implements ChatListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EchoBot.class);
  private static final Pattern REMIND =
      Pattern.compile("(?i)\\s*remind me in\\s+(\\S+)\\s+(?:to\\s+)?(.+)");

  /** The greeting the bot sends when it is added to a group. */
  public static final String GREETING =
      "hi! I echo what you say; 'remind me in 30s to stretch' sets a reminder";

  private final String userId;
  private final ScheduledExecutorService reminders;
  private volatile CipherTalkClient client;

  /** A bot that will act as {@code userId}; attach its client with {@link #attach}. */
  public EchoBot(String userId) {
    this.userId = Objects.requireNonNull(userId, "userId");
    this.reminders = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "echo-bot-reminders");
      t.setDaemon(true);
      return t;
    });
  }

  /** The client the bot answers through (built with this bot as a listener). */
  public void attach(CipherTalkClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** The bot's user id. */
  public String userId() {
    return userId;
  }

  /**
   * What the bot answers to {@code text}: a reminder confirmation, or the echo.
   *
   * @return the immediate answer and, for a reminder, its delay and text
   */
  static Answer answer(String text) {
    Matcher m = REMIND.matcher(text);
    if (m.matches()) {
      try {
        Optional<Duration> delay = CommandParser.expiry(m.group(1));
        if (delay.isPresent()) {
          return new Answer("ok, I will remind you in " + m.group(1) + " to " + m.group(2),
              delay, m.group(2));
        }
      } catch (CommandSyntaxException e) {
        return new Answer("I did not understand the delay: " + e.getMessage(), Optional.empty(), "");
      }
    }
    return new Answer("echo: " + text, Optional.empty(), "");
  }

  /** The bot's answer to one message. */
  record Answer(String reply, Optional<Duration> remindAfter, String reminder) {}

  @Override
  public void onMessage(ChatEvent.MessageReceived event) {
    Message m = event.message();
    CipherTalkClient c = client;
    if (c == null || m.senderUserId().equals(userId) || m.deleted()) {
      return;
    }
    Optional<Room> room = c.room(m.roomId());
    if (room.isEmpty()) {
      return;
    }
    Answer a = answer(m.text());
    room.get().send(a.reply(), SendOptions.builder().replyTo(m.id()).build());
    room.get().markRead();
    a.remindAfter().ifPresent(d -> reminders.schedule(() -> {
      try {
        c.room(m.roomId()).ifPresent(r -> r.send("reminder: " + a.reminder(),
            SendOptions.builder().replyTo(m.id()).build()));
      } catch (RuntimeException e) {
        LOG.warn("reminder could not be sent: {}", e.toString());
      }
    }, d.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Override
  public void onMembership(ChatEvent.MembershipChanged event) {
    CipherTalkClient c = client;
    if (c == null || !event.userId().equals(userId)
        || event.change() != ChatEvent.MembershipChange.JOINED) {
      return;
    }
    c.room(event.roomId()).filter(r -> r.kind() == RoomKind.GROUP).ifPresent(r -> r.send(GREETING));
  }

  @Override
  public void onIdentityKeyChanged(ChatEvent.IdentityKeyChanged event) {
    // A bot cannot compare safety numbers with a human: it logs the change and keeps talking.
    // A real deployment would alert an operator instead of trusting automatically.
    LOG.warn("account key of {} changed (device {}); trusting it", event.userId(), event.deviceId());
    CipherTalkClient c = client;
    if (c != null) {
      c.trustIdentity(event.userId(), event.newSafetyNumber());
    }
  }

  /** Cancels pending reminders (the client is closed by whoever built it). */
  @Override
  public void close() {
    reminders.shutdownNow();
  }
}
