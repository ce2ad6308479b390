package io.ciphertalk.examples.console;

/**
 * The state shown next to one of the user's own messages. Only moves forward.
 *
 * <p>{@code SENT} means the SDK accepted the message into its outbox while connected (the SDK does
 * not report the server's storage acknowledgement as an event); {@code QUEUED} means it was
 * accepted while offline and will be flushed on reconnect.
 */
public enum Mark {
  QUEUED("queued"),
  SENT("sent"),
  DELIVERED("delivered"),
  READ("read");

  private final String label;

  Mark(String label) {
    this.label = label;
  }

  /** The word shown in brackets after the message. */
  public String label() {
    return label;
  }

  /** The later of the two states. */
  public Mark max(Mark other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
