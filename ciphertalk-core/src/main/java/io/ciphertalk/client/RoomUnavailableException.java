package io.ciphertalk.client;

import java.util.Objects;

/**
 * An operation named a room this user is no longer in: removed by an admin, left (perhaps from
 * another device), or never a member. Thrown by every {@link Room} method that would send to the
 * room or change it ({@code send}, {@code edit}, {@code deleteForEveryone}, {@code react},
 * {@code invite}, {@code remove}, {@code leave}, {@code setRole}, {@code setTopic},
 * {@code members}); the local
 * history stays readable ({@link Room#history}), and the signals that have no one to reach
 * ({@link Room#typing}, {@link Room#markRead}) do nothing.
 *
 * <p>A user interface that keeps a room open while a {@link ChatEvent.MembershipChanged} removing
 * this user is on its way sees this exception for the commands typed in between; it should say so
 * and move on. {@link #roomId()} names the room.
 */
public final class RoomUnavailableException extends CipherTalkException {
  private static final long serialVersionUID = 1L;
  private final String roomId;

  public RoomUnavailableException(String roomId) {
    super("not a member of room " + Objects.requireNonNull(roomId, "roomId"));
    this.roomId = roomId;
  }

  /** The room's id. */
  public String roomId() {
    return roomId;
  }
}
