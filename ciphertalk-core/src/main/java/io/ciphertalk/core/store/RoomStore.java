package io.ciphertalk.core.store;

import io.ciphertalk.core.model.Room;
import java.util.List;
import java.util.Optional;

/**
 * The client's cache of the rooms it belongs to (the server is the authority). Thread-safe;
 * arguments must not be null. Failures are {@link StoreException}s.
 */
public interface RoomStore {

  /** Saves (or replaces) a room, members included. */
  void saveRoom(Room room);

  /** The room, if cached. */
  Optional<Room> room(String roomId);

  /** Every cached room, sorted by room id. */
  List<Room> rooms();

  /** Removes a room; true if it was cached. */
  boolean removeRoom(String roomId);
}
