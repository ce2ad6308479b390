package io.ciphertalk.crypto.group.internal;

import java.util.regex.Pattern;

/** Room id syntax shared by the codec and the public API. */
public final class Limits {
  /** Longest room id, in characters. */
  public static final int MAX_ROOM_ID_LENGTH = 128;

  private static final Pattern ROOM_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");

  private Limits() {}

  public static boolean isValidRoomId(String roomId) {
    return roomId != null && ROOM_ID.matcher(roomId).matches();
  }
}
