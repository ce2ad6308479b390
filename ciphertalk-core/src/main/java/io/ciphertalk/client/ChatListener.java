package io.ciphertalk.client;

/**
 * Receives {@link ChatEvent}s. Override the methods for the events the app cares about; every method
 * defaults to {@link #onEvent(ChatEvent)}, which does nothing unless overridden, so a listener can
 * also handle every event in one place.
 *
 * <p>Methods are called on the client's callback executor, one event at a time, in order. A method
 * that throws is contained: the exception is logged and the next event is still delivered; it never
 * reaches a connection thread.
 */
public interface ChatListener {
  /** A listener that hands every event to {@code handler}. */
  static ChatListener forEvery(java.util.function.Consumer<? super ChatEvent> handler) {
    java.util.Objects.requireNonNull(handler, "handler");
    return new ChatListener() {
      @Override
      public void onEvent(ChatEvent event) {
        handler.accept(event);
      }
    };
  }

  /** Called for every event whose specific method is not overridden. */
  default void onEvent(ChatEvent event) {}

  default void onMessage(ChatEvent.MessageReceived event) {
    onEvent(event);
  }

  default void onEdited(ChatEvent.MessageEdited event) {
    onEvent(event);
  }

  default void onDeleted(ChatEvent.MessageDeleted event) {
    onEvent(event);
  }

  default void onExpired(ChatEvent.MessageExpired event) {
    onEvent(event);
  }

  default void onReaction(ChatEvent.ReactionChanged event) {
    onEvent(event);
  }

  default void onReceipt(ChatEvent.ReceiptReceived event) {
    onEvent(event);
  }

  default void onMessageStatus(ChatEvent.MessageStatusChanged event) {
    onEvent(event);
  }

  default void onTyping(ChatEvent.TypingChanged event) {
    onEvent(event);
  }

  default void onPresence(ChatEvent.PresenceChanged event) {
    onEvent(event);
  }

  default void onMembership(ChatEvent.MembershipChanged event) {
    onEvent(event);
  }

  default void onTopicChanged(ChatEvent.RoomTopicChanged event) {
    onEvent(event);
  }

  default void onIdentityKeyChanged(ChatEvent.IdentityKeyChanged event) {
    onEvent(event);
  }

  default void onDeviceLinked(ChatEvent.DeviceLinked event) {
    onEvent(event);
  }

  default void onDeviceRejected(ChatEvent.DeviceRejected event) {
    onEvent(event);
  }

  default void onLinkCompleted(ChatEvent.LinkCompleted event) {
    onEvent(event);
  }

  default void onLinkingRequired(ChatEvent.LinkingRequired event) {
    onEvent(event);
  }

  default void onConnectionState(ChatEvent.ConnectionStateChanged event) {
    onEvent(event);
  }

  default void onUndecryptable(ChatEvent.MessageUndecryptable event) {
    onEvent(event);
  }

  default void onSessionEnded(ChatEvent.SessionEnded event) {
    onEvent(event);
  }
}
